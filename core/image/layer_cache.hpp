#pragma once
// The layer cache: a layer's key is a digest of its settings and, for each
// entry, its image path, type and mode plus the source file's path, size,
// mtime_ns, inode and st_mode (or the bytes' digest, or the symlink target).
// A hit costs the stats already made to collect the entries: no file is read.
// Entries live in <store>/.ecp/cache/layers/<key>.json and name their blob, so
// gc drops them with it.
#include <optional>
#include <vector>

#include "core/image/layer.hpp"

namespace ecp::image {

// `entries` must be the normalised, sorted list the writer uses; every file has its stat.
oci::Digest layer_cache_key(const std::vector<LayerEntry>& entries, const LayerOptions& options, int level);

struct CachedLayer {
  oci::Descriptor descriptor;
  oci::Digest diff_id;
};

std::optional<CachedLayer> layer_cache_find(const Store& store, const oci::Digest& key);
void layer_cache_put(const Store& store, const oci::Digest& key, const CachedLayer& layer);

}  // namespace ecp::image
