#include "core/util/clock.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace ecp {

namespace {

class SystemClock final : public Clock {
 public:
  TimePoint now() override { return std::chrono::steady_clock::now(); }
  std::int64_t unix_ms() override {
    return std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  bool sleep_for(Duration d, std::stop_token stop) override {
    if (!stop.stop_possible()) {
      std::this_thread::sleep_for(d);
      return true;
    }
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock l(mu);
    cv.wait_for(l, stop, d, [] { return false; });
    return !stop.stop_requested();
  }
};

}  // namespace

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

}  // namespace ecp
