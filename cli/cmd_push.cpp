#include <fmt/format.h>

#include "cli/registry_flags.hpp"
#include "core/ops/push.hpp"

namespace ecp::cli {

void add_push(CommandTree& t) {
  auto opts = std::make_shared<ops::PushOptions>();
  auto args = std::make_shared<std::vector<std::string>>();
  auto* cmd = t.add(&t.root, "push", "Push an image of the local store to registries",
                    [&g = t.globals, opts, args](Output& out) {
                      wire_transfers(*opts, g, out);
                      // One argument is a destination; two or more are IMAGE DEST...
                      opts->image.clear();
                      opts->destinations = *args;
                      if (args->size() >= 2) {
                        opts->image = args->front();
                        opts->destinations.erase(opts->destinations.begin());
                      }
                      auto r = ops::push(*opts);
                      for (const auto& ref : r.references) out.text(fmt::format("{}@{}", ref, r.digest));
                      print_transfer(out, r.stats, "uploaded",
                                     {{"image", r.image},
                                      {"digest", r.digest},
                                      {"references", r.references},
                                      {"manifests_put", r.stats.manifests_put}});
                      return 0;
                    });
  cmd->add_option("REFERENCE", *args,
                  "[IMAGE] DEST...: the store image (APP:TAG; default: the project's, tagged as 'ecp build' tags "
                  "it) and registry references (a missing tag is the image's)")
      ->type_name("[IMAGE] DEST...");
  cmd->add_option("-t,--tag", opts->tag, "The project image's tag (default: as 'ecp build' names it)");
  cmd->add_option("-r,--registry", opts->registry_name, "Push to this registry of the targets file, as URL/APP:TAG")
      ->type_name("REGISTRY");
  add_registry_flags(cmd, opts->registry);
}

}  // namespace ecp::cli
