// `ecp degrade` and `ecp restore`: the apps of lower priority at a target pause
// so the core ones keep serving, and come back (core/ops/degrade.hpp).
#include <fmt/format.h>

#include "cli/release_flags.hpp"
#include "core/ops/degrade.hpp"

namespace ecp::cli {

namespace {

struct DegradeArgs {
  ops::DegradeOptions o;
  std::string wait;
};

int report(Output& out, const ops::DegradeResult& r, bool degrade) {
  nlohmann::json acted = nlohmann::json::array(), left = nlohmann::json::array();
  for (const auto& a : r.acted) {
    acted.push_back({{"app", a.app}, {"env", a.env}, {"priority", a.priority}, {"instances", a.instances}});
    out.text(fmt::format("{} {}/{} (priority {}): {} instance(s) {}", degrade ? "paused" : "restored", a.app, a.env,
                         a.priority, a.instances.size(), degrade ? "stopped, its gateway answers 503" : "healthy"));
  }
  for (const auto& h : r.left)
    left.push_back({{"app", h.app}, {"env", h.env}, {"priority", h.priority}, {"degraded", h.degraded}});
  if (r.acted.empty())
    out.text(fmt::format("nothing to {} on target {} ({} app environment(s) there)", degrade ? "pause" : "restore",
                         r.target, r.left.size()));
  out.result({{"target", r.target}, {degrade ? "degraded" : "restored", acted}, {"untouched", left}});
  return 0;
}

CLI::App* add_one(CommandTree& t, bool degrade, const std::string& help) {
  auto a = std::make_shared<DegradeArgs>();
  auto* cmd = t.add(&t.root, degrade ? "degrade" : "restore", help, [&g = t.globals, a, degrade](Output& out) {
    wire_release(a->o, g, a->wait, out);
    return report(out, degrade ? ops::degrade(a->o) : ops::restore(a->o), degrade);
  });
  cmd->add_option("-t,--target", a->o.target, "The target (from the targets file): every app released there counts")
      ->required()
      ->type_name("TARGET");
  if (degrade) {
    cmd->add_option("--below", a->o.below, "Pause the apps whose priority is below this one (default: normal)")
        ->type_name("PRIORITY:{core,normal,low}");
    cmd->add_option("--reason", a->o.reason, "Why: recorded in each app's ledger and shown on its 503 page")
        ->type_name("TEXT");
  }
  cmd->add_option("--lock-wait", a->wait, "Wait up to DURATION for a release to finish (default: fail at once)")
      ->type_name("DURATION");
  return cmd;
}

}  // namespace

void add_degrade(CommandTree& t) {
  add_one(t, true, "Pause the lower-priority apps of a target so the core ones keep serving (503 at their gateway)");
  add_one(t, false, "Start the apps ecp degrade paused at a target again, health-gated, then route to them");
}

}  // namespace ecp::cli
