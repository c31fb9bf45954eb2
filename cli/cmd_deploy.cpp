#include "cli/release_flags.hpp"
#include "core/ops/deploy.hpp"

namespace ecp::cli {

void add_deploy(CommandTree& t) {
  auto o = std::make_shared<ops::DeployOptions>();
  auto wait = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "deploy", "Release an image and the environment's configuration to its target",
                    [&g = t.globals, o, wait](Output& out) {
                      wire_release(*o, g, *wait, out);
                      return finish(out, ops::deploy(*o));
                    });
  add_env_flag(cmd, *o);
  cmd->add_option("--image", o->image,
                  "An image of ecp's store (APP:TAG or sha256:...); default: as ecp build names it")
      ->type_name("IMAGE");
  cmd->add_option("--revision", o->revision, "Deploy the image of ledger revision N (with today's configuration)")
      ->type_name("REVISION");
  add_release_flags(cmd, *o, *wait, "Print the plan (instances, configuration diff) and change nothing");
}

}  // namespace ecp::cli
