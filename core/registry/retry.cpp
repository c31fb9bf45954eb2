#include "core/registry/retry.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "core/util/log.hpp"

namespace ecp::registry {

using std::chrono::milliseconds;

milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit, milliseconds retry_after) {
  long long ceiling = policy.base.count();
  for (int i = 1; i < retry && ceiling < policy.cap.count(); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<long long>(policy.cap.count()));
  unit = std::clamp(unit, 0.0, 1.0);
  auto wait = milliseconds(ceiling / 2 + static_cast<long long>(static_cast<double>(ceiling - ceiling / 2) * unit));
  if (retry_after.count() >= 0) wait = std::max(wait, std::min(retry_after, policy.max_retry_after));
  return wait;
}

double jitter_unit() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

void sleep_for(milliseconds d) { std::this_thread::sleep_for(d); }

void with_retries(const RetryPolicy& policy, const std::function<void()>& fn, const RetryNotice& notice) {
  int attempts = std::max(1, policy.attempts);
  for (int attempt = 1;; ++attempt) {
    try {
      fn();
      return;
    } catch (const RegistryError& e) {
      if (!e.retryable()) throw;
      if (attempt >= attempts) {
        auto info = e.info();
        info.retryable = false;
        throw RegistryError(std::move(info), fmt::format("gave up after {} attempt{}", attempts,
                                                         attempts == 1 ? "" : "s"));
      }
      auto wait = backoff_delay(policy, attempt, jitter_unit(), e.info().retry_after);
      if (notice) notice(e, attempt + 1, wait);
      log::debug("retrying in {} ms: {}", wait.count(), e.what());
      sleep_for(wait);
    }
  }
}

}  // namespace ecp::registry
