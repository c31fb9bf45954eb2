// recreate: stop everything, start the new revision everywhere, wait for health.
// Simple and with downtime; the way back is the same in reverse.
#include <fmt/format.h>

#include "core/strategy/health_gate.hpp"
#include "core/strategy/restore.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"

namespace ecp::strategy {

using namespace detail;

Result recreate(backend::Backend& backend, const Input& in) {
  // Everything that runs now and everything that will run is touched.
  std::vector<backend::InstanceRef> touched = refs(in.desired);
  for (const auto& r : in.running)
    if (std::find(touched.begin(), touched.end(), r.ref) == touched.end()) touched.push_back(r.ref);
  try {
    if (in.should_stop && in.should_stop()) return restore(backend, in, {}, "stopped before it began", false);
    // 1. Stop what runs.
    emit(in, {"stop", fmt::format("stopping {} instance(s)", in.running.size()), refs(in.running)});
    auto stop_failures = backend.stop(refs(in.running));
    if (!stop_failures.empty())
      return restore(backend, in, touched, "stopping failed: " + describe(stop_failures), false);
    // 2. Start the new revision everywhere.
    emit(in, {"start", fmt::format("starting {} instance(s)", in.desired.size()), refs(in.desired)});
    auto start_failures = backend.start(in.desired);
    if (!start_failures.empty())
      return restore(backend, in, touched, "starting failed: " + describe(start_failures), false);
    // 3. The health gate.
    auto gate = wait_healthy(backend, in.desired, in.health, in.on_event);
    if (!gate.ok) return restore(backend, in, touched, "health check failed: " + describe(gate.failed), false);
    if (in.should_stop && in.should_stop()) return restore(backend, in, touched, "the lock was lost", false);
  } catch (const Error& e) {
    bool interrupted = e.kind() == ErrorKind::interrupted;
    return restore(backend, in, touched, interrupted ? std::string("interrupted") : std::string(e.what()), interrupted);
  }
  Result r;
  r.touched = touched;
  return r;
}

}  // namespace ecp::strategy
