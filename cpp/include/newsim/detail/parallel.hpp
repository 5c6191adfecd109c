#pragma once

// A minimal parallel loop over numbered tasks. Internal.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "newsim/errors.hpp"

namespace newsim::detail {

/// Threads to use for n_jobs: <= 0 means all hardware threads (or one per -1, -2, ... less).
inline int resolve_threads(int n_jobs) {
  const int hw = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (n_jobs > 0) return n_jobs;
  if (n_jobs == 0) return hw;
  return std::max(1, hw + 1 + n_jobs);  // -1: all, -2: all but one
}

/// Calls the check (when set) on the first poll, then at most every 20 ms.
template <class Check>
class InterruptPoll {
 public:
  explicit InterruptPoll(const Check* check) : check_(check) {}
  bool operator()() {
    if (check_ == nullptr || !*check_) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(20)) return false;
    last_ = now;
    return (*check_)();
  }

 private:
  const Check* check_;
  std::chrono::steady_clock::time_point last_{};
};

/// The loop the calling thread is working for: lets a long task stop early (poll_point).
struct LoopStop {
  std::atomic<bool>* failed = nullptr;
  std::atomic<bool>* stopped = nullptr;
  bool (*poll)(void*) = nullptr;  // set on the thread that polls the check
  void* poll_state = nullptr;
};

inline LoopStop*& current_loop() {
  thread_local LoopStop* loop = nullptr;
  return loop;
}

/// Thrown by poll_point; parallel_for catches it and throws Interrupted or the error that
/// stopped the loop.
struct LoopStopped {};

/// Called inside a long task of parallel_for: ends the task once the loop is interrupted (the
/// check is polled here on the calling thread, at most every 20 ms). A task that is still
/// running when another one fails runs on, so that the error reported stays the one from the
/// lowest task index. Does nothing outside parallel_for.
inline void poll_point() {
  LoopStop* loop = current_loop();
  if (loop == nullptr) return;
  if (loop->poll != nullptr && loop->poll(loop->poll_state)) {
    loop->stopped->store(true);
    loop->failed->store(true);
    throw LoopStopped();
  }
  if (loop->stopped->load(std::memory_order_relaxed)) throw LoopStopped();
}

/// Sets the thread's current loop for a scope.
class LoopScope {
 public:
  explicit LoopScope(LoopStop* loop) : saved_(current_loop()) { current_loop() = loop; }
  ~LoopScope() { current_loop() = saved_; }
  LoopScope(const LoopScope&) = delete;
  LoopScope& operator=(const LoopScope&) = delete;

 private:
  LoopStop* saved_;
};

/// Runs task(i, worker) for i in [0, n) on up to `threads` threads; tasks are claimed in order.
/// An exception stops the loop; the one from the lowest task index is rethrown here, so errors do
/// not depend on the thread count. `interrupted`, when given, is polled on the calling thread
/// between tasks and at the tasks' poll_point calls; once it returns true no new task starts
/// and Interrupted is thrown.
template <class Task, class Check = bool (*)()>
void parallel_for(std::size_t n, int threads, Task&& task, const Check* interrupted = nullptr) {
  const auto workers = static_cast<std::size_t>(std::max(1, threads));
  InterruptPoll<Check> poll(interrupted);
  std::atomic<bool> failed{false};
  std::atomic<bool> stopped{false};
  LoopStop others{&failed, &stopped, nullptr, nullptr};
  LoopStop caller = others;
  if (interrupted != nullptr) {
    caller.poll = [](void* p) { return (*static_cast<InterruptPoll<Check>*>(p))(); };
    caller.poll_state = &poll;
  }
  if (workers == 1 || n <= 1) {
    LoopScope scope(&caller);
    for (std::size_t i = 0; i < n; ++i) {
      if (poll()) throw Interrupted();
      try {
        task(i, std::size_t{0});
      } catch (const LoopStopped&) {
        throw Interrupted();
      }
    }
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::size_t error_index = n;
  std::mutex error_mutex;
  auto run = [&](std::size_t worker) {
    LoopScope scope(worker == 0 ? &caller : &others);
    for (;;) {
      if (worker == 0) {
        bool stop = false;
        bool threw = false;
        try {
          stop = poll();
        } catch (...) {  // a throwing check must not leave the other threads unjoined
          std::lock_guard<std::mutex> lock(error_mutex);
          error = std::current_exception();
          error_index = 0;
          threw = true;
        }
        if (stop || threw) {
          if (!threw) stopped = true;
          failed = true;
          return;
        }
      }
      const std::size_t i = next.fetch_add(1);
      if (i >= n || failed.load()) return;
      try {
        task(i, worker);
      } catch (const LoopStopped&) {
        return;
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (i < error_index) {
          error = std::current_exception();
          error_index = i;
        }
        failed = true;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  const std::size_t extra = std::min(workers, n) - 1;
  pool.reserve(extra);
  for (std::size_t w = 1; w <= extra; ++w) pool.emplace_back(run, w);
  run(0);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  if (stopped) throw Interrupted();
}

}  // namespace newsim::detail
