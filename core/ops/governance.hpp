#pragma once
// Delivery governance at the target: who acts (the identity the target vouches
// for, beside what the client claims), whether the targets file's access:
// lets them, and the audit log every decision and release ends up in.
#include <string>
#include <string_view>
#include <vector>

#include "core/descriptor/model.hpp"
#include "core/ops/deploy_context.hpp"

namespace ecp::ops {

enum class Action { release, rollback, promote, approve, unlock, freeze };
std::string_view to_string(Action a);  // as access: names it

// The client's claim, from CI variables (GITHUB_ACTOR, GITLAB_USER_LOGIN,
// BUILD_USER_ID, BUILD_USER) or ECP_WHO; "" when none is set. Recorded, never
// used to decide.
std::string reported_actor();
// The names an identity answers to: its certificate's principals, then its user.
std::vector<std::string> names_of(const backend::Identity& id);
// Who acts at ctx's target: asked of the backend once per command.
const ledger::Actor& actor_of(TargetContext& ctx);

// Why `id` may not do `action` in `env` under `access` ("" = it may): an
// environment access.environments does not list is open to everyone; one it
// lists allows only the groups of its rule for that action (pure; unit-tested).
std::string access_problem(const descriptor::Access& access, const std::string& env, std::string_view action,
                           const backend::Identity& id);
// Throws Error(permission) naming the rule, after an audit entry `denied` at
// the target, when the actor may not do `action` there.
void authorize(TargetContext& ctx, Action action);

// Appends `e` to the audit log at ctx's target, with the actor, app, env and
// time filled in. A log that cannot be written is a warning: what it records
// already happened.
void audit(TargetContext& ctx, ledger::AuditEntry e);

}  // namespace ecp::ops
