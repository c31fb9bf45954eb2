#include "cli/deploy_output.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "core/ops/deploy_context.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::cli {

nlohmann::json event_json(const ops::DeployEvent& e) {
  nlohmann::json j = {{"event", e.type}, {"message", e.message}};
  if (e.revision) j["revision"] = e.revision;
  if (!e.instances.empty()) {
    j["instances"] = nlohmann::json::array();
    for (const auto& i : e.instances)
      j["instances"].push_back(
          {{"instance", i.name()}, {"location", i.location}, {"slot", i.slot}, {"index", i.index}});
    // The fields of the one instance an event is about most often, at the top.
    if (e.instances.size() == 1) {
      j["instance"] = e.instances[0].name();
      j["location"] = e.instances[0].location;
      j["slot"] = e.instances[0].slot;
    }
  }
  if (e.type == "healthy" || e.type == "unhealthy") j["health"] = e.type;
  if (e.batches) {
    j["batch"] = e.batch;
    j["batches"] = e.batches;
  }
  return j;
}

ops::DeployEventFn deploy_events(Output& out) {
  return [&out](const ops::DeployEvent& e) {
    if (out.json())
      out.event("deploy", event_json(e));
    else
      out.info(e.message);
  };
}

void print_plan(Output& out, const ops::DeployPlan& p) {
  std::string what = p.kind == ledger::Kind::rollback   ? fmt::format("rollback to revision {}", p.rollback_to)
                     : p.kind == ledger::Kind::scale    ? fmt::format("scale to {} per location", p.replicas)
                     : p.kind == ledger::Kind::failover ? std::string("failover")
                                                        : "deploy";
  out.text(fmt::format("plan: {} {}/{} on target {} as revision {} ({}{})", what, p.app, p.env, p.target,
                       p.next_revision, strategy::to_string(p.strategy),
                       p.strategy == strategy::Type::rolling ? fmt::format(", batch {}", p.batch) : std::string()));
  out.text(fmt::format("  image   {} {}", p.image, p.image_digest));
  out.text(fmt::format("  config  {}", p.config_digest));
  out.text(
      fmt::format("  serving now: {}", p.from_revision ? "revision " + std::to_string(p.from_revision) : "nothing"));
  if (!p.changed) out.text("  nothing changes: this image and configuration already serve everywhere");
  out.text("instances:");
  for (const auto& i : p.instances) {
    std::string change = fmt::format("keep revision {}", i.from_revision);
    if (i.action == ops::InstanceAction::start)
      change = fmt::format("start revision {}", i.to_revision);
    else if (i.action == ops::InstanceAction::replace)
      change = fmt::format("revision {} -> {}", i.from_revision, i.to_revision);
    else if (i.action == ops::InstanceAction::stop)
      change = fmt::format("stop (revision {})", i.from_revision);
    out.text(fmt::format("  {}-{}@{}  port {}  {}", i.slot, i.index, i.location, i.port, change));
  }
  if (p.config.empty()) {
    out.text("config: no change");
  } else {
    out.text("config:");
    for (const auto& c : p.config) {
      if (c.change == config::Change::added)
        out.text(fmt::format("  + {}={}", c.key, c.after));
      else if (c.change == config::Change::removed)
        out.text(fmt::format("  - {}={}", c.key, c.before));
      else
        out.text(fmt::format("  ~ {}: {} -> {}", c.key, c.before, c.after));
    }
  }
}

int finish(Output& out, const ops::DeployResult& r, nlohmann::json extra) {
  nlohmann::json instances = nlohmann::json::array();
  for (const auto& i : r.instances)
    instances.push_back({{"location", i.location},
                         {"slot", i.slot},
                         {"index", i.index},
                         {"port", i.port},
                         {"revision", i.revision},
                         {"url", i.url}});
  using ops::Outcome;
  bool ok = r.outcome == Outcome::succeeded || r.outcome == Outcome::unchanged || r.outcome == Outcome::planned ||
            r.outcome == Outcome::paused || (r.aborted && r.outcome == Outcome::failed_rolled_back);
  ErrorKind kind = r.outcome == Outcome::failed ? ErrorKind::deploy_failed : ErrorKind::deploy_rolled_back;
  if (r.interrupted) kind = ErrorKind::interrupted;
  int code = ok && !r.interrupted ? 0 : exit_code(kind);
  nlohmann::json j = {{"ok", code == 0},
                      {"app", r.plan.app},
                      {"env", r.plan.env},
                      {"target", r.plan.target},
                      {"outcome", ops::to_string(r.outcome)},
                      {"revision", r.revision},
                      {"from_revision", r.plan.from_revision},
                      {"image", r.plan.image},
                      {"image_digest", r.plan.image_digest},
                      {"config_digest", r.plan.config_digest},
                      {"strategy", strategy::to_string(r.plan.strategy)},
                      {"instances", instances}};
  if (!r.gateway.empty()) j["gateway"] = r.gateway;
  if (r.outcome == Outcome::paused) j["canary_percent"] = r.canary_percent;
  if (r.outcome == Outcome::planned) j["plan"] = ops::plan_json(r.plan);
  if (code != 0) j["error"] = {{"message", r.message}, {"exit_code", code}};
  if (!r.timings_ms.empty()) {
    j["timings_ms"] = nlohmann::json::object();
    for (const auto& [phase, ms] : r.timings_ms) j["timings_ms"][phase] = ms;
    out.debug("timings: " +
              text::join(r.timings_ms, ", ", [](const auto& t) { return fmt::format("{} {} ms", t.first, t.second); }));
  }
  j.update(extra);
  out.result(j);
  if (r.outcome == Outcome::planned) {
    print_plan(out, r.plan);
  } else if (ok) {
    if (r.outcome == Outcome::succeeded)
      out.text(fmt::format("revision {} of {}/{} {} ({}, {} instance(s))", r.revision, r.plan.app, r.plan.env,
                           out.green("succeeded"), strategy::to_string(r.plan.strategy), r.instances.size()));
    else if (r.aborted)
      out.text(fmt::format("canary revision {} of {}/{} aborted: the live slot has all the traffic again", r.revision,
                           r.plan.app, r.plan.env));
    else if (r.outcome == Outcome::paused)
      out.text(fmt::format(
          "revision {} of {}/{} {} at {}% of the traffic: ecp canary promote --env {} moves it on, "
          "ecp canary abort --env {} rolls it back",
          r.revision, r.plan.app, r.plan.env, out.green("paused"), r.canary_percent, r.plan.env, r.plan.env));
    else
      out.text(fmt::format("{}/{} unchanged: revision {} already serves this image and configuration", r.plan.app,
                           r.plan.env, r.revision));
    if (!r.gateway.empty()) out.text(fmt::format("  gateway  {}", r.gateway));
    for (const auto& i : r.instances) out.text(fmt::format("  {}-{}@{}  {}", i.slot, i.index, i.location, i.url));
  } else if (!out.json()) {
    // A first release has no previous revision to go back to.
    std::string state = r.outcome != Outcome::failed_rolled_back ? "failed and needs attention"
                        : r.plan.from_revision > 0
                            ? "failed and was rolled back: the previous revision serves"
                            : "failed and was undone: nothing served before it, nothing serves now";
    fmt::print(stderr, "ecp: {} revision {} of {}/{} {}: {}\n", out.red("error:"), r.revision, r.plan.app, r.plan.env,
               state, out.safe(r.message));
  }
  return code;
}

std::chrono::milliseconds lock_wait(const std::string& text) {
  if (text.empty()) return std::chrono::milliseconds{0};
  return ops::parse_duration_arg(text, "--lock-wait");
}

}  // namespace ecp::cli
