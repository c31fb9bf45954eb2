#include <fmt/format.h>

#include "cli/release_flags.hpp"
#include "core/ops/status.hpp"
#include "core/util/text.hpp"

namespace ecp::cli {

namespace {

using Json = nlohmann::json;

Json record_or_null(const std::optional<ecp::ledger::Record>& r) {
  if (!r) return nullptr;
  return ledger::record_json(*r);
}

// The head lines: what serves, the last attempt, the lock, the gateway, a paused canary.
void print_head(Output& out, const ops::StatusResult& s) {
  std::string head = fmt::format("{}/{} on target {}: ", s.app, s.env, s.target);
  if (s.current)
    head += fmt::format("revision {} ({} {}, {} by {})", s.current->revision, ledger::to_string(s.current->kind),
                        s.current->image, s.current->finished.empty() ? s.current->when : s.current->finished,
                        s.current->who);
  else
    head += "nothing released yet";
  out.text(head);
  if (s.latest && (!s.current || s.latest->revision != s.current->revision))
    out.text(fmt::format("last attempt: revision {} {}{}", s.latest->revision, ledger::to_string(s.latest->outcome),
                         s.latest->message.empty() ? "" : ": " + s.latest->message));
  if (s.lock)
    out.text(fmt::format("lock: held by {} since {} ({}, lease until {})", s.lock->holder,
                         text::rfc3339_ms(s.lock->since_ms), s.lock->operation, text::rfc3339_ms(s.lock->expires_ms)));
  for (const auto& u : s.unreachable) out.warn(u);
  if (!s.gateway.empty()) {
    std::string w =
        text::join(s.weights, ", ", [](const auto& sp) { return fmt::format("slot {} {}%", sp.first, sp.second); });
    out.text(fmt::format("gateway: {} ({})", s.gateway, w.empty() ? "not set up yet" : w));
  }
  if (s.canary_revision)
    out.text(fmt::format("canary: revision {} paused at {}% (ecp canary promote or abort)", s.canary_revision,
                         s.canary_percent));
  for (const auto& w : s.workloads)
    out.text(fmt::format("{} (slot {}): revision {}, {}/{} ready, {} updated", w.name, w.slot, w.revision, w.ready,
                         w.replicas, w.updated));
}

// One line per instance, and under it the platform's names for it (pod, node,
// replica set) where it has them; returns the instances as JSON.
Json print_instances(Output& out, const ops::StatusResult& s) {
  Json arr = Json::array();
  const char* row = "{:<8} {:<28} {:>8} {:>8} {:<8} {:>8} {:<10} {:<20} {}";
  if (!s.instances.empty())
    out.text(fmt::format(fmt::runtime(row), "INSTANCE", "HOST", "REVISION", "PID", "STATE", "RESTARTS", "HEALTH",
                         "SINCE", "URL"));
  for (const auto& i : s.instances) {
    out.text(fmt::format(fmt::runtime(row), fmt::format("{}-{}", i.slot, i.index), i.location, i.revision, i.pid,
                         i.state, i.restarts, i.health, i.since,
                         i.url + (i.stops_at.empty() ? "" : "  stops at " + i.stops_at)));
    if (!i.name.empty())
      out.text(fmt::format("{:<8} {}{}{}", "", i.name, i.node.empty() ? "" : " on node " + i.node,
                           i.group.empty() ? "" : " (" + i.group + ")"));
    arr.push_back({{"location", i.location},
                   {"slot", i.slot},
                   {"index", i.index},
                   {"revision", i.revision},
                   {"port", i.port},
                   {"pid", i.pid},
                   {"state", i.state},
                   {"since", i.since},
                   {"restarts", i.restarts},
                   {"health", i.health},
                   {"health_detail", i.health_detail},
                   {"url", i.url},
                   {"stops_at", i.stops_at},
                   {"name", i.name},
                   {"node", i.node},
                   {"group", i.group},
                   {"traffic", i.traffic < 0 ? Json(nullptr) : Json(i.traffic)}});
  }
  return arr;
}

}  // namespace

void add_status(CommandTree& t) {
  auto o = std::make_shared<ops::StatusOptions>();
  auto* cmd = t.add(&t.root, "status", "Show what runs for an environment: each instance, its revision and health",
                    [&g = t.globals, o](Output& out) {
                      o->project = project_of(g);
                      auto s = ops::status(*o);
                      print_head(out, s);
                      Json instances = print_instances(out, s);
                      Json lock = nullptr;
                      if (s.lock)
                        lock = {{"holder", s.lock->holder},
                                {"operation", s.lock->operation},
                                {"since", text::rfc3339_ms(s.lock->since_ms)},
                                {"expires", text::rfc3339_ms(s.lock->expires_ms)}};
                      Json workloads = Json::array();
                      for (const auto& w : s.workloads) workloads.push_back(backend::to_json(w));
                      out.result({{"app", s.app},
                                  {"env", s.env},
                                  {"target", s.target},
                                  {"current", record_or_null(s.current)},
                                  {"latest", record_or_null(s.latest)},
                                  {"lock", lock},
                                  {"instances", instances},
                                  {"workloads", workloads},
                                  {"unreachable", s.unreachable},
                                  {"current_links", s.current_links},
                                  {"gateway", s.gateway.empty() ? Json(nullptr) : Json(s.gateway)},
                                  {"weights", s.weights},
                                  {"canary", s.canary_revision ? Json({{"revision", s.canary_revision},
                                                                       {"percent", s.canary_percent}})
                                                               : Json(nullptr)}});
                      return 0;
                    });
  add_env_flag(cmd, *o);
  cmd->add_flag("--no-probe", [o](std::int64_t) { o->probe = false; }, "Do not run the health checks");
}

}  // namespace ecp::cli
