// The release engine, as a straight list of steps (one file each, see
// release_engine.hpp):
//   1. plan, and stop there when nothing changed; then ecp.yaml's pre-deploy hook,
//      which stops the release before anything changed when it fails;
//   2. lock: take the (app, env) lock, renewed in the background;
//   3. record: under the lock, re-read the ledger, allocate the revision, record it
//      in progress together with the rendered configuration;
//   4. prepare: install the release on every location (nothing running changes);
//   5. rollout: the strategy moves instances, gated on health, and puts back what it
//      touched on failure;
//   6. conclude: activate when it succeeded, prune, record the outcome, unlock;
//      then the post-deploy or post-rollback hook (release_hooks.hpp).
// Steps 2-6 are one ReleaseTransaction: whatever fails, the lock is let go and the
// record says how the release ended. An interrupt (SIGINT/SIGTERM) is a failure
// like any other: the strategy puts the previous revision back, the outcome is
// recorded and the lock released; only then does the caller learn it was interrupted.
#include "core/ops/release_engine.hpp"

#include <fmt/format.h>

#include "core/ops/approvals.hpp"
#include "core/ops/governance.hpp"
#include "core/ops/release_gates.hpp"
#include "core/ops/release_hooks.hpp"
#include "core/strategy/strategy.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"

namespace ecp::ops {

std::vector<InstanceView> instance_views(TargetContext& ctx, const std::vector<backend::InstanceSpec>& specs) {
  std::vector<InstanceView> out;
  for (const auto& s : specs)
    out.push_back({s.ref.location, s.ref.slot, s.ref.index, s.port, s.revision,
                   fmt::format("http://{}:{}/", ctx.backend->address(s.ref.location), s.port)});
  return out;
}

namespace {

// Access rules, change windows and freezes, approvals: a scale is a release.
void govern(TargetContext& ctx, const ReleaseInput& in) {
  authorize(ctx, in.promoted_from                    ? Action::promote
                 : in.kind == ledger::Kind::rollback ? Action::rollback
                                                     : Action::release);
  check_release_gates(ctx, in.emergency);
  check_approvals(ctx, in);
}

}  // namespace

bool plan_release(TargetContext& ctx, const ReleaseInput& in, bool force, DeployResult& result,
                  const DeployEventFn& on_event) {
  result.plan = make_plan(ctx, in, !force);
  if (!force && !result.plan.changed) {
    result.outcome = Outcome::unchanged;
    result.revision = result.plan.from_revision;
    result.instances = instance_views(ctx, serving_instances(ctx, result.plan.from_revision));
    if (on_event)
      on_event({"done",
                fmt::format("{}/{}: revision {} already runs this image and configuration {}; nothing to do{}",
                            ctx.app.app, ctx.app.env, result.plan.from_revision,
                            in.runs > 0 ? "as asked" : "everywhere", in.runs > 0 ? "" : " (--force deploys anyway)")});
    return false;
  }
  strategy::check_supported(*ctx.backend, in.strategy.type, ctx.target.name);
  return true;
}

DeployResult execute(TargetContext& ctx, const ReleaseInput& in, bool force, std::chrono::milliseconds lock_wait,
                     const DeployEventFn& on_event) {
  process::InterruptScope interrupts;
  DeployResult result;
  PhaseTimings timings;
  // Each return hands over the timings so far (the timer adds to `timings`).
  auto done = [&](PhaseTimer& timer) -> DeployResult& {
    timer.close();
    result.timings_ms = timings;
    return result;
  };
  PhaseTimer timer(timings);

  // 0. Whether the targets file's access: lets whoever acts do this here.
  if (!in.governed) govern(ctx, in);
  // 1. The plan.
  timer.enter("plan");
  if (!plan_release(ctx, in, force, result, on_event)) return done(timer);
  // A scale or a failover deploys nothing new: the hooks are the deploys' and the rollbacks'.
  const bool hooks = in.kind == ledger::Kind::deploy || in.kind == ledger::Kind::rollback;
  if (hooks) run_hook(ctx, in, "pre-deploy", {result.plan.next_revision, result.plan.from_revision, ""}, on_event);
  // post-deploy after a deploy that succeeded; post-rollback after a revision was put back.
  auto post_hook = [&](const ledger::Record& rec) {
    if (!hooks) return;
    auto facts = HookFacts{rec.revision, rec.from_revision, std::string(ledger::to_string(rec.outcome))};
    if (rec.outcome == ledger::Outcome::succeeded)
      run_hook(ctx, in, in.kind == ledger::Kind::rollback ? "post-rollback" : "post-deploy", facts, on_event);
    else if (rec.outcome == ledger::Outcome::failed_rolled_back)
      run_hook(ctx, in, "post-rollback", facts, on_event);
  };

  // 2. The lock.
  timer.enter("lock");
  if (on_event)
    on_event({"lock", fmt::format("locking {}/{} on target {}", ctx.app.app, ctx.app.env, ctx.target.name)});
  ReleaseTransaction tx(ctx, fmt::format("{} {}/{}", ledger::to_string(in.kind), ctx.app.app, ctx.app.env), lock_wait);

  try {
    // 3. Under the lock: the ledger as it is now, and the new revision in it.
    timer.enter("record");
    ReleaseState state = record_release(ctx, in, tx, result, on_event);

    // 4. Install everywhere; nothing running changes yet.
    timer.enter("prepare");
    if (!prepare_release(ctx, in, tx, result, on_event)) return done(timer);

    // 5. The strategy; its events say which phase it is in.
    timer.enter("start");
    auto timed = [&](const DeployEvent& e) {
      if (auto phase = PhaseTimer::rollout_phase(e.type); !phase.empty()) timer.enter(phase);
      if (on_event) on_event(e);
    };
    strategy::Result r = rollout_release(ctx, in, state, tx, timed);
    result.interrupted = r.interrupted;

    // 6. Activate, prune, record the outcome; then unlock.
    timer.enter("conclude");
    conclude(ctx, tx.record(), r, state.running, in.strategy, state.records, result, on_event);
    finish_release(tx, tx.record().outcome, tx.record().message, result);
    post_hook(tx.record());
    return done(timer);
  } catch (const Error& e) {
    // Recorded: nothing the strategy did escapes it (it puts back what it touched),
    // so the target serves what it served.
    bool recorded = tx.recorded();
    finish_release(tx, recorded ? ledger::Outcome::failed_rolled_back : ledger::Outcome::failed, e.what(), result);
    if (!recorded || e.kind() == ErrorKind::interrupted) throw;
    post_hook(tx.record());
    return done(timer);
  } catch (...) {
    if (tx.recorded())
      finish_release(tx, ledger::Outcome::failed, "internal error", result);
    else
      tx.release();
    throw;
  }
}

}  // namespace ecp::ops
