#pragma once
// Bounded parallelism for transfers: run fn(0..n-1) on at most `jobs` threads.
// After the first failure no new item starts; the first error is rethrown once
// every running item has finished.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ecp::registry {

// The default number of parallel transfers: the number of cores.
inline int default_jobs() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

inline void parallel_for(std::size_t n, int jobs, const std::function<void(std::size_t)>& fn) {
  if (n == 0) return;
  std::size_t threads = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, jobs)));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first;
  std::mutex m;
  auto work = [&] {
    for (std::size_t i; !failed.load() && (i = next.fetch_add(1)) < n;) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard g(m);
        if (!first) first = std::current_exception();
        failed = true;
      }
    }
  };
  if (threads == 1) {
    work();
  } else {
    std::vector<std::jthread> pool;
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(work);
  }
  if (first) std::rethrow_exception(first);
}

}  // namespace ecp::registry
