#include <fmt/format.h>

#include "cli/command_tree.hpp"
#include "cli/registry_flags.hpp"
#include "core/ops/build.hpp"

namespace ecp::cli {

void add_build(CommandTree& t) {
  auto opts = std::make_shared<ops::BuildOptions>();
  auto* cmd = t.add(&t.root, "build", "Build the app's OCI image into the local store (daemonless, reproducible)",
                    [&g = t.globals, opts](Output& out) {
                      opts->project = project_of(g);
                      auto r = ops::build(*opts);
                      nlohmann::json layers = nlohmann::json::array();
                      for (const auto& l : r.layers) {
                        layers.push_back({{"name", l.name},
                                          {"digest", l.digest},
                                          {"diff_id", l.diff_id},
                                          {"size", l.size},
                                          {"media_type", l.media_type},
                                          {"cached", l.cached},
                                          {"files", l.files}});
                        out.info(fmt::format("  layer {:<16} {} {:>12} bytes{}", l.name, l.digest.substr(7, 12),
                                             l.size, l.cached ? " (cached)" : ""));
                      }
                      out.text(fmt::format("{} {}", r.reference, r.digest));
                      out.result({{"reference", r.reference},
                                  {"digest", r.digest},
                                  {"size", r.size},
                                  {"revision", r.revision},
                                  {"created", r.created},
                                  {"base", r.base},
                                  {"layers", layers}});
                      return 0;
                    });
  cmd->add_option("-t,--tag", opts->tag, "Image tag (default: git short sha, +-dirty; else version; else latest)");
  cmd->add_option("--git-ref", opts->git_ref, "Build this commit or tag from git's object database, not the work tree")
      ->type_name("REF");
  cmd->add_option("--compression", opts->compression, "Layer compression")
      ->check(CLI::IsMember({"gzip", "zstd"}))
      ->type_name("ALGO");
  cmd->add_option("--level", opts->level, "Compression level (gzip 0-3 with ISA-L, zstd 1-19)")->type_name("N");
  cmd->add_option("--oci-layout", opts->oci_layout, "Also export the image to an OCI layout folder")
      ->type_name("DIR[:TAG]");
  cmd->add_option("--tarball", opts->tarball, "Also export a docker-archive tarball (podman load reads it)")
      ->type_name("FILE");
  cmd->add_option("--image-refs", opts->image_refs,
                  "Also write the built reference by digest (NAME:TAG@sha256:...) to FILE, for scripts")
      ->type_name("FILE");
  cmd->add_flag("--no-cache", [opts](std::int64_t) { opts->use_cache = false; },
                "Ignore the layer cache and re-read every file");
  add_timeout_flag(cmd, opts->registry_timeout);  // a registry base image is pulled first
}

}  // namespace ecp::cli
