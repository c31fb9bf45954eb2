// The release engine, as a straight list of steps:
//   1. plan (and stop there when nothing changed);
//   2. take the (app, env) lock, renewed in the background;
//   3. under the lock: re-read the ledger, allocate the revision, record it in-progress
//      together with the rendered configuration;
//   4. prepare: install the release on every location (nothing running changes);
//   5. the strategy moves instances, gated on health, and rolls back what it touched on failure;
//   6. activate (the `current` link) when it succeeded;
//   7. record the outcome, prune old releases, release the lock.
// An interrupt (SIGINT/SIGTERM) is a failure like any other: the strategy puts the
// previous revision back, the outcome is recorded and the lock released; only then
// does the caller learn it was interrupted.
#include "core/ops/deploy_engine.hpp"

#include <fmt/format.h>

#include "core/ops/canary.hpp"
#include "core/strategy/strategy.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/process.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

namespace {

void emit(const DeployEventFn& fn, std::string type, std::string message) {
  if (fn) fn({std::move(type), std::move(message)});
}

ledger::Outcome outcome_of(strategy::Outcome o) {
  switch (o) {
    case strategy::Outcome::succeeded: return ledger::Outcome::succeeded;
    case strategy::Outcome::rolled_back: return ledger::Outcome::failed_rolled_back;
    case strategy::Outcome::failed: return ledger::Outcome::failed;
    case strategy::Outcome::paused: return ledger::Outcome::paused;
  }
  return ledger::Outcome::failed;
}

}  // namespace

std::vector<InstanceView> instance_views(TargetContext& ctx, const std::vector<backend::InstanceSpec>& specs) {
  std::vector<InstanceView> out;
  for (const auto& s : specs)
    out.push_back({s.ref.location, s.ref.slot, s.ref.index, s.port, s.revision,
                   fmt::format("http://{}:{}/", ctx.backend->address(s.ref.location), s.port)});
  return out;
}

std::vector<backend::InstanceSpec> running_instances(const backend::TargetStatus& status) {
  std::vector<backend::InstanceSpec> running;
  for (const auto& s : status.instances)
    if (s.state != backend::InstanceState::stopped && s.revision > 0) running.push_back({s.ref, s.revision, s.port});
  return running;
}

strategy::Input strategy_input(TargetContext& ctx, const ReleaseInput& in,
                               const std::vector<backend::InstanceSpec>& desired,
                               const std::vector<backend::InstanceSpec>& running) {
  strategy::Input si;
  si.type = in.strategy;
  si.batch = in.batch;
  si.max_unavailable = in.max_unavailable;
  si.desired = desired;
  si.running = running;
  si.health = ctx.app.health;
  si.keep = in.keep;
  si.steps = in.steps;
  si.pause = in.pause;
  si.analysis = in.analysis;
  si.manual = in.manual;
  return si;
}

void conclude(TargetContext& ctx, ledger::Record& rec, const strategy::Result& r,
              const std::vector<backend::InstanceSpec>& running, const std::vector<int>& steps,
              std::vector<ledger::Record> records, DeployResult& result, const DeployEventFn& on_event) {
  process::Shield shield;
  rec.outcome = outcome_of(r.outcome);
  rec.message = r.message;
  if (ctx.backend->router()) {
    try {
      result.gateway = ctx.backend->router()->url();
    } catch (const std::exception&) {
      // An external plugin's gateway that cannot say: the outcome matters more.
    }
  }
  if (r.outcome == strategy::Outcome::paused) {
    CanaryState c;
    c.revision = rec.revision;
    c.step = r.step;
    c.steps = steps;
    c.step_started_ms = r.step_started_ms;
    write_canary(ctx, c);
    result.canary_percent = c.percent();
    emit(on_event, "paused", r.message);
    return;
  }
  if (rec.strategy == "canary") clear_canary(ctx);
  if (r.outcome != strategy::Outcome::succeeded) return;
  try {
    ctx.backend->activate(rec.revision);
  } catch (const std::exception& e) {
    log::warn("revision {} runs, but marking it current failed: {}", rec.revision, e.what());
  }
  std::erase_if(records, [&](const ledger::Record& x) { return x.revision == rec.revision; });
  records.push_back(rec);
  std::vector<int> extra = {rec.revision};
  for (const auto& s : running) extra.push_back(s.revision);
  try {
    ctx.backend->cleanup(ledger::revisions_to_keep(records, ctx.app.keep_releases, extra));
  } catch (const std::exception& e) {
    log::warn("removing old releases failed: {}", e.what());
  }
  emit(on_event, "done", fmt::format("revision {} of {}/{} succeeded", rec.revision, ctx.app.app, ctx.app.env));
}

DeployResult execute(TargetContext& ctx, const ReleaseInput& in, bool force, std::chrono::milliseconds lock_wait,
                     const DeployEventFn& on_event) {
  process::InterruptScope interrupts;
  DeployResult result;

  // 1. The plan.
  result.plan = make_plan(ctx, in, !force);
  if (!force && !result.plan.changed) {
    result.outcome = "unchanged";
    result.revision = result.plan.from_revision;
    result.instances = instance_views(ctx, serving_instances(ctx, result.plan.from_revision));
    emit(on_event, "done", fmt::format("{}/{}: revision {} already runs this image and configuration everywhere; "
                                       "nothing to do (--force deploys anyway)",
                                       ctx.app.app, ctx.app.env, result.plan.from_revision));
    return result;
  }
  if (strategy::needs_router(in.strategy) && ctx.backend->router() == nullptr)
    fail(ErrorKind::usage, "strategy '{}' moves traffic and needs a target with a gateway; target '{}' has none "
                           "(use recreate or rolling)",
         in.strategy, ctx.target.name);

  // 2. The lock.
  emit(on_event, "lock", fmt::format("locking {}/{} on target {}", ctx.app.app, ctx.app.env, ctx.target.name));
  auto lock = acquire_lock(ctx, fmt::format("{} {}/{}", in.kind, ctx.app.app, ctx.app.env), lock_wait);

  ledger::Record rec;
  bool recorded = false;
  // Records the outcome and lets go of the lock, whatever happens next.
  auto finish = [&](ledger::Outcome outcome, const std::string& message) {
    process::Shield shield;
    rec.outcome = outcome;
    rec.message = message;
    rec.finished = outcome == ledger::Outcome::paused ? "" : text::rfc3339_ms(ledger::now_ms());
    if (recorded) {
      try {
        ctx.ledger->write(rec);
      } catch (const std::exception& e) {
        log::warn("could not record the outcome of revision {}: {}", rec.revision, e.what());
      }
    }
    lock->release();
    result.outcome = std::string(ledger::to_string(outcome));
    result.message = message;
    result.revision = recorded ? rec.revision : 0;
  };

  try {
    // 3. Under the lock: the ledger as it is now.
    auto records = ctx.ledger->records();
    int next = ctx.ledger->next_revision();
    if (in.expect_next_revision && *in.expect_next_revision != next)
      fail(ErrorKind::validation,
           "the plan is stale: it was made when the ledger of {}/{} was at revision {}, and it is at revision {} "
           "now; make a new plan",
           ctx.app.app, ctx.app.env, *in.expect_next_revision - 1, next - 1);
    auto cur = ledger::current(records);
    auto status = ctx.backend->status();
    if (!status.unreachable.empty()) fail(ErrorKind::io, "cannot release: {}", text::join(status.unreachable, "; "));
    // Only a target with a gateway can have a paused canary.
    if (auto c = ctx.backend->router() ? read_canary(ctx) : std::nullopt)
      fail(ErrorKind::lock_held,
           "a canary of {}/{} (revision {}) is paused at {}%: `ecp canary promote --env {}` moves it on, "
           "`ecp canary abort --env {}` rolls it back",
           ctx.app.app, ctx.app.env, c->revision, c->percent(), ctx.app.env, ctx.app.env);
    auto running = running_instances(status);
    auto desired = release_instances(ctx, in, next, running, records);

    rec.revision = next;
    rec.kind = in.kind == "rollback" ? ledger::Kind::rollback : ledger::Kind::deploy;
    rec.app = ctx.app.app;
    rec.env = ctx.app.env;
    rec.target = ctx.target.name;
    rec.image = in.image.reference;
    rec.image_digest = in.image.digest;
    for (const auto& l : in.image.layers) rec.layers.push_back({l.digest, l.media_type, l.size, l.diff_id});
    rec.config_digest = in.config.digest;
    rec.strategy = in.strategy;
    rec.who = who();
    rec.when = text::rfc3339_ms(ledger::now_ms());
    rec.change_id = in.change_id;
    rec.from_revision = cur ? cur->revision : 0;
    rec.rollback_to = in.rollback_to;
    for (const auto& d : desired) rec.instances.push_back({d.ref.location, d.ref.slot, d.ref.index, d.port});
    ctx.ledger->put_config(in.config.digest, in.config.text);
    ctx.ledger->write(rec);
    recorded = true;
    result.instances = instance_views(ctx, desired);
    emit(on_event, "revision", fmt::format("revision {} of {}/{}: {} {} ({})", next, ctx.app.app, ctx.app.env,
                                           in.kind, in.image.reference, in.image.digest.substr(0, 19)));

    // 4. Install everywhere; nothing running changes yet.
    emit(on_event, "prepare", fmt::format("preparing revision {} on {} location(s)", next,
                                          ctx.backend->locations().size()));
    backend::ReleaseSpec release{
        next, in.image.reference, in.image.digest, in.image.layers, in.config.text, in.config.digest, "", ""};
    if (!ctx.registry_repository.empty()) release.pull_reference = ctx.registry_repository + "@" + in.image.digest;
    try {
      ctx.backend->prepare(release);
    } catch (const Error& e) {
      // Nothing was started: the target serves what it served.
      bool interrupted = e.kind() == ErrorKind::interrupted;
      finish(ledger::Outcome::failed_rolled_back,
             interrupted ? std::string("interrupted while preparing") : std::string(e.what()));
      result.interrupted = interrupted;
      result.message = e.what();
      return result;
    }

    // 5. The strategy.
    strategy::Input si = strategy_input(ctx, in, desired, running);
    si.on_event = [&](const strategy::Event& e) { emit(on_event, e.type, e.message); };
    si.should_stop = [&] { return lock->lost(); };
    emit(on_event, "rollout", fmt::format("{}: {} instance(s) to revision {}", in.strategy, desired.size(), next));
    auto r = strategy::rollout(*ctx.backend, si);
    result.interrupted = r.interrupted;

    // 6.-7. Activate, record, prune; then unlock.
    conclude(ctx, rec, r, running, in.steps, records, result, on_event);
    finish(rec.outcome, rec.message);
    return result;
  } catch (const Error& e) {
    finish(recorded ? ledger::Outcome::failed_rolled_back : ledger::Outcome::failed, e.what());
    if (!recorded || e.kind() == ErrorKind::interrupted) throw;
    return result;
  } catch (...) {
    if (!recorded) lock->release();
    else finish(ledger::Outcome::failed, "internal error");
    throw;
  }
}

}  // namespace ecp::ops
