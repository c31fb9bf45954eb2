#include "core/ops/status.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/ops/canary.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

StatusResult status(const StatusOptions& o) {
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
    if (o.probe && i.state != backend::InstanceState::stopped) probe.push_back({i.ref, i.revision, i.port});
  }
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

}  // namespace ecp::ops
