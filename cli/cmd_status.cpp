#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/release_flags.hpp"
#include "cli/text_table.hpp"
#include "cli/watch.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/ops/status.hpp"
#include "core/util/clock.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"
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
  if (!s.failover.empty()) out.text(s.failover);
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
// replica set) where it has them.
void print_instances(Output& out, const ops::StatusResult& s) {
  TextTable table({{"INSTANCE"},
                   {"HOST"},
                   {"REVISION", true},
                   {"PID", true},
                   {"STATE"},
                   {"RESTARTS", true},
                   {"HEALTH"},
                   {"SINCE"},
                   {"URL"}},
                  1);  // one space: a status row is wide
  for (const auto& i : s.instances) {
    table.add({fmt::format("{}-{}", i.slot, i.index), i.location, std::to_string(i.revision), std::to_string(i.pid),
               i.state + (i.out_of_rotation ? ",out" : "") + (i.stale ? ",stale" : ""), std::to_string(i.restarts),
               i.health, i.since, i.url + (i.stops_at.empty() ? "" : "  stops at " + i.stops_at)});
    if (i.out_of_rotation) table.note("out of rotation: the gateway took it out for failing (run.circuit)");
    if (i.stale) table.note("stale: the current revision does not count it here (ecp failover stops it)");
    if (i.state == "lost") table.note("lost: its location does not answer (ecp failover starts it elsewhere)");
    if (!i.name.empty())
      table.note(fmt::format("{}{}{}", i.name, i.node.empty() ? "" : " on node " + i.node,
                             i.group.empty() ? "" : " (" + i.group + ")"));
  }
  for (const auto& line : table.lines()) out.text(line);
}

Json instances_json(const ops::StatusResult& s) {
  Json arr = Json::array();
  for (const auto& i : s.instances)
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
                   {"traffic", i.traffic < 0 ? Json(nullptr) : Json(i.traffic)},
                   {"out_of_rotation", i.out_of_rotation},
                   {"stale", i.stale}});
  return arr;
}

// --drift: one line per difference, or that there is none.
void print_drift(Output& out, const ops::StatusOptions& o, const ops::StatusResult& s) {
  if (!o.drift) return;
  if (!s.current) return out.text("drift: nothing released to compare with");
  if (s.drift.empty()) return out.text(fmt::format("drift: none (revision {})", s.current->revision));
  for (const auto& d : s.drift)
    out.text(fmt::format("drift: {}{}: the ledger says {}, the target has {}", d.what,
                         d.instance.empty() ? "" : " of " + d.instance, d.expected, d.actual));
}

Json drift_json(const ops::StatusResult& s) {
  Json arr = Json::array();
  for (const auto& d : s.drift)
    arr.push_back({{"what", d.what}, {"instance", d.instance}, {"expected", d.expected}, {"actual", d.actual}});
  return arr;
}

Json status_json(const ops::StatusResult& s) {
  Json lock = nullptr;
  if (s.lock)
    lock = {{"holder", s.lock->holder},
            {"operation", s.lock->operation},
            {"since", text::rfc3339_ms(s.lock->since_ms)},
            {"expires", text::rfc3339_ms(s.lock->expires_ms)}};
  Json workloads = Json::array();
  for (const auto& w : s.workloads) workloads.push_back(backend::to_json(w));
  return {{"app", s.app},
          {"env", s.env},
          {"target", s.target},
          {"current", record_or_null(s.current)},
          {"latest", record_or_null(s.latest)},
          {"lock", lock},
          {"instances", instances_json(s)},
          {"workloads", workloads},
          {"unreachable", s.unreachable},
          {"current_links", s.current_links},
          {"gateway", s.gateway.empty() ? Json(nullptr) : Json(s.gateway)},
          {"weights", s.weights},
          {"drift", drift_json(s)},
          {"failover", s.failover.empty() ? Json(nullptr) : Json(s.failover)},
          {"canary",
           s.canary_revision ? Json({{"revision", s.canary_revision}, {"percent", s.canary_percent}}) : Json(nullptr)}};
}

struct WatchFlag {
  bool on = false;
  std::string interval = "2s";
};

}  // namespace

void add_status(CommandTree& t) {
  auto o = std::make_shared<ops::StatusOptions>();
  auto w = std::make_shared<WatchFlag>();
  auto* cmd = t.add(&t.root, "status", "Show what runs for an environment: each instance, its revision and health",
                    [&g = t.globals, o, w](Output& out) {
                      o->project = project_of(g);
                      o->on_event = deploy_events(out);  // a failover: auto's progress
                      if (w->on)
                        return watch(out, watch_interval(w->interval, "--interval"), [&out, o](const ShowFn& show) {
                          auto s = ops::status(*o);
                          show();
                          if (out.json()) return out.event("status", status_json(s));
                          print_head(out, s);
                          print_instances(out, s);
                          print_drift(out, *o, s);
                        });
                      auto s = ops::status(*o);
                      print_head(out, s);
                      print_instances(out, s);
                      print_drift(out, *o, s);
                      out.result(status_json(s));
                      return 0;
                    });
  add_env_flag(cmd, *o);
  cmd->add_flag("--no-probe", [o](std::int64_t) { o->probe = false; }, "Do not run the health checks");
  cmd->add_flag("--drift", o->drift,
                "Compare what runs with the ledger: image and config digests, instance count, strays");
  cmd->add_flag("-w,--watch", w->on,
                "Show the status again and again until interrupted: in place on a terminal, a JSON line each "
                "time with -o json");
  cmd->add_option("--interval", w->interval, "Time between two --watch rounds (default 2s)")->type_name("DURATION");
}

}  // namespace ecp::cli
