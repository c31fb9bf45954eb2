#include "cli/registry_flags.hpp"
#include "cli/release_flags.hpp"
#include "core/ops/promote.hpp"

namespace ecp::cli {

void add_promote(CommandTree& t) {
  auto o = std::make_shared<ops::PromoteOptions>();
  auto wait = std::make_shared<std::string>();
  auto* cmd =
      t.add(&t.root, "promote", "Release to one environment the image digest another runs, with its own configuration",
            [&g = t.globals, o, wait](Output& out) {
              wire_release(*o, g, *wait, out);
              auto r = ops::promote(*o);
              nlohmann::json extra = {
                  {"promoted_from",
                   {{"env", r.source.env}, {"revision", r.source.revision}, {"image_digest", r.source.image_digest}}},
                  {"image", r.image},
                  {"copied", r.copied}};
              return finish(out, r.deploy, extra);
            });
  cmd->add_option("--from", o->from, "The environment whose revision is promoted")->required()->type_name("ENV");
  cmd->add_option("--to", o->to, "The environment it is released to")->required()->type_name("ENV");
  cmd->add_option("--revision", o->revision, "The source's revision (default: the one that serves there)")
      ->type_name("REVISION")
      ->check(CLI::PositiveNumber);
  add_release_flags(cmd, *o, *wait);
  add_timeout_flag(cmd, o->registry_timeout);  // the copy between registries
}

}  // namespace ecp::cli
