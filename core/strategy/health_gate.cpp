#include "core/strategy/health_gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "core/util/process.hpp"

namespace ecp::strategy {

using namespace std::chrono_literals;
using backend::Duration;

Duration startup_window(const backend::HealthSpec& h) { return h.interval * std::max(h.retries, 1) + h.timeout; }

namespace {
// Sleeps up to `d`, waking early for an interrupt.
void nap(Clock& clock, Duration d) {
  auto until = clock.now() + d;
  while (clock.now() < until) {
    process::check_interrupted();
    clock.sleep_for(std::min<Duration>(50ms, d));
  }
}
}  // namespace

GateResult wait_healthy(backend::Backend& backend, const std::vector<backend::InstanceSpec>& instances,
                        const backend::HealthSpec& health, const EventSink& on_event, Clock& clock) {
  GateResult result;
  std::vector<backend::InstanceSpec> pending = instances;
  std::map<backend::InstanceRef, backend::Probe> last;
  auto deadline = clock.now() + startup_window(health);
  Duration delay = 200ms;
  const Duration max_delay = std::clamp<Duration>(health.interval, 200ms, 2s);
  while (!pending.empty()) {
    process::check_interrupted();
    auto probes = backend.health(pending);
    std::vector<backend::InstanceSpec> still;
    for (const auto& spec : pending) {
      auto it = std::find_if(probes.begin(), probes.end(), [&](const auto& p) { return p.ref == spec.ref; });
      backend::Probe p = it != probes.end() ? *it : backend::Probe{spec.ref, false, false, "no probe result"};
      last[spec.ref] = p;
      if (p.healthy) {
        if (on_event) on_event({"healthy", fmt::format("{} healthy ({})", spec.ref.name(), p.detail), {spec.ref}});
      } else if (p.gone) {
        result.ok = false;
        result.failed.push_back(p);
        if (on_event) on_event({"unhealthy", fmt::format("{}: {}", spec.ref.name(), p.detail), {spec.ref}});
      } else {
        still.push_back(spec);
      }
    }
    pending = std::move(still);
    if (pending.empty() || !result.ok) break;  // one failure fails the step: no need to wait for the rest
    if (clock.now() >= deadline) {
      for (const auto& spec : pending) {
        auto p = last[spec.ref];
        p.detail = fmt::format("not healthy within {} ms (last check: {})", startup_window(health).count(),
                               p.detail.empty() ? "none" : p.detail);
        result.ok = false;
        result.failed.push_back(p);
        if (on_event) on_event({"unhealthy", fmt::format("{}: {}", spec.ref.name(), p.detail), {spec.ref}});
      }
      break;
    }
    nap(clock, delay);
    delay = std::min<Duration>(std::chrono::duration_cast<Duration>(delay * 3 / 2), max_delay);
  }
  return result;
}

}  // namespace ecp::strategy
