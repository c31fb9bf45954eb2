#include "cli/release_flags.hpp"
#include "core/ops/rollback.hpp"

namespace ecp::cli {

void add_rollback(CommandTree& t) {
  auto o = std::make_shared<ops::RollbackOptions>();
  auto wait = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "rollback", "Go back to an earlier revision: its image and its configuration",
                    [&g = t.globals, o, wait](Output& out) {
                      wire_release(*o, g, *wait, out);
                      return finish(out, ops::rollback(*o));
                    });
  add_env_flag(cmd, *o);
  cmd->add_option("--to", o->to, "The revision to go back to (default: the previous successful one)")
      ->type_name("REVISION");
  add_release_flags(cmd, *o, *wait);
}

}  // namespace ecp::cli
