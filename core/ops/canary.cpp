// `ecp canary promote|abort`, as a straight list of steps:
//   1. open the target, take the lock, read the paused canary and its record;
//   2. rebuild the strategy's input from them (the instances of the record, what
//      runs now, the analysis of today's ecp.yaml);
//   3. promote (judge this step, route the next) or abort (all traffic back);
//   4. record the outcome as a release does (conclude), let go of the lock.
// Steps 1-4 are one ReleaseTransaction, as a release is: the lock is let go
// whatever happens, and the record keeps saying paused unless an outcome came.
#include "core/ops/canary.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/ops/governance.hpp"
#include "core/ops/release_engine.hpp"
#include "core/ops/release_gates.hpp"
#include "core/ops/release_hooks.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"

namespace ecp::ops {

namespace {

const std::string key = "canary.json";

// The result's plan: what the paused canary's record released.
DeployPlan plan_of(const TargetContext& ctx, const ledger::Record& rec) {
  DeployPlan p;
  p.app = ctx.app.app;
  p.env = ctx.app.env;
  p.target = ctx.target.name;
  p.strategy = strategy::Type::canary;
  p.image = rec.image;
  p.image_digest = rec.image_digest;
  p.config_digest = rec.config_digest;
  p.from_revision = rec.from_revision;
  return p;
}

}  // namespace

std::optional<CanaryState> read_canary(TargetContext& ctx) {
  auto text = ctx.backend->state().get(key);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    fail(ErrorKind::io, "the canary state of {}/{} at target '{}' is damaged ({})", ctx.app.app, ctx.app.env,
         ctx.target.name, key);
  CanaryState c;
  c.revision = j.value("revision", 0);
  c.step = j.value("step", 0);
  c.steps = j.value("steps", std::vector<int>{});
  c.step_started_ms = j.value("step_started_ms", std::int64_t{0});
  return c;
}

void write_canary(TargetContext& ctx, const CanaryState& c) {
  nlohmann::json j = {
      {"revision", c.revision}, {"step", c.step}, {"steps", c.steps}, {"step_started_ms", c.step_started_ms}};
  ctx.backend->state().put(key, j.dump() + "\n");
}

void clear_canary(TargetContext& ctx) {
  if (auto text = ctx.backend->state().get(key)) ctx.backend->state().remove_if(key, *text);
}

DeployResult canary(const CanaryOptions& o) {
  if (o.env.empty()) fail(ErrorKind::usage, "which environment? give --env NAME");
  process::InterruptScope interrupts;
  // 1. The target, the lock, the paused canary and its record.
  TargetContext ctx = open_target(o.project, o.env);
  // Moving a canary on is releasing it; taking it back is a rollback (no gates: it restores).
  authorize(ctx, o.abort ? Action::rollback : Action::release);
  if (!ctx.backend->router())
    fail(ErrorKind::usage, "target '{}' has no gateway: there is no canary to {}", ctx.target.name,
         o.abort ? "abort" : "promote");
  ReleaseTransaction tx(ctx, fmt::format("canary {} {}/{}", o.abort ? "abort" : "promote", ctx.app.app, o.env),
                        o.lock_wait);
  auto state = read_canary(ctx);
  if (!state) fail(ErrorKind::usage, "no canary of {}/{} is paused (see ecp history)", ctx.app.app, o.env);
  auto records = ctx.ledger->records();
  std::optional<ledger::Record> rec;
  for (const auto& x : records)
    if (x.revision == state->revision) rec = x;
  if (!rec)
    fail(ErrorKind::io, "{}/{} has no record of revision {}, the paused canary", ctx.app.app, o.env, state->revision);
  tx.adopt(*rec);
  const ledger::Record& r0 = tx.record();

  // 2. The strategy's input, from the record and what runs.
  std::vector<backend::InstanceSpec> desired;
  for (const auto& i : r0.instances) desired.push_back({{i.location, i.slot, i.index}, r0.revision, i.port});
  auto status = ctx.backend->status();
  if (!status.unreachable.empty()) fail(ErrorKind::io, "cannot go on: {}", status.unreachable.front());
  auto running = running_instances(status, records);
  ReleaseInput in;
  set_strategy(in, ctx, strategy::Type::canary);
  // What the hooks are told about the release being moved on.
  in.kind = r0.kind;
  in.image.reference = r0.image;
  in.image.digest = r0.image_digest;
  in.config.digest = r0.config_digest;
  in.change_id = r0.change_id;
  in.emergency = r0.emergency;  // a paused canary released in an emergency goes on as one
  if (!o.abort) check_release_gates(ctx, in.emergency);
  in.strategy.steps = state->steps;
  if (o.full && state->step + 1 < static_cast<int>(in.strategy.steps.size())) {
    in.strategy.steps.resize(state->step + 1);
    in.strategy.steps.push_back(100);
  }
  in.manual = true;
  auto si = strategy_input(ctx, in, desired, running);
  si.resume_step = state->step;
  si.step_started_ms = state->step_started_ms;
  si.on_event = [&](const strategy::Event& e) {
    if (o.on_event) o.on_event(deploy_event(e, r0.revision));
  };
  si.should_stop = [&] { return tx.lost(); };

  DeployResult result;
  result.plan = plan_of(ctx, r0);
  result.instances = instance_views(ctx, desired);

  // 3. Promote or abort.
  auto r =
      o.abort ? strategy::canary_abort(*ctx.backend, si, "aborted by " + who()) : strategy::rollout(*ctx.backend, si);
  result.interrupted = r.interrupted;

  // 4. Record as a release does, unlock.
  conclude(ctx, tx.record(), r, running, in.strategy, records, result, o.on_event);
  ledger::Record done = tx.record();
  finish_release(tx, done.outcome, done.message, result);
  result.aborted = o.abort;

  // 5. The hooks a release runs at its end: the canary's release ends here.
  HookFacts facts{done.revision, done.from_revision, std::string(ledger::to_string(done.outcome))};
  if (done.outcome == ledger::Outcome::succeeded)
    run_hook(ctx, in, "post-deploy", facts, o.on_event);
  else if (done.outcome == ledger::Outcome::failed_rolled_back)
    run_hook(ctx, in, "post-rollback", facts, o.on_event);
  return result;
}

}  // namespace ecp::ops
