#include <fmt/format.h>

#include "cli/command_tree.hpp"
#include "cli/deploy_output.hpp"
#include "core/ops/plan.hpp"

namespace ecp::cli {

void add_plan(CommandTree& t) {
  auto o = std::make_shared<ops::DeployOptions>();
  auto file = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "plan", "Compute a release plan (and save it for 'ecp apply'); changes nothing",
                    [&g = t.globals, o, file](Output& out) {
                      o->project.descriptor = g.file;
                      o->project.targets = g.targets;
                      auto p = ops::plan(*o, *file);
                      print_plan(out, p);
                      if (!file->empty()) out.info(fmt::format("wrote {}; apply it with: ecp apply {}", *file, *file));
                      out.result({{"plan", plan_json(p)}, {"file", *file}});
                      return 0;
                    });
  cmd->add_option("-e,--env", o->env, "The environment (from ecp.yaml)")->required()->type_name("ENV");
  cmd->add_option("--image", o->image, "An image of ecp's store (APP:TAG or sha256:...); default: as ecp build names it")
      ->type_name("REF");
  cmd->add_option("--revision", o->revision, "Plan the image of ledger revision N")->type_name("N");
  cmd->add_option("--strategy", o->strategy, "Override ecp.yaml's strategy: recreate or rolling")->type_name("NAME");
  cmd->add_option("--out", *file, "Write the plan to FILE (JSON) for 'ecp apply'")->type_name("FILE");
}

void add_apply(CommandTree& t) {
  auto o = std::make_shared<ops::ApplyOptions>();
  auto file = std::make_shared<std::string>();
  auto wait = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "apply", "Carry out a plan from 'ecp plan --out'; refuses a stale plan",
                    [&g = t.globals, o, file, wait](Output& out) {
                      o->project.descriptor = g.file;
                      o->project.targets = g.targets;
                      o->plan_file = *file;
                      o->lock_wait = lock_wait(*wait);
                      o->on_event = deploy_events(out);
                      return finish(out, ops::apply(*o));
                    });
  cmd->add_option("PLAN", *file, "The plan file")->required();
  cmd->add_option("--change-id", o->change_id, "A change or ticket id recorded in the ledger")->type_name("ID");
  cmd->add_option("--lock-wait", *wait, "Wait up to DURATION for another release to finish (default: fail at once)")
      ->type_name("DURATION");
}

}  // namespace ecp::cli
