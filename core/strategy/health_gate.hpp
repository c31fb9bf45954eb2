#pragma once
// The health gate between steps: every instance must answer its health check
// within the startup window, interval x max(retries, 1) + timeout. Probes start
// fast (200 ms) and slow down to the interval (at most 2 s), so a quick app is not
// held back by a long interval. An instance whose process exits or whose host goes
// away fails at once instead of waiting out the window.
#include <vector>

#include "core/backend/backend.hpp"
#include "core/strategy/strategy.hpp"
#include "core/util/clock.hpp"

namespace ecp::strategy {

struct GateResult {
  bool ok = true;
  std::vector<backend::Probe> failed;  // the last probe of each instance that failed
};

backend::Duration startup_window(const backend::HealthSpec& h);

// Throws Error(interrupted) on SIGINT/SIGTERM (unless shielded). `clock` times the
// probes and the window (tests pass a manual one).
GateResult wait_healthy(backend::Backend& backend, const std::vector<backend::InstanceSpec>& instances,
                        const backend::HealthSpec& health, const EventSink& on_event, Clock& clock = system_clock());

}  // namespace ecp::strategy
