// Step 6 of the release engine: what a strategy's result means for the target and
// the ledger. Success makes the revision current and prunes old releases; a
// paused canary keeps its state at the target for `ecp canary promote|abort`.
#include <fmt/format.h>

#include "core/ops/canary.hpp"
#include "core/ops/release_engine.hpp"
#include "core/util/log.hpp"
#include "core/util/process.hpp"

namespace ecp::ops {

namespace {

ledger::Outcome outcome_of(strategy::Outcome o) {
  switch (o) {
    case strategy::Outcome::succeeded:
      return ledger::Outcome::succeeded;
    case strategy::Outcome::rolled_back:
      return ledger::Outcome::failed_rolled_back;
    case strategy::Outcome::failed:
      return ledger::Outcome::failed;
    case strategy::Outcome::paused:
      return ledger::Outcome::paused;
  }
  return ledger::Outcome::failed;
}

void emit(const DeployEventFn& fn, std::string type, std::string message, int revision) {
  if (fn) fn({std::move(type), std::move(message), {}, revision});
}

}  // namespace

void conclude(TargetContext& ctx, ledger::Record& rec, const strategy::Result& r,
              const std::vector<backend::InstanceSpec>& running, const strategy::Settings& strategy,
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
    c.steps = strategy.steps;
    c.step_started_ms = r.step_started_ms;
    write_canary(ctx, c);
    result.canary_percent = c.percent();
    emit(on_event, "paused", r.message, rec.revision);
    return;
  }
  if (strategy.type == strategy::Type::canary) clear_canary(ctx);
  if (r.outcome != strategy::Outcome::succeeded) return;
  // A scale or a failover installed nothing: `current` and the releases kept stay.
  if (rec.runs > 0) {
    emit(on_event, "done", fmt::format("revision {} of {}/{} succeeded", rec.revision, ctx.app.app, ctx.app.env),
         rec.revision);
    return;
  }
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
  emit(on_event, "done", fmt::format("revision {} of {}/{} succeeded", rec.revision, ctx.app.app, ctx.app.env),
       rec.revision);
}

}  // namespace ecp::ops
