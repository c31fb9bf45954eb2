// Step 1 of the release engine (release_engine.hpp), the plan of a release: what
// changes on which instance, and how the configuration differs from what is
// deployed. Reads only; touches nothing.
#include "core/ops/release_engine.hpp"
#include "core/ops/released_config.hpp"
#include "core/strategy/strategy.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"

namespace ecp::ops {

void set_strategy(ReleaseInput& in, const TargetContext& ctx, std::optional<strategy::Type> override_type) {
  in.strategy = ctx.env.strategy;
  if (override_type) in.strategy.type = *override_type;
  if (in.manual && in.strategy.type != strategy::Type::canary)
    fail(ErrorKind::usage, "--manual pauses a canary between steps; the strategy here is {}",
         strategy::to_string(in.strategy.type));
}

namespace {

// What `cur` deployed, for the plan's configuration changes; "" when it is not
// kept or not as recorded (the plan still shows every key as added then).
std::string deployed_text(TargetContext& ctx, const ledger::Record& cur) {
  try {
    return ctx.ledger->exact_config(cur, fmt::format("the configuration of revision {}", cur.revision)).value_or("");
  } catch (const Error& e) {
    log::warn("{}", e.what());
    return "";
  }
}

// ecp scale changed the count (a failover since keeps it); a release goes back
// to ecp.yaml's, and says so.
void warn_scaled(const ledger::Record& cur, const ReleaseInput& in, const DeployPlan& p) {
  bool kept = cur.kind == ledger::Kind::scale || cur.kind == ledger::Kind::failover;
  if (kept && in.kind != ledger::Kind::scale && in.kind != ledger::Kind::failover && cur.replicas > 0 &&
      cur.replicas != p.replicas)
    log::warn(
        "{}/{} was scaled to {} per location (revision {}); this {} runs ecp.yaml's {} (environments.{}.replicas)",
        p.app, p.env, cur.replicas, cur.revision, ledger::to_string(in.kind), p.replicas, p.env);
}

}  // namespace

ReleaseInput release_of(TargetContext& ctx, const ledger::Record& r, std::vector<std::string> secret_keys) {
  ReleaseInput in;
  in.image = image_of(r);
  // Checked against its record before anything changes (released_config.hpp).
  in.config = released_config(ctx, r, std::move(secret_keys));
  // Its instances run on its own port: as recorded, else as its configuration says.
  int port = r.base_port > 0 ? r.base_port : configured_port(in.config);
  if (port > 0) ctx.app.base_port = port;
  return in;
}

ServingRelease serving_release(const ValidateOptions& files, const std::string& env, ledger::Kind kind,
                               const std::string& what) {
  if (env.empty()) fail(ErrorKind::usage, "which environment? give --env NAME");
  Project project = load_project(files);
  auto secret_keys = declared_secrets(project);
  ServingRelease s{open_target(std::move(project), env, 0), {}, {}};
  auto cur = ledger::current(s.ctx.ledger->records());
  if (!cur) fail(ErrorKind::usage, "{}/{} has nothing released to {}: release it first", s.ctx.app.app, env, what);
  s.current = *cur;
  // Under the lock the ledger must be where it is now: a release that landed
  // meanwhile is not to be scaled or failed over from this older state.
  s.in.expect_next_revision = s.ctx.ledger->next_revision();
  // What serves now, as it was released: its image, its configuration, its port.
  auto expect = s.in.expect_next_revision;
  s.in = release_of(s.ctx, *cur, secret_keys);
  s.in.expect_next_revision = expect;
  s.in.kind = kind;
  s.in.runs = ledger::installed_revision(*cur);
  // In place, in the slot that serves (whatever ecp.yaml's strategy): rolling's
  // batch and max_unavailable still apply.
  set_strategy(s.in, s.ctx, strategy::Type::rolling);
  return s;
}

DeployResult planned(TargetContext& ctx, const ReleaseInput& in) {
  DeployResult r;
  r.plan = make_plan(ctx, in);
  r.outcome = Outcome::planned;
  return r;
}

namespace {

// What a plan says before it looks at the target: the release itself.
DeployPlan plan_head(TargetContext& ctx, const ReleaseInput& in) {
  DeployPlan p;
  p.app = ctx.app.app;
  p.env = ctx.app.env;
  p.target = ctx.target.name;
  p.kind = in.kind;
  p.rollback_to = in.rollback_to;
  p.strategy = in.strategy.type;
  p.batch = in.strategy.batch;
  p.max_unavailable = in.strategy.max_unavailable;
  p.replicas = ctx.env.replicas;
  p.image = in.image.reference;
  p.image_digest = in.image.digest;
  p.config_digest = in.config.digest;
  p.config_fingerprint = fingerprint_at(ctx, in.config);
  for (const auto& l : in.image.layers) p.layers.push_back(l.layer);
  return p;
}

}  // namespace

DeployPlan make_plan(TargetContext& ctx, const ReleaseInput& in, bool probe) {
  DeployPlan p = plan_head(ctx, in);
  auto records = ctx.ledger->records();
  auto cur = ledger::current(records);
  p.next_revision = ctx.ledger->next_revision();
  p.from_revision = cur ? cur->revision : 0;
  if (cur) warn_scaled(*cur, in, p);

  auto status = ctx.backend->status();
  for (const auto& u : status.unreachable) log::warn("{}", u);
  auto running = in.runs > 0 ? scoped_running(ctx, status, running_instances(status, records))
                             : running_instances(status, records);
  auto desired = release_instances(ctx, in, p.next_revision, running, records);
  bool same_release = cur && cur->image_digest == in.image.digest && same_config(ctx, *cur, in.config);
  // A failover works around the locations that are gone.
  bool all_current = status.unreachable.empty() || in.kind == ledger::Kind::failover;
  // Serving the current release: running a revision with its image and configuration.
  auto serves_current = [&](const backend::InstanceStatus& s) {
    if (!cur || s.state != backend::InstanceState::running) return false;
    for (const auto& r : records)
      if (r.revision == s.revision) return r.image_digest == cur->image_digest && ledger::same_config(r, *cur);
    return false;
  };
  for (const auto& d : desired) {
    InstanceChange c{d.ref.location, d.ref.slot, d.ref.index, d.port, 0, d.revision, InstanceAction::start};
    for (const auto& s : status.instances) {
      if (s.ref != d.ref || backend::is_down(s.state)) continue;
      c.from_revision = s.revision;
      c.action = s.revision == d.revision ? InstanceAction::keep : InstanceAction::replace;
    }
    p.instances.push_back(c);
  }
  // What serves now, where this release would leave it alone if nothing changed.
  auto serving_now = strategy::needs_router(in.strategy.type) ? serving_instances(ctx, p.from_revision) : desired;
  std::vector<backend::InstanceSpec> serving;
  for (const auto& d : serving_now)
    for (const auto& s : status.instances)
      if (s.ref == d.ref && s.port == d.port && serves_current(s)) serving.push_back({d.ref, s.revision, s.port});
  for (const auto& s : status.instances) {
    if (backend::is_down(s.state)) continue;
    bool wanted = std::any_of(desired.begin(), desired.end(), [&](const auto& d) { return d.ref == s.ref; });
    bool serves = std::any_of(serving_now.begin(), serving_now.end(), [&](const auto& d) { return d.ref == s.ref; });
    // (A scale or a failover leaves the other slots alone.)
    if (!wanted && !(in.runs > 0 && !desired.empty() && s.ref.slot != desired.front().ref.slot))
      p.instances.push_back({s.ref.location, s.ref.slot, s.ref.index, s.port, s.revision, 0, InstanceAction::stop});
    // With a gateway, a slot it sends no traffic to (the keep window) changes nothing.
    bool elsewhere = ctx.backend->router() && !serving_now.empty() && s.ref.slot != serving_now.front().ref.slot;
    if (!serves && !elsewhere) all_current = false;
  }
  all_current = all_current && serving.size() == serving_now.size();
  if (same_release && all_current && !serving.empty() && probe) {
    // The same image and configuration, running everywhere: healthy too?
    for (const auto& pr : ctx.backend->health(serving)) all_current = all_current && pr.healthy;
  }
  p.changed = !(same_release && all_current);
  if (!p.changed)
    for (auto& c : p.instances) {
      c.action = InstanceAction::keep;
      c.to_revision = c.from_revision;
    }
  // Masked as `ecp config diff ENV --against deployed` masks them (config_deployed.cpp).
  DeployConfig deployed;
  if (cur) deployed = config_from_text(deployed_text(ctx, *cur), cur->config_digest, declared_secrets(ctx.project));
  p.config = config_changes(deployed, in.config);
  return p;
}

}  // namespace ecp::ops
