#pragma once
// The overall time one registry request may take, redirects included: a
// request past it ends like a lost connection (retried, and a transfer resumes).
#include <chrono>
#include <cstdint>
#include <string>

namespace ecp::registry {

// Sized by the bytes a request moves, so that a slow link still finishes a large blob while a
// server trickling a few bytes a second cannot hold a command forever.
struct DeadlinePolicy {
  std::chrono::milliseconds fixed{0};     // --timeout: every request gets this, whatever its size
  std::chrono::milliseconds base{60000};  // else this, plus
  std::int64_t min_rate = 64 << 10;       // one second per this many bytes expected
  std::chrono::milliseconds for_bytes(std::int64_t bytes) const;
  // "3 s (--timeout)", "76 s (60 s + 1 s per 64 KiB of the 1048576 bytes expected; ...)".
  std::string describe(std::int64_t bytes) const;
};

}  // namespace ecp::registry
