#include "core/ops/governance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

namespace {

std::string env_var(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string where(const descriptor::Location& l) { return fmt::format("{}:{}:{}", l.file, l.line, l.column); }

}  // namespace

std::vector<std::string> names_of(const backend::Identity& id) {
  std::vector<std::string> out = id.principals;
  if (std::find(out.begin(), out.end(), id.user) == out.end()) out.push_back(id.user);
  return out;
}

std::string_view to_string(Action a) {
  switch (a) {
    case Action::release:
      return "release";
    case Action::rollback:
      return "rollback";
    case Action::promote:
      return "promote";
    case Action::approve:
      return "approve";
    case Action::unlock:
      return "unlock";
    case Action::freeze:
      return "freeze";
  }
  return "";
}

std::string reported_actor() {
  for (auto [var, label] : {std::pair{"GITHUB_ACTOR", "github"}, std::pair{"GITLAB_USER_LOGIN", "gitlab"},
                            std::pair{"BUILD_USER_ID", "jenkins"}, std::pair{"BUILD_USER", "jenkins"}})
    if (auto v = env_var(var); !v.empty()) return fmt::format("{}:{}", label, v);
  return env_var("ECP_WHO");
}

const ledger::Actor& actor_of(TargetContext& ctx) {
  if (!ctx.actor) {
    auto id = ctx.backend->identity();
    ctx.actor = ledger::Actor{id.principals.empty() ? id.user : id.principals.front(), id.method, reported_actor()};
  }
  return *ctx.actor;
}

std::string access_problem(const descriptor::Access& access, const std::string& env, std::string_view action,
                           const backend::Identity& id) {
  if (!access.present ||
      std::find(access.environments.begin(), access.environments.end(), env) == access.environments.end())
    return "";
  auto rule = std::find_if(access.rules.begin(), access.rules.end(),
                           [&](const auto& r) { return r.env == env && r.action == action; });
  std::string who = fmt::format("{} ({})", text::join(names_of(id), ", "), id.method);
  if (rule == access.rules.end())
    return fmt::format("{} may not {} in {}: access.environments.{} has no '{}' rule ({})", who, action, env, env,
                       action, where(access.location));
  auto names = names_of(id);
  for (const auto& g : rule->groups)
    for (const auto& [group, members] : access.groups)
      if (group == g && std::any_of(members.begin(), members.end(), [&](const auto& m) {
            return std::find(names.begin(), names.end(), m) != names.end();
          }))
        return "";
  return fmt::format("{} may not {} in {}: {} allows {} only", who, action, env, where(rule->location),
                     text::join(rule->groups, ", "));
}

void authorize(TargetContext& ctx, Action action) {
  const auto& access = ctx.project.targets.access;
  if (!access.present) return;
  auto id = ctx.backend->identity();
  auto why = access_problem(access, ctx.app.env, to_string(action), id);
  if (why.empty()) return;
  ledger::AuditEntry e;
  e.type = "denied";
  e.message = fmt::format("{}: {}", to_string(action), why);
  audit(ctx, e);
  fail(ErrorKind::permission, "access denied: {}", why);
}

void audit(TargetContext& ctx, ledger::AuditEntry e) {
  try {
    e.actor = actor_of(ctx);
    e.app = ctx.app.app;
    e.env = ctx.app.env;
    e.when = text::rfc3339_ms(ctx.clock->unix_ms());
    ledger::AuditLog(ctx.backend->state()).append(std::move(e));
  } catch (const std::exception& ex) {
    log::warn("{}/{}: the audit log at target {} could not be written: {}", ctx.app.app, ctx.app.env, ctx.target.name,
              ex.what());
  }
}

}  // namespace ecp::ops
