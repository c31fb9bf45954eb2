#pragma once
// A clock for unit tests (see core/util/clock.hpp). Time stands still until
// advance(). With `auto_advance`, a sleep moves time on by its length at once
// instead: a single-threaded wait such as the health gate then runs its whole
// schedule without sleeping. advance() waits until every background loop it woke
// is back at its wait, so a test reads the loop's effect without a sleep.
#include <condition_variable>
#include <iterator>
#include <mutex>
#include <set>
#include <vector>

#include "core/util/clock.hpp"

namespace ecp::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(bool auto_advance = false, std::int64_t unix_start_ms = 1'800'000'000'000)
      : auto_(auto_advance), unix_start_(unix_start_ms), start_(std::chrono::steady_clock::now()), now_(start_) {}

  TimePoint now() override {
    std::lock_guard l(mu_);
    return now_;
  }
  std::int64_t unix_ms() override {
    std::lock_guard l(mu_);
    return unix_start_ + std::chrono::duration_cast<Duration>(now_ - start_).count();
  }
  bool sleep_for(Duration d, std::stop_token stop = {}) override {
    std::unique_lock l(mu_);
    slept_.push_back(d);
    if (auto_) {
      now_ += d;
      return !stop.stop_requested();
    }
    auto until = now_ + d;
    auto it = deadlines_.insert(until);
    ++entered_;
    cv_.notify_all();
    bool woke = cv_.wait(l, stop, [&] { return now_ >= until; });
    deadlines_.erase(it);
    cv_.notify_all();
    return woke;
  }

  // Moves time on by `d`; then waits (up to `bound` of real time) until each
  // sleeper whose sleep ended has begun its next sleep.
  bool advance(Duration d, Duration bound = std::chrono::seconds(60)) {
    std::unique_lock l(mu_);
    now_ += d;
    long due = std::distance(deadlines_.begin(), deadlines_.upper_bound(now_));
    long target = entered_ + due;
    cv_.notify_all();
    return cv_.wait_for(l, bound, [&] { return entered_ >= target; });
  }
  // Waits until `n` threads sleep on this clock (a background loop is at its wait).
  bool await_sleepers(int n, Duration bound = std::chrono::seconds(60)) {
    std::unique_lock l(mu_);
    return cv_.wait_for(l, bound, [&] { return static_cast<int>(deadlines_.size()) >= n; });
  }
  std::vector<Duration> slept() {
    std::lock_guard l(mu_);
    return slept_;
  }
  Duration elapsed() {
    std::lock_guard l(mu_);
    return std::chrono::duration_cast<Duration>(now_ - start_);
  }

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool auto_;
  std::int64_t unix_start_;
  TimePoint start_, now_;
  std::multiset<TimePoint> deadlines_;  // of the threads asleep now
  long entered_ = 0;                    // sleeps begun, ever
  std::vector<Duration> slept_;
};

}  // namespace ecp::testing
