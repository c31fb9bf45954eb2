#include "cli/command_tree.hpp"
#include "cli/deploy_output.hpp"
#include "core/ops/deploy.hpp"

namespace ecp::cli {

void add_deploy(CommandTree& t) {
  auto o = std::make_shared<ops::DeployOptions>();
  auto wait = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "deploy", "Release an image and the environment's configuration to its target",
                    [&g = t.globals, o, wait](Output& out) {
                      o->project.descriptor = g.file;
                      o->project.targets = g.targets;
                      o->lock_wait = lock_wait(*wait);
                      o->on_event = deploy_events(out);
                      return finish(out, ops::deploy(*o));
                    });
  cmd->add_option("-e,--env", o->env, "The environment (from ecp.yaml)")->required()->type_name("ENV");
  cmd->add_option("--image", o->image, "An image of ecp's store (APP:TAG or sha256:...); default: as ecp build names it")
      ->type_name("REF");
  cmd->add_option("--revision", o->revision, "Deploy the image of ledger revision N (with today's configuration)")
      ->type_name("N");
  cmd->add_option("--strategy", o->strategy, "Override ecp.yaml's strategy: recreate, rolling, blue-green or canary")->type_name("NAME");
  cmd->add_flag("--dry-run", o->dry_run, "Print the plan (instances, configuration diff) and change nothing");
  cmd->add_flag("--force", o->force, "Deploy even when this image and configuration already serve");
  cmd->add_flag("--manual", o->manual, "canary: pause after each step until ecp canary promote (or abort)");
  cmd->add_option("--change-id", o->change_id, "A change or ticket id recorded in the ledger")->type_name("ID");
  cmd->add_option("--lock-wait", *wait, "Wait up to DURATION for another release to finish (default: fail at once)")
      ->type_name("DURATION");
}

}  // namespace ecp::cli
