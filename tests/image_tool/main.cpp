// ecp-image-tool: drives core/image for integration tests. Not installed.
//   build STORE TAG SRC [--base SPEC] [--compression gzip|zstd|none] [--level N]
//         [--epoch N] [--dest /app] [--layers N]    prints the manifest digest
//   export-oci STORE TAG DIR LAYOUT_TAG | export-docker STORE TAG FILE REPO_TAG
//   check-layer FILE | check-layers host|container FILE... (bottom first)
//   tags STORE | untag STORE TAG | gc STORE | inspect STORE TAG
#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/image/image.hpp"
#include "core/image/layer_check.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

using namespace ecp;
using namespace ecp::image;

namespace {

std::string opt(std::vector<std::string>& args, const std::string& name, std::string fallback) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == name) {
      auto v = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      return v;
    }
  return fallback;
}

// One layer per top-level entry group: with --layers 2, files directly under
// SRC/lib go to the first layer and everything else to the second, written in
// parallel, as the build op will.
int build(std::vector<std::string> a) {
  auto base_spec = opt(a, "--base", "scratch");
  LayerOptions lo;
  lo.compression = parse_compression(opt(a, "--compression", "gzip"));
  lo.level = std::stoi(opt(a, "--level", "-1"));
  lo.epoch = std::stoll(opt(a, "--epoch", "0"));
  auto dest = opt(a, "--dest", "/app");
  int nlayers = std::stoi(opt(a, "--layers", "1"));
  if (a.size() != 3) fail(ErrorKind::usage, "build STORE TAG SRC [options]");
  Store store(a[0]);
  auto base = read_base(store, base_spec);
  stdfs::path src = a[2];
  std::vector<std::vector<LayerEntry>> groups(static_cast<std::size_t>(nlayers));
  if (nlayers == 1) {
    add_tree(groups[0], src, dest, src);
  } else {
    add_tree(groups[0], src, dest, src, [](const stdfs::path& rel, bool) { return *rel.begin() == "lib"; });
    add_tree(groups[1], src, dest, src, [](const stdfs::path& rel, bool) { return *rel.begin() != "lib"; });
  }
  std::vector<NewLayer> layers(groups.size());
  std::vector<std::exception_ptr> errors(groups.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < groups.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        layers[i].layer = write_layer(store, groups[i], lo);
        layers[i].history.created_by = fmt::format("ecp-image-tool layer {}", i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  auto config = base.config;
  config.created = text::rfc3339(lo.epoch);
  config.config.entrypoint = {dest + "/bin/entrypoint.sh"};
  config.config.working_dir = dest;
  config.config.set_env("ECP_APP", "demo");
  auto img = write_image(store, base, config, layers);
  store.tag(a[1], img.descriptor);
  fmt::print("{}\n", img.descriptor.digest.to_string());
  for (const auto& l : layers)
    fmt::print(stderr, "layer {} diff_id {} cached {} files {}\n", l.layer.descriptor.digest.to_string(),
               l.layer.diff_id.to_string(), l.layer.cached, l.layer.files.size());
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  fmt::print(stderr, "maxrss_kb {}\n", ru.ru_maxrss);
  return 0;
}

int run(std::vector<std::string> a) {
  if (a.empty()) fail(ErrorKind::usage, "no command");
  auto cmd = a[0];
  a.erase(a.begin());
  if (cmd == "build") return build(a);
  if (cmd == "check-layer" && a.size() == 1) return check_layer(a[0], a[0]), 0;
  if (cmd == "check-layers" && a.size() >= 2 && (a[0] == "host" || a[0] == "container")) {
    std::vector<LayerFile> files;
    for (std::size_t i = 1; i < a.size(); ++i) files.push_back({a[i], a[i]});
    return check_layers(files, a[0] == "host" ? LayerRoot::host : LayerRoot::container), 0;
  }
  if (a.empty()) fail(ErrorKind::usage, "{}: missing STORE", cmd);
  Store store(a[0]);
  if (cmd == "export-oci" && a.size() == 4) return export_oci_layout(store, load_image(store, a[1]), a[2], a[3]), 0;
  if (cmd == "export-docker" && a.size() == 4)
    return export_docker_archive(store, load_image(store, a[1]), a[2], a[3]), 0;
  if (cmd == "tags") {
    for (const auto& t : store.tags()) fmt::print("{} {}\n", t.name, t.manifest.digest.to_string());
    return 0;
  }
  if (cmd == "untag" && a.size() == 2) return store.untag(a[1]) ? 0 : 1;
  if (cmd == "inspect" && a.size() == 2) {
    fmt::print("{}\n", oci::to_json(load_image(store, a[1]).config));
    return 0;
  }
  if (cmd == "gc") {
    auto r = store.gc();
    fmt::print("removed {} kept {} freed {}\n", r.blobs_removed, r.blobs_kept, r.bytes_freed);
    return 0;
  }
  fail(ErrorKind::usage, "unknown command or wrong arguments: {}", cmd);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return exit_code(e.kind());
  } catch (const std::exception& e) {
    fmt::print(stderr, "internal error: {}\n", e.what());
    return 1;
  }
}
