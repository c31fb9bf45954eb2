#include "cli/command_tree.hpp"
#include "cli/deploy_output.hpp"
#include "core/ops/rollback.hpp"

namespace ecp::cli {

void add_rollback(CommandTree& t) {
  auto o = std::make_shared<ops::RollbackOptions>();
  auto wait = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "rollback", "Go back to an earlier revision: its image and its configuration",
                    [&g = t.globals, o, wait](Output& out) {
                      o->project.descriptor = g.file;
                      o->project.targets = g.targets;
                      o->lock_wait = lock_wait(*wait);
                      o->on_event = deploy_events(out);
                      return finish(out, ops::rollback(*o));
                    });
  cmd->add_option("-e,--env", o->env, "The environment (from ecp.yaml)")->required()->type_name("ENV");
  cmd->add_option("--to", o->to, "The revision to go back to (default: the previous successful one)")->type_name("N");
  cmd->add_option("--strategy", o->strategy, "Override ecp.yaml's strategy: recreate, rolling, blue-green or canary")
      ->type_name("NAME");
  cmd->add_flag("--dry-run", o->dry_run, "Print the plan and change nothing");
  cmd->add_option("--change-id", o->change_id, "A change or ticket id recorded in the ledger")->type_name("ID");
  cmd->add_option("--lock-wait", *wait, "Wait up to DURATION for another release to finish (default: fail at once)")
      ->type_name("DURATION");
}

}  // namespace ecp::cli
