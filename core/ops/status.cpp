#include "core/ops/status.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/ops/canary.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/ops/failover.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

namespace {

// The current revision's instances on locations that do not answer are lost;
// one running in its slot that it does not count is stale.
void mark_lost_and_stale(const ledger::Record& cur, const backend::TargetStatus& st, std::vector<InstanceReport>& out) {
  auto counted = [&](const InstanceReport& i) {
    return std::any_of(cur.instances.begin(), cur.instances.end(), [&](const auto& e) {
      return e.location == i.location && e.slot == i.slot && e.index == i.index;
    });
  };
  for (auto& i : out)
    i.stale = i.state != "stopped" && !cur.instances.empty() && i.slot == cur.instances.front().slot && !counted(i);
  for (const auto& e : cur.instances) {
    if (std::find(st.lost.begin(), st.lost.end(), e.location) == st.lost.end()) continue;
    InstanceReport i;
    i.location = e.location;
    i.slot = e.slot;
    i.index = e.index;
    i.port = e.port;
    i.revision = ledger::installed_revision(cur);
    i.state = "lost";
    i.health = "unreachable";
    out.push_back(i);
  }
}

// What the target runs, as the ledger counts it; `auto_failover` is set when the
// environment says failover: auto and instances are lost or stale.
StatusResult read_status(const StatusOptions& o, bool& auto_failover, bool may_fail_over = true) {
  TargetContext ctx = open_target(o.project, o.env);
  StatusResult r;
  r.app = ctx.app.app;
  r.env = ctx.app.env;
  r.target = ctx.target.name;
  auto records = ctx.ledger->records();
  r.current = ledger::current(records);
  if (!records.empty()) r.latest = records.back();
  r.lock = ledger::read_lock(ctx.backend->state());
  auto st = ctx.backend->status();
  r.unreachable = st.unreachable;
  r.workloads = st.workloads;
  r.current_links = st.current;
  std::vector<std::string> out;  // servers the gateway took out of rotation
  if (auto* router = ctx.backend->router()) {
    r.gateway = router->url();
    // A gateway that does not answer is worth a warning, not the whole status.
    try {
      r.weights = router->weights();
      out = router->out_of_rotation();
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      r.unreachable.push_back(fmt::format("gateway: {}", e.what()));
    }
    if (auto c = read_canary(ctx)) {
      r.canary_revision = c->revision;
      r.canary_percent = c->percent();
    }
  }
  std::vector<backend::InstanceSpec> probe;
  for (const auto& i : st.instances) {
    InstanceReport ir;
    ir.location = i.ref.location;
    ir.slot = i.ref.slot;
    ir.index = i.ref.index;
    ir.revision = i.revision;
    ir.port = i.port;
    ir.pid = i.pid;
    ir.state = std::string(backend::to_string(i.state));
    ir.since = i.since;
    ir.restarts = i.restarts;
    ir.health = "not checked";
    ir.url = fmt::format("http://{}:{}/", i.address, i.port);
    ir.stops_at = i.stops_at;
    ir.name = i.name;
    ir.node = i.node;
    ir.group = i.group;
    if (!r.gateway.empty()) ir.traffic = r.weights.count(i.ref.slot) ? r.weights[i.ref.slot] : 0;
    bool v6 = i.address.find(':') != std::string::npos;
    auto server = fmt::format("{}{}{}:{}", v6 ? "[" : "", i.address, v6 ? "]" : "", i.port);
    ir.out_of_rotation = std::find(out.begin(), out.end(), server) != out.end();
    r.instances.push_back(ir);
    if (o.probe && !backend::is_down(i.state)) probe.push_back({i.ref, i.revision, i.port});
  }
  if (r.current) mark_lost_and_stale(*r.current, st, r.instances);
  auto_failover = may_fail_over && ctx.env.failover_auto && r.current &&
                  std::any_of(r.instances.begin(), r.instances.end(),
                              [](const InstanceReport& i) { return i.stale || i.state == "lost"; });
  if (auto_failover) return r;  // read again after the failover
  if (o.drift && r.current) r.drift = drift_of(records, *r.current, st, r.weights);
  if (!probe.empty()) {
    for (const auto& p : ctx.backend->health(probe))
      for (auto& ir : r.instances)
        if (ir.location == p.ref.location && ir.slot == p.ref.slot && ir.index == p.ref.index) {
          ir.health = p.healthy ? "healthy" : "unhealthy";
          ir.health_detail = p.detail;
        }
  }
  return r;
}

}  // namespace

StatusResult status(const StatusOptions& o) {
  bool auto_failover = false;
  StatusResult r = read_status(o, auto_failover);
  if (!auto_failover) return r;
  FailoverOptions f;
  f.project = o.project;
  f.env = o.env;
  f.on_event = o.on_event;
  std::string what;
  try {
    auto d = failover(f);
    what = d.outcome == Outcome::unchanged
               ? "failover: auto found nothing to move"
               : fmt::format("failover: auto recorded revision {}: {}", d.revision,
                             d.message.empty() ? std::string(to_string(d.outcome)) : d.message);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    what = fmt::format("failover: auto failed: {}", e.what());
  }
  r = read_status(o, auto_failover, false);  // what is still lost or stale is shown, not failed over again
  r.failover = what;
  return r;
}

}  // namespace ecp::ops
