#include "core/ops/audit_read.hpp"

#include <algorithm>

#include "core/ops/deploy_context.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

std::int64_t since_arg(const std::string& text, std::int64_t now_ms) {
  if (text.size() > 1 && text.back() == 'd' &&
      std::all_of(text.begin(), text.end() - 1, [](char c) { return c >= '0' && c <= '9'; }) && text.size() < 8)
    return now_ms - std::stoll(text.substr(0, text.size() - 1)) * 86'400'000;
  return now_ms - parse_duration_arg(text, "--since").count();
}

std::vector<EnvironmentAudit> read_audit(const AuditOptions& o) {
  Project project = load_project(o.project);
  std::vector<std::string> envs;
  if (!o.env.empty()) {
    if (!descriptor::find_environment(project.descriptor, o.env))
      fail(ErrorKind::usage, "{} has no environment '{}'", project.descriptor.file, o.env);
    envs.push_back(o.env);
  } else {
    for (const auto& e : project.descriptor.environments) envs.push_back(e.name);
  }
  std::vector<EnvironmentAudit> out;
  for (const auto& env : envs) {
    TargetContext ctx = open_target(project, env);
    auto log = ledger::AuditLog(ctx.backend->state()).read();
    EnvironmentAudit a{env, ctx.target.name, {}, std::move(log.problems)};
    for (auto& e : log.entries) {
      auto when = text::parse_rfc3339_ms(e.when);
      if (o.since_ms == 0 || (when && *when >= o.since_ms)) a.entries.push_back(std::move(e));
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace ecp::ops
