#pragma once
// Retries with exponential backoff and full jitter (the AWS architecture blog's
// "full jitter": sleep a random time in [0, min(cap, base * 2^n)]), honouring a
// server's Retry-After, within a bounded number of attempts. Only errors whose
// RegistryError::retryable() is true are tried again.
#include <chrono>
#include <functional>
#include <string>

#include "core/registry/error.hpp"

namespace ecp::registry {

struct RetryPolicy {
  int attempts = 6;                                  // tries per operation, the first included
  std::chrono::milliseconds base{250};               // first backoff ceiling
  std::chrono::milliseconds cap{8000};               // largest backoff ceiling
  std::chrono::milliseconds max_retry_after{60000};  // never wait longer than this for Retry-After
};

// The wait before try number `retry` + 1 (retry >= 1): a random value in
// [ceiling / 2, ceiling] with ceiling = min(cap, base * 2^(retry-1)), raised to
// Retry-After (bounded by max_retry_after) when the server sent one. `unit` in
// [0, 1) is the random draw, so tests can pin it.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit,
                                        std::chrono::milliseconds retry_after = std::chrono::milliseconds(-1));

// Reported before each wait: the error that will be retried, the try that
// comes next (2..attempts) and the wait.
using RetryNotice = std::function<void(const RegistryError&, int next_attempt, std::chrono::milliseconds wait)>;

// Runs fn until it returns, throws a non-retryable error, or the attempts are
// spent; then the last error is thrown with "(gave up after N attempts)".
void with_retries(const RetryPolicy& policy, const std::function<void()>& fn, const RetryNotice& notice = {});

// Sleeps; the one place retries wait.
void sleep_for(std::chrono::milliseconds d);

// A random number in [0, 1), from a per-thread generator.
double jitter_unit();

}  // namespace ecp::registry
