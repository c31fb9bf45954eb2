#include "core/image/layer_cache.hpp"

#include "core/oci/json.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"

namespace ecp::image {
namespace {

// Bump when the bytes the writer produces for the same inputs change.
constexpr int format_version = 2;

stdfs::path entry_path(const Store& store, const oci::Digest& key) {
  return store.private_dir() / "cache" / "layers" / (key.hex() + ".json");
}

}  // namespace

// The key is a SHA-256 over a length-prefixed binary record of the options and
// every entry: cheap for thousands of files (one hash call, no JSON), and
// unambiguous for any bytes in paths. Local only: never leaves this machine.
oci::Digest layer_cache_key(const std::vector<LayerEntry>& entries, const LayerOptions& o, int level) {
  std::string rec;
  rec.reserve(64 + entries.size() * 128);
  auto num = [&](std::int64_t v) { rec.append(reinterpret_cast<const char*>(&v), sizeof v); };
  auto str = [&](std::string_view v) {
    num(static_cast<std::int64_t>(v.size()));
    rec.append(v);
  };
  num(format_version);
  str(oci::media::to_string(o.compression));
  num(level);
  num(o.epoch);
  num(o.uid);
  num(o.gid);
  num(static_cast<std::int64_t>(entries.size()));
  for (const auto& e : entries) {
    str(e.path);
    num(static_cast<int>(e.type));
    num(e.mode ? static_cast<std::int64_t>(*e.mode) : -1);
    switch (e.type) {
      case LayerEntry::Type::file:
        str(e.source.native());
        num(e.stat->size);
        num(e.stat->mtime_ns);
        num(static_cast<std::int64_t>(e.stat->inode));
        num(e.stat->mode);
        break;
      case LayerEntry::Type::bytes: str(oci::Sha256::of(e.content).hex()); break;
      case LayerEntry::Type::symlink: str(e.content); break;
      case LayerEntry::Type::directory: break;
    }
  }
  return oci::Sha256::of(rec);
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
