// Step 3 of the release engine: under the lock, the ledger and the target as they
// are now (another machine may have released since the plan), and the new
// revision recorded in progress with its rendered configuration.
#include <fmt/format.h>

#include "core/ops/canary.hpp"
#include "core/ops/degrade.hpp"
#include "core/ops/release_engine.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

namespace {

// A saved plan (ecp apply) holds only while the ledger is where it was.
void check_plan(TargetContext& ctx, const ReleaseInput& in, int next) {
  if (in.expect_next_revision && *in.expect_next_revision != next)
    fail(ErrorKind::validation,
         "the plan is stale: it was made when the ledger of {}/{} was at revision {}, and it is at revision {} "
         "now; {}",
         ctx.app.app, ctx.app.env, *in.expect_next_revision - 1, next - 1,
         in.runs > 0 ? "run it again on what serves now" : "make a new plan");
}

// Refuses to release onto an unreachable location (a failover works around
// it), or past a paused canary.
void check_target(TargetContext& ctx, const ReleaseInput& in, const backend::TargetStatus& status) {
  if (!status.unreachable.empty() && in.kind != ledger::Kind::failover)
    fail(ErrorKind::io, "cannot release: {}", text::join(status.unreachable, "; "));
  refuse_degraded(ctx, status);
  // Only a target with a gateway can have a paused canary.
  if (auto c = ctx.backend->router() ? read_canary(ctx) : std::nullopt)
    fail(ErrorKind::lock_held,
         "a canary of {}/{} (revision {}) is paused at {}%: `ecp canary promote --env {}` moves it on, "
         "`ecp canary abort --env {}` rolls it back",
         ctx.app.app, ctx.app.env, c->revision, c->percent(), ctx.app.env, ctx.app.env);
}

ledger::Record new_record(TargetContext& ctx, const ReleaseInput& in, int revision,
                          const std::optional<ledger::Record>& cur, const std::vector<backend::InstanceSpec>& desired) {
  ledger::Record rec;
  rec.revision = revision;
  rec.kind = in.kind;
  rec.app = ctx.app.app;
  rec.env = ctx.app.env;
  rec.target = ctx.target.name;
  rec.image = in.image.reference;
  rec.image_digest = in.image.digest;
  for (const auto& l : in.image.layers) rec.layers.push_back(l.layer);
  rec.config_digest = in.config.digest;
  rec.strategy = strategy::to_string(in.strategy.type);
  rec.who = who();
  rec.when = text::rfc3339_ms(ctx.clock->unix_ms());
  rec.change_id = in.change_id;
  rec.overrides = in.config.overrides;
  rec.from_revision = cur ? cur->revision : 0;
  rec.rollback_to = in.rollback_to;
  rec.promoted_from = in.promoted_from;
  rec.emergency = in.emergency;
  rec.base_port = ctx.app.base_port;
  rec.replicas = ctx.env.replicas;
  rec.runs = in.runs;
  for (const auto& d : desired) rec.instances.push_back({d.ref.location, d.ref.slot, d.ref.index, d.port});
  return rec;
}

}  // namespace

ReleaseState record_release(TargetContext& ctx, const ReleaseInput& in, ReleaseTransaction& tx, DeployResult& result,
                            const DeployEventFn& on_event) {
  ReleaseState state;
  state.records = ctx.ledger->records();
  int next = ctx.ledger->next_revision();
  check_plan(ctx, in, next);
  auto status = ctx.backend->status();
  check_target(ctx, in, status);
  state.running = running_instances(status, state.records);
  if (in.runs > 0) state.running = scoped_running(ctx, status, state.running);
  state.desired = release_instances(ctx, in, next, state.running, state.records);

  tx.begin(new_record(ctx, in, next, ledger::current(state.records), state.desired), in.config);
  result.instances = instance_views(ctx, state.desired);
  if (on_event)
    on_event({"revision",
              fmt::format("revision {} of {}/{}: {} {} ({})", next, ctx.app.app, ctx.app.env,
                          ledger::to_string(in.kind), in.image.reference, in.image.digest.substr(0, 19)),
              {},
              next});
  return state;
}

}  // namespace ecp::ops
