#include "core/ops/scale.hpp"

#include "core/ops/release_engine.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

DeployResult scale(const ScaleOptions& o) {
  if (o.replicas < 0) fail(ErrorKind::usage, "how many instances per location? give --replicas N");
  auto [ctx, cur, in] = serving_release(o.project, o.env, ledger::Kind::scale, "scale");
  ctx.env.replicas = o.replicas;
  in.change_id = o.change_id;
  in.emergency = o.emergency;
  if (o.dry_run) return planned(ctx, in);
  return execute(ctx, in, false, o.lock_wait, o.on_event);
}

}  // namespace ecp::ops
