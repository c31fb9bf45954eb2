#include <fmt/format.h>

#include "cli/command_tree.hpp"
#include "cli/deploy_output.hpp"
#include "core/ops/canary.hpp"
#include "core/util/error.hpp"

namespace ecp::cli {

namespace {
void add_verb(CommandTree& t, CLI::App* parent, const std::string& name, const std::string& help, bool abort) {
  auto o = std::make_shared<ops::CanaryOptions>();
  auto wait = std::make_shared<std::string>();
  o->abort = abort;
  auto* cmd = t.add(parent, name, help, [&g = t.globals, o, wait](Output& out) {
    o->project.descriptor = g.file;
    o->project.targets = g.targets;
    o->lock_wait = lock_wait(*wait);
    o->on_event = deploy_events(out);
    return finish(out, ops::canary(*o));
  });
  cmd->add_option("-e,--env", o->env, "The environment (from ecp.yaml)")->required()->type_name("ENV");
  if (!abort) cmd->add_flag("--full", o->full, "Once this step's analysis passes, move all traffic at once");
  cmd->add_option("--lock-wait", *wait, "Wait up to DURATION for another release to finish (default: fail at once)")
      ->type_name("DURATION");
}
}  // namespace

void add_canary(CommandTree& t) {
  auto* canary = t.add(&t.root, "canary", "Move a canary paused by --manual on, or abort it",
                       [](Output&) { return exit_code(ErrorKind::usage); });
  canary->require_subcommand(1);
  add_verb(t, canary, "promote", "Judge the canary's step, then move traffic to the next one (or to 100% with --full)",
           false);
  add_verb(t, canary, "abort", "Send all traffic back to the live slot and stop the canary", true);
}

}  // namespace ecp::cli
