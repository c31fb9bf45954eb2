// Steps 4 and 5 of the release engine: install the release everywhere, then let
// the strategy move the instances to it.
#include <fmt/format.h>

#include <chrono>

#include "core/ops/prometheus.hpp"
#include "core/ops/release_engine.hpp"
#include "core/strategy/strategy.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

strategy::Input strategy_input(TargetContext& ctx, const ReleaseInput& in,
                               const std::vector<backend::InstanceSpec>& desired,
                               const std::vector<backend::InstanceSpec>& running) {
  strategy::Input si;
  si.settings = in.strategy;
  si.desired = desired;
  si.running = running;
  si.health = ctx.app.health;
  si.manual = in.manual;
  const auto& a = in.strategy.analysis;
  if (ctx.target.prometheus && (!a.error_rate_query.empty() || !a.p95_query.empty())) {
    si.metrics = [prometheus = *ctx.target.prometheus, a, app = ctx.app.app, env = ctx.app.env](
                     const std::string& slot, int revision, std::int64_t since_ms) {
      auto now =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
      strategy::QueryVars vars{app, env, slot, revision, now - std::chrono::milliseconds(since_ms)};
      return judge_metrics(prometheus, a, vars);
    };
  }
  return si;
}

bool prepare_release(TargetContext& ctx, const ReleaseInput& in, ReleaseTransaction& tx, DeployResult& result,
                     const DeployEventFn& on_event) {
  int revision = tx.record().revision;
  if (in.runs > 0) {  // scale, failover: the instances run what is installed
    if (on_event)
      on_event({"prepare",
                fmt::format("nothing to install: the instances run revision {}'s release", in.runs),
                {},
                revision});
    return true;
  }
  if (on_event)
    on_event({"prepare",
              fmt::format("preparing revision {} on {} location(s)", revision, ctx.backend->locations().size()),
              {},
              revision});
  backend::ReleaseSpec release{revision,
                               in.image.reference,
                               in.image.digest,
                               in.image.layers,
                               in.config.text,
                               in.config.digest,
                               tx.record().config_fingerprint,
                               "",
                               ""};
  // With a registry on the target, `ecp release` pushed the image there and the
  // backend may pull it by digest instead of receiving the blobs from ecp.
  if (!ctx.registry_repository.empty()) release.pull_reference = ctx.registry_repository + "@" + in.image.digest;
  try {
    ctx.backend->prepare(release);
    return true;
  } catch (const Error& e) {
    // Nothing was started: the target serves what it served.
    bool interrupted = e.kind() == ErrorKind::interrupted;
    finish_release(tx, ledger::Outcome::failed_rolled_back,
                   interrupted ? std::string("interrupted while preparing") : std::string(e.what()), result);
    result.interrupted = interrupted;
    result.message = e.what();
    return false;
  }
}

DeployEvent deploy_event(const strategy::Event& e, int revision) {
  return {e.type, e.message, e.instances, revision, e.batch, e.batches};
}

strategy::Result rollout_release(TargetContext& ctx, const ReleaseInput& in, const ReleaseState& state,
                                 ReleaseTransaction& tx, const DeployEventFn& on_event) {
  strategy::Input si = strategy_input(ctx, in, state.desired, state.running);
  si.on_event = [&](const strategy::Event& e) {
    if (on_event) on_event(deploy_event(e, tx.record().revision));
  };
  si.should_stop = [&] { return tx.lost(); };
  if (on_event)
    on_event({"rollout",
              fmt::format("{}: {} instance(s) to revision {}", strategy::to_string(in.strategy.type),
                          state.desired.size(), tx.record().revision),
              {},
              tx.record().revision});
  return strategy::rollout(*ctx.backend, si);
}

}  // namespace ecp::ops
