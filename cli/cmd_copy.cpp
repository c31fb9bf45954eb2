#include <fmt/format.h>

#include "cli/registry_flags.hpp"
#include "core/ops/copy.hpp"

namespace ecp::cli {

void add_copy(CommandTree& t) {
  auto opts = std::make_shared<ops::CopyOptions>();
  auto* cmd = t.add(&t.root, "copy", "Copy an image between registries (promotion): same digest, no local store",
                    [&g = t.globals, opts](Output& out) {
                      wire_transfers(*opts, g, out);
                      auto r = ops::copy(*opts);
                      out.text(fmt::format("{}@{}", r.destination, r.digest));
                      print_transfer(out, r.stats, "copied",
                                     {{"source", r.source}, {"destination", r.destination}, {"digest", r.digest}});
                      return 0;
                    });
  cmd->add_option("SOURCE", opts->source, "The image to copy: [REGISTRY/]REPOSITORY[:TAG][@DIGEST]")->required();
  cmd->add_option("DESTINATION", opts->destination, "Where to: [REGISTRY/]REPOSITORY[:TAG] (default tag: the source's)")
      ->required();
  add_registry_flags(cmd, opts->registry);
}

}  // namespace ecp::cli
