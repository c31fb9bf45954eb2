#include <fmt/format.h>

#include "cli/command_tree.hpp"
#include "cli/deploy_output.hpp"
#include "core/ops/release.hpp"
#include "core/util/error.hpp"

namespace ecp::cli {

void add_release(CommandTree& t) {
  auto o = std::make_shared<ops::ReleaseOptions>();
  auto wait = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "release", "Build (or reuse), push if needed, deploy and verify: one command for CI",
                    [&g = t.globals, o, wait](Output& out) {
                      o->project.descriptor = g.file;
                      o->project.targets = g.targets;
                      o->lock_wait = lock_wait(*wait);
                      o->on_event = deploy_events(out);
                      auto r = ops::release(*o);
                      nlohmann::json extra = {{"build", {{"reference", r.build.reference}, {"digest", r.build.digest}}},
                                              {"pushed", r.pushed},
                                              {"verified", r.verified}};
                      int code = finish(out, r.deploy, extra);
                      if (code == 0 && !r.verified) {
                        fmt::print(stderr, "ecp: {} the release succeeded but verification failed: {}\n",
                                   out.red("error:"), r.verify_detail);
                        return exit_code(ErrorKind::deploy_failed);
                      }
                      return code;
                    });
  cmd->add_option("-e,--env", o->env, "The environment (from ecp.yaml)")->required()->type_name("ENV");
  cmd->add_option("-t,--tag", o->tag, "Image tag (default: git short sha, +-dirty; else version; else latest)");
  cmd->add_option("--strategy", o->strategy, "Override ecp.yaml's strategy: recreate, rolling, blue-green or canary")
      ->type_name("NAME");
  cmd->add_flag("--force", o->force, "Deploy even when this image and configuration already serve");
  cmd->add_flag("--manual", o->manual, "canary: pause after each step until ecp canary promote (or abort)");
  cmd->add_option("--change-id", o->change_id, "A change or ticket id recorded in the ledger")->type_name("ID");
  cmd->add_option("--lock-wait", *wait, "Wait up to DURATION for another release to finish (default: fail at once)")
      ->type_name("DURATION");
}

}  // namespace ecp::cli
