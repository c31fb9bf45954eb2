// Where a release's image comes from: ecp's store (by tag or digest), or a ledger
// record (a rollback: the layers are on the hosts already, or in the store).
#include <algorithm>

#include "core/image/image.hpp"
#include "core/image/store.hpp"
#include "core/ops/app_layers.hpp"
#include "core/ops/git_source.hpp"
#include "core/ops/release_engine.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

namespace ecp::ops {

namespace {
std::filesystem::path store_dir() { return fs::ecp_home() / "store"; }
}  // namespace

ResolvedImage resolve_image(const std::string& reference) {
  image::Store store(store_dir());
  image::Image img = image::load_image(store, reference);
  ResolvedImage r;
  r.reference = reference;
  r.digest = img.descriptor.digest.to_string();
  // Only the layers `ecp build` made (told by digest): a base image's layers (a
  // JDK, nginx) are not unpacked on hosts, which bring their own runtime.
  for (std::size_t n : app_layer_indexes(img.config, img.manifest.layers.size(), reference)) {
    const auto& l = img.manifest.layers[n];
    oci::Digest diff_id =
        img.config.diff_ids.size() == img.manifest.layers.size() ? img.config.diff_ids[n] : oci::Digest();
    r.layers.push_back({oci::layer_ref(l, diff_id), store.blob_path(l.digest).string()});
  }
  return r;
}

std::string default_image_reference(const ValidateOptions& files, const Project& project) {
  auto dir = std::filesystem::absolute(files.descriptor).parent_path();
  GitInfo git = git_describe(dir);
  const auto& d = project.descriptor;
  std::string tag = git.in_repo ? git.default_tag() : (d.version.empty() ? "latest" : d.version);
  return d.app + ":" + tag;
}

ResolvedImage image_of(const ledger::Record& rec) {
  ResolvedImage r;
  r.reference = rec.image;
  r.digest = rec.image_digest;
  std::optional<image::Store> store;
  std::error_code ec;
  if (std::filesystem::exists(store_dir() / "index.json", ec)) store.emplace(store_dir());
  for (const auto& l : rec.layers) {
    const oci::Digest& d = l.descriptor.digest;
    std::string path = store && d.valid() && store->has_blob(d) ? store->blob_path(d).string() : "";
    r.layers.push_back({l, path});
  }
  return r;
}

int configured_port(const DeployConfig& c) {
  auto it = std::find_if(c.values.begin(), c.values.end(), [](const auto& kv) { return kv.first == "LISTEN_PORT"; });
  if (it == c.values.end()) return 0;
  const std::string& v = it->second;
  if (v.empty() || v.size() > 5 || !std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return 0;
  int port = std::stoi(v);
  return port >= 1 && port <= 65535 ? port : 0;
}

}  // namespace ecp::ops
