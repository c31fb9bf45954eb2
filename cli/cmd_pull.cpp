#include <fmt/format.h>

#include "cli/registry_flags.hpp"
#include "core/ops/pull.hpp"

namespace ecp::cli {

void add_pull(CommandTree& t) {
  auto opts = std::make_shared<ops::PullOptions>();
  auto* cmd = t.add(&t.root, "pull", "Pull an image from a registry into the local store, verifying every digest",
                    [&g = t.globals, opts](Output& out) {
                      wire_transfers(*opts, g, out);
                      auto r = ops::pull(*opts);
                      out.text(fmt::format("{} {}", r.reference, r.digest));
                      out.info(fmt::format("{} blobs: {} fetched ({}), {} already in the store", r.blobs,
                                           r.downloaded.size(), human_bytes(r.bytes),
                                           r.blobs - static_cast<int>(r.downloaded.size())));
                      out.result({{"reference", r.reference},
                                  {"digest", r.digest},
                                  {"index_digest", r.index_digest},
                                  {"source", r.source},
                                  {"blobs", r.blobs},
                                  {"downloaded", r.downloaded},
                                  {"bytes", r.bytes}});
                      return 0;
                    });
  cmd->add_option("REFERENCE", opts->reference, "The image: [REGISTRY/]REPOSITORY[:TAG][@DIGEST]")->required();
  cmd->add_option("--platform", opts->platform, "The platform to pick from a multi-platform index (default: "
                                                "linux and this machine's architecture)")
      ->type_name("OS/ARCH[/VARIANT]");
  add_registry_flags(cmd, opts->registry);
}

}  // namespace ecp::cli
