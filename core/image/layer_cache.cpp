#include "core/image/layer_cache.hpp"

#include "core/oci/json.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"

namespace ecp::image {
namespace {

// Bump when the bytes the writer produces for the same inputs change.
constexpr int format_version = 1;

stdfs::path entry_path(const Store& store, const oci::Digest& key) {
  return store.private_dir() / "cache" / "layers" / (key.hex() + ".json");
}

}  // namespace

oci::Digest layer_cache_key(const std::vector<LayerEntry>& entries, const LayerOptions& o, int level) {
  oci::Json j = oci::Json::object();
  j["v"] = format_version;
  j["compression"] = oci::media::to_string(o.compression);
  j["level"] = level;
  j["epoch"] = o.epoch;
  j["uid"] = o.uid;
  j["gid"] = o.gid;
  oci::Json list = oci::Json::array();
  for (const auto& e : entries) {
    oci::Json x = {{"p", e.path}, {"t", static_cast<int>(e.type)}, {"m", e.mode ? static_cast<int>(*e.mode) : -1}};
    switch (e.type) {
      case LayerEntry::Type::file:
        x["src"] = e.source.string();
        x["size"] = e.stat->size;
        x["mtime"] = e.stat->mtime_ns;
        x["ino"] = e.stat->inode;
        x["mode"] = e.stat->mode;
        break;
      case LayerEntry::Type::bytes: x["sha"] = oci::Sha256::of(e.content).hex(); break;
      case LayerEntry::Type::symlink: x["target"] = e.content; break;
      case LayerEntry::Type::directory: break;
    }
    list.push_back(std::move(x));
  }
  j["entries"] = std::move(list);
  // Source paths need not be valid UTF-8: hash the dump with invalid bytes
  // replaced and the exact paths' digests mixed in separately.
  oci::Sha256 h;
  h.update(j.dump(-1, ' ', false, oci::Json::error_handler_t::replace));
  for (const auto& e : entries) {
    h.update(e.path);
    h.update("\0", 1);
    if (e.type == LayerEntry::Type::file) h.update(e.source.native());
    h.update("\0", 1);
  }
  return h.finish();
}

std::optional<CachedLayer> layer_cache_find(const Store& store, const oci::Digest& key) {
  auto path = entry_path(store, key);
  std::error_code ec;
  if (!stdfs::exists(path, ec)) return std::nullopt;
  try {
    auto j = oci::parse_json(fs::read_file(path, 1 << 20), "layer cache entry");
    CachedLayer c{oci::descriptor_from_json(j.at("descriptor")), oci::Digest::parse(j.at("diff_id").get<std::string>())};
    // The blob must still be there, whole.
    if (store.blob_size(c.descriptor.digest) != c.descriptor.size) return std::nullopt;
    return c;
  } catch (const std::exception& e) {
    log::debug("{}: ignoring a broken layer cache entry: {}", path.string(), e.what());
    return std::nullopt;
  }
}

void layer_cache_put(const Store& store, const oci::Digest& key, const CachedLayer& c) {
  auto path = entry_path(store, key);
  std::error_code ec;
  stdfs::create_directories(path.parent_path(), ec);
  oci::Json j = {{"descriptor", oci::to_json_value(c.descriptor)},
                 {"diff_id", c.diff_id.to_string()},
                 {"blobs", {c.descriptor.digest.to_string()}}};
  try {
    fs::write_file_atomic(path, oci::canonical(j));
  } catch (const Error& e) {
    // A cache that cannot be written costs speed, not correctness.
    log::debug("cannot record the layer in the cache: {}", e.what());
  }
}

}  // namespace ecp::image
