#include "core/ops/exec.hpp"

#include "core/ops/deploy_context.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

ExecPlan plan_exec(const ExecOptions& o) {
  if (o.command.empty()) fail(ErrorKind::usage, "what to run? give it after --: ecp exec --env E -- CMD...");
  TargetContext ctx = open_target(o.project, o.env);
  std::optional<backend::InstanceRef> pick;
  for (const auto& i : ctx.backend->status().instances) {
    std::string name = i.ref.name(), short_name = i.ref.slot + "-" + std::to_string(i.ref.index);
    bool wanted = o.instance.empty() ? i.state == backend::InstanceState::running
                                     : o.instance == name || o.instance == short_name;
    if (wanted) {
      pick = i.ref;
      break;
    }
  }
  if (!pick)
    fail(ErrorKind::usage, "{}/{} has no {} (see ecp status)", ctx.app.app, o.env,
         o.instance.empty() ? "running instance" : "instance '" + o.instance + "'");
  return {pick->name(), ctx.backend->exec_argv(*pick, o.command, o.tty)};
}

}  // namespace ecp::ops
