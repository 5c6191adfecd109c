#pragma once

// A minimal parallel loop over numbered tasks. Internal.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace newsim::detail {

/// Threads to use for n_jobs: <= 0 means all hardware threads (or one per -1, -2, ... less).
inline int resolve_threads(int n_jobs) {
  const int hw = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (n_jobs > 0) return n_jobs;
  if (n_jobs == 0) return hw;
  return std::max(1, hw + 1 + n_jobs);  // -1: all, -2: all but one
}

/// Runs task(i, worker) for i in [0, n) on up to `threads` threads; tasks are claimed in order.
/// An exception stops the loop; the one from the lowest task index is rethrown here, so errors do
/// not depend on the thread count.
template <class Task>
void parallel_for(std::size_t n, int threads, Task&& task) {
  const auto workers = static_cast<std::size_t>(std::max(1, threads));
  if (workers == 1 || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) task(i, std::size_t{0});
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::size_t error_index = n;
  std::mutex error_mutex;
  auto run = [&](std::size_t worker) {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n || failed.load()) return;
      try {
        task(i, worker);
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
}

}  // namespace newsim::detail
