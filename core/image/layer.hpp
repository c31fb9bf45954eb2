#pragma once
// The reproducible layer writer. Same entries + same options = same bytes, on
// any machine, in any folder, whatever the files' mtimes, owners or the umask:
// - entries sorted by path, every parent folder emitted, paths relative ("app/x");
// - uid/gid from the options (0 by default), no user or group names;
// - modes 0644, or 0755 for folders and executables, unless an entry says otherwise;
// - every mtime = options.epoch (SOURCE_DATE_EPOCH style); no atime, ctime, xattrs;
// - ustar headers, with PAX records only where ustar cannot say it (long or
//   non-ASCII names, huge sizes);
// - gzip (ISA-L, fixed header) or zstd, streaming: memory does not grow with size.
// The compressed digest and size and the uncompressed diff_id come from one pass.
//
// Determinism caveat: compressed bytes are stable for one ISA-L / libzstd
// version on CPUs of the same class; the diff_id is stable everywhere.
#include <cstdint>
#include <string>
#include <vector>

#include "core/image/compress.hpp"
#include "core/image/layer_entry.hpp"
#include "core/image/store.hpp"
#include "core/oci/descriptor.hpp"

namespace ecp::image {

struct LayerOptions {
  Compression compression = Compression::gzip;
  int level = -1;              // -1: default_level(compression)
  std::int64_t epoch = 0;      // mtime of every entry, seconds since 1970
  unsigned uid = 0;
  unsigned gid = 0;
  bool use_cache = true;       // look up and record the layer in the store's layer cache
};

struct Layer {
  oci::Descriptor descriptor;      // the blob in the store
  oci::Digest diff_id;             // digest of the uncompressed tar
  std::vector<std::string> files;  // the entries' image paths ("/app/x", folders end in "/"), sorted
  bool cached = false;             // true when the layer cache answered and nothing was read
};

// Writes one layer into `store` (or finds it in the cache). Thread-safe: the
// build runs one call per layer, in parallel. Throws Error(build) naming the
// file for unreadable sources, files that change while read, and bad paths.
Layer write_layer(const Store& store, std::vector<LayerEntry> entries, const LayerOptions& options = {});

}  // namespace ecp::image
