#include <fmt/format.h>

#include "cli/command_tree.hpp"
#include "core/ops/copy.hpp"

namespace ecp::cli {

void add_registry_flags(CLI::App* cmd, ops::RegistryOptions& o, bool transfers = true);
ops::TransferFn make_transfer_renderer(Output& out, bool quiet);
std::string human_bytes(std::int64_t n);

void add_copy(CommandTree& t) {
  auto opts = std::make_shared<ops::CopyOptions>();
  auto* cmd = t.add(&t.root, "copy", "Copy an image between registries (promotion): same digest, no local store",
                    [&g = t.globals, opts](Output& out) {
                      opts->registry.project.descriptor = g.file;
                      opts->registry.project.targets = g.targets;
                      opts->on_event = make_transfer_renderer(out, g.quiet);
                      auto r = ops::copy(*opts);
                      const auto& s = r.stats;
                      out.text(fmt::format("{}@{}", r.destination, r.digest));
                      out.info(fmt::format("{} blobs: {} already there, {} mounted, {} copied ({})", s.blobs,
                                           s.existing, s.mounted, s.uploaded, human_bytes(s.bytes_uploaded)));
                      out.result({{"source", r.source},
                                  {"destination", r.destination},
                                  {"digest", r.digest},
                                  {"blobs", s.blobs},
                                  {"existing", s.existing},
                                  {"mounted", s.mounted},
                                  {"copied", s.uploaded},
                                  {"bytes_copied", s.bytes_uploaded}});
                      return 0;
                    });
  cmd->add_option("SOURCE", opts->source, "The image to copy: [REGISTRY/]REPOSITORY[:TAG][@DIGEST]")->required();
  cmd->add_option("DESTINATION", opts->destination, "Where to: [REGISTRY/]REPOSITORY[:TAG] (default tag: the source's)")
      ->required();
  add_registry_flags(cmd, opts->registry);
}

}  // namespace ecp::cli
