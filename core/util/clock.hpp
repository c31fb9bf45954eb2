#pragma once
// The time that ecp's waits read: the lock's lease renewal and expiry, and the
// health gate's probe schedule. It is an interface so that unit tests can move
// time by hand (tests/unit/manual_clock.hpp) and check the waits' timing without sleeping.
#include <chrono>
#include <cstdint>
#include <stop_token>

namespace ecp {

class Clock {
 public:
  using Duration = std::chrono::milliseconds;
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  // Monotonic time, for deadlines on this machine.
  virtual TimePoint now() = 0;
  // Milliseconds since 1970, for leases that other machines read.
  virtual std::int64_t unix_ms() = 0;
  // Sleeps `d`, waking early when `stop` is requested; false when it was.
  virtual bool sleep_for(Duration d, std::stop_token stop = {}) = 0;
};

// steady_clock, system_clock and real sleeps.
Clock& system_clock();

}  // namespace ecp
