#include "core/util/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

namespace ecp {
namespace {

// The one worker pool: `errors[i]` gets item i's exception; with stop_on_error a
// failure stops the hand-out of new items.
void run_pool(std::size_t n, int jobs, const std::function<void(std::size_t)>& fn,
              std::vector<std::exception_ptr>& errors, bool stop_on_error) {
  std::size_t threads = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, jobs)));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (std::size_t i; !(stop_on_error && failed.load()) && (i = next.fetch_add(1)) < n;) {
      try {
        fn(i);
      } catch (...) {
        errors[i] = std::current_exception();  // each slot has one writer
        failed = true;
      }
    }
  };
  std::vector<std::jthread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
}

}  // namespace

int default_jobs() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

void parallel_for(std::size_t n, int jobs, const std::function<void(std::size_t)>& fn) {
  if (n == 0) return;
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> first{n};
  // Remember which item failed first in time: that failure stopped the others.
  run_pool(
      n, jobs,
      [&](std::size_t i) {
        try {
          fn(i);
        } catch (...) {
          std::size_t none = n;
          first.compare_exchange_strong(none, i);
          throw;
        }
      },
      errors, true);
  if (first.load() < n) std::rethrow_exception(errors[first.load()]);
}

std::vector<std::exception_ptr> parallel_try(std::size_t n, int jobs, const std::function<void(std::size_t)>& fn) {
  std::vector<std::exception_ptr> errors(n);
  if (n > 0) run_pool(n, jobs, fn, errors, false);
  return errors;
}

}  // namespace ecp
