#include "cli/release_flags.hpp"
#include "core/ops/scale.hpp"

namespace ecp::cli {

void add_scale(CommandTree& t) {
  auto o = std::make_shared<ops::ScaleOptions>();
  auto wait = std::make_shared<std::string>();
  auto* cmd = t.add(&t.root, "scale",
                    "Run another number of instances of what serves: no new image or configuration, health-gated",
                    [&g = t.globals, o, wait](Output& out) {
                      wire_release(*o, g, *wait, out);
                      return finish(out, ops::scale(*o));
                    });
  add_env_flag(cmd, *o);
  cmd->add_option("--replicas", o->replicas, "Instances per location (0 stops them all)")
      ->required()
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  add_release_flags(cmd, *o, *wait);
}

}  // namespace ecp::cli
