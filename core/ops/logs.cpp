#include "core/ops/logs.hpp"

#include <mutex>

#include "core/ops/deploy_context.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"

namespace ecp::ops {

bool logs(const LogsOptions& o, const LogLineFn& on_line) {
  TargetContext ctx = open_target(o.project, o.env);
  backend::LogOptions lo;
  lo.follow = o.follow;
  lo.lines = o.lines;
  if (!o.instance.empty()) {
    for (const auto& i : ctx.backend->status().instances) {
      std::string name = i.ref.name();
      std::string short_name = i.ref.slot + "-" + std::to_string(i.ref.index);
      if (o.instance == name || o.instance == short_name) lo.instances.push_back(i.ref);
    }
    if (lo.instances.empty()) fail(ErrorKind::usage, "{}/{} has no instance '{}' (see ecp status)", ctx.app.app, o.env,
                                   o.instance);
  }
  std::mutex mu;
  auto sink = [&](const backend::InstanceRef& ref, std::string_view line) {
    std::lock_guard l(mu);
    on_line(ref.name(), line);
  };
  if (!o.follow) {
    ctx.backend->logs(lo, sink);
    return false;
  }
  // Following ends with Ctrl-C: the lines so far were printed, and the caller
  // says it was interrupted (130), with no error.
  process::InterruptScope interrupts;
  try {
    ctx.backend->logs(lo, sink);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::interrupted) throw;
    process::reset_interrupt();
    return true;
  }
  process::reset_interrupt();
  return false;
}

}  // namespace ecp::ops
