// Which slot a release runs in: for blue-green and canary the idle one, beside
// the slot the gateway sends traffic to; for recreate and rolling that live slot
// itself (replaced in place, so the gateway keeps sending traffic to it), or "a"
// on a target without a gateway. And which port an instance of a revision has:
// its revision's own, as the ledger recorded it.
#include "core/ops/release_engine.hpp"
#include "core/ops/released_config.hpp"

namespace ecp::ops {

namespace {

// The slot serving now, by the gateway's weights or what runs.
std::string live_slot_of(TargetContext& ctx, const std::vector<backend::InstanceSpec>& running) {
  auto* router = ctx.backend->router();
  return strategy::live_slot(router ? router->weights() : std::map<std::string, int>{}, running);
}

// The same image and configuration as `in`: an instance running `revision` needs no restart.
bool same_release(TargetContext& ctx, const std::vector<ledger::Record>& records, int revision,
                  const ReleaseInput& in) {
  for (const auto& r : records)
    if (r.revision == revision) return r.image_digest == in.image.digest && same_config(ctx, r, in.config);
  return false;
}

}  // namespace

std::vector<backend::InstanceSpec> release_instances(TargetContext& ctx, const ReleaseInput& in, int revision,
                                                     const std::vector<backend::InstanceSpec>& running,
                                                     const std::vector<ledger::Record>& records) {
  // Scale, failover: the serving slot on the installed release its instances
  // run; one that runs this image and configuration keeps running on its own
  // revision (a blue-green rollback's instances run the older one).
  if (in.runs > 0) {
    auto desired = in.kind == ledger::Kind::failover
                       ? in.instances
                       : desired_instances(ctx, ctx.env.replicas, in.runs, serving_slot(ctx));
    for (auto& d : desired)
      for (const auto& r : running)
        if (r.ref == d.ref && r.port == d.port && same_release(ctx, records, r.revision, in)) d.revision = r.revision;
    return desired;
  }
  if (!strategy::needs_router(in.strategy.type))
    return desired_instances(ctx, ctx.env.replicas, revision, serving_slot(ctx));
  auto slot = strategy::idle_slot(live_slot_of(ctx, running));
  auto desired = desired_instances(ctx, ctx.env.replicas, revision, slot);
  for (auto& d : desired)
    for (const auto& r : running)
      if (r.ref == d.ref && r.port == d.port && same_release(ctx, records, r.revision, in)) d.revision = r.revision;
  return desired;
}

int revision_port(const std::vector<ledger::Record>& records, int revision, int fallback) {
  for (const auto& r : records)
    if (r.revision == revision) return r.base_port > 0 ? r.base_port : fallback;
  return fallback;
}

std::vector<backend::InstanceSpec> running_instances(const backend::TargetStatus& status,
                                                     const std::vector<ledger::Record>& records) {
  std::vector<backend::InstanceSpec> running;
  for (const auto& s : status.instances) {
    if (backend::is_down(s.state) || s.revision <= 0) continue;
    // A backend may number ports from today's configuration (the engine does):
    // putting this instance back must use the port its revision ran on.
    int port = s.port;
    if (int base = revision_port(records, s.revision, 0); base > 0) {
      backend::AppSpec app;
      app.base_port = base;
      port = backend::instance_port(app, s.ref);
    }
    running.push_back({s.ref, s.revision, port});
  }
  return running;
}

std::vector<backend::InstanceSpec> scoped_running(TargetContext& ctx, const backend::TargetStatus& status,
                                                  std::vector<backend::InstanceSpec> running) {
  auto slot = serving_slot(ctx);
  std::erase_if(running, [&](const backend::InstanceSpec& r) {
    if (r.ref.slot != slot) return true;
    for (const auto& s : status.instances)
      if (s.ref == r.ref)
        return s.state != backend::InstanceState::running && s.state != backend::InstanceState::starting;
    return true;
  });
  return running;
}

std::string serving_slot(TargetContext& ctx) {
  auto live = live_slot_of(ctx, {});
  return live.empty() ? "a" : live;
}

std::vector<backend::InstanceSpec> serving_instances(TargetContext& ctx, int revision) {
  return desired_instances(ctx, ctx.env.replicas, revision, serving_slot(ctx));
}

}  // namespace ecp::ops
