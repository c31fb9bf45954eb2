#include "core/ops/scale.hpp"

#include "core/ops/release_engine.hpp"
#include "core/ops/released_config.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

DeployResult scale(const ScaleOptions& o) {
  if (o.env.empty()) fail(ErrorKind::usage, "which environment? give --env NAME");
  if (o.replicas < 0) fail(ErrorKind::usage, "how many instances per location? give --replicas N");
  Project project = load_project(o.project);
  auto secret_keys = declared_secrets(project);
  TargetContext ctx = open_target(std::move(project), o.env, 0);
  auto records = ctx.ledger->records();
  auto cur = ledger::current(records);
  if (!cur) fail(ErrorKind::usage, "{}/{} has nothing released to scale: release it first", ctx.app.app, o.env);

  // What serves now, as it was released: its image, its configuration, its port.
  ReleaseInput in = release_of(ctx, *cur, secret_keys);
  in.kind = ledger::Kind::scale;
  ctx.env.replicas = o.replicas;
  // In place, a batch at a time, in the slot that serves (whatever ecp.yaml's
  // strategy): rolling's batch and max_unavailable still apply.
  set_strategy(in, ctx, strategy::Type::rolling);
  in.change_id = o.change_id;
  in.emergency = o.emergency;

  if (o.dry_run) return planned(ctx, in);
  return execute(ctx, in, false, o.lock_wait, o.on_event);
}

}  // namespace ecp::ops
