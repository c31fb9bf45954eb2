// `ecp rollback`: pick the revision, take its image and configuration from the
// ledger at the target, and release them through the same engine as a deploy.
#include "core/ops/rollback.hpp"

#include "core/ops/release_engine.hpp"
#include "core/ops/released_config.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"

namespace ecp::ops {

DeployResult rollback(const RollbackOptions& o) {
  if (o.env.empty()) fail(ErrorKind::usage, "which environment? give --env NAME");
  Project project = load_project(o.project);
  // Secrets stay masked in the diff: the keys come from today's ecp.yaml.
  auto secret_keys = declared_secrets(project);
  TargetContext ctx = open_target(std::move(project), o.env, 0);

  // 1. Which revision: --to N, else the last good one before the current.
  auto records = ctx.ledger->records();
  auto cur = ledger::current(records);
  std::optional<ledger::Record> target;
  if (o.to > 0) {
    target = ctx.ledger->get(o.to);
    if (!target) fail(ErrorKind::usage, "{}/{} has no revision {} (see ecp history)", ctx.app.app, o.env, o.to);
    if (target->outcome != ledger::Outcome::succeeded)
      log::warn("revision {} ended {}; rolling back to it anyway", o.to, ledger::to_string(target->outcome));
  } else {
    if (!cur) fail(ErrorKind::usage, "{}/{} has no successful revision: nothing to roll back", ctx.app.app, o.env);
    target = ledger::rollback_target(records, cur->revision);
    if (!target)
      fail(ErrorKind::usage, "{}/{}: no successful revision before {} differs from it: nothing to roll back to",
           ctx.app.app, o.env, cur->revision);
  }

  // 2. Its image and its configuration, as they were released.
  ReleaseInput in = release_of(ctx, *target, secret_keys);
  in.kind = ledger::Kind::rollback;
  in.rollback_to = target->revision;
  set_strategy(in, ctx, strategy_arg(o.strategy));
  in.change_id = o.change_id;
  in.emergency = o.emergency;

  // 3. Plan, or release (always: rolling back to the same bytes still restarts).
  if (o.dry_run) return planned(ctx, in);
  return execute(ctx, in, true, o.lock_wait, o.on_event);
}

}  // namespace ecp::ops
