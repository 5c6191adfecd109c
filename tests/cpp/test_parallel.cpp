#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>

#include "newsim/detail/parallel.hpp"
#include "newsim/errors.hpp"

using newsim::detail::parallel_for;
using newsim::detail::poll_point;

namespace {

// A task that would run for ten seconds unless poll_point ends it; returns its steps.
int long_task(std::atomic<int>& steps) {
  for (int s = 0; s < 10000; ++s) {
    poll_point();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++steps;
  }
  return steps;
}

}  // namespace

TEST(PollPoint, DoesNothingOutsideALoop) { EXPECT_NO_THROW(poll_point()); }

// Ctrl-C inside one long task used to wait for the task's end (checks ran between tasks only).
TEST(PollPoint, StopsALongTaskOnTheCallingThread) {
  for (int threads : {1, 2}) {
    std::atomic<int> steps{0};
    int calls = 0;
    const std::function<bool()> check = [&] { return ++calls >= 3; };
    EXPECT_THROW(parallel_for(1, threads, [&](std::size_t, std::size_t) { long_task(steps); },
                              &check),
                 newsim::Interrupted)
        << threads;
    EXPECT_GE(calls, 3);
    EXPECT_LT(steps.load(), 2000) << threads;  // stopped after ~40 ms of polls, not 10 s
  }
}

TEST(PollPoint, StopsTheOtherThreadsTasksToo) {
  std::atomic<int> steps{0};
  const std::function<bool()> check = [&] { return steps.load() > 50; };
  EXPECT_THROW(parallel_for(2, 2, [&](std::size_t, std::size_t) { long_task(steps); }, &check),
               newsim::Interrupted);
  EXPECT_LT(steps.load(), 4000);
}

// Another task's error does not cut a running task short: the error reported stays the one
// from the lowest task index, whatever the timing.
TEST(PollPoint, AnErrorElsewhereLetsARunningTaskFinish) {
  std::atomic<int> steps{0};
  const std::function<bool()> check = [] { return false; };
  try {
    parallel_for(2, 2, [&](std::size_t i, std::size_t) {
      if (i == 1) throw std::runtime_error("task 1");
      for (int s = 0; s < 100; ++s) {
        poll_point();
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        ++steps;
      }
      throw std::runtime_error("task 0");
    }, &check);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "task 0");
  }
  EXPECT_EQ(steps.load(), 100);
}
