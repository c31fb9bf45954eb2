#pragma once
// Scans a layer tar (plain, gzip or zstd) for entries that would write outside
// the root when unpacked: absolute or ".." names, hard links leaving the root,
// symlinks pointing out of it, and entries reached through a symlink. Base
// image layers are checked when they are imported, before ecp ever unpacks one.
#include <filesystem>
#include <string_view>

namespace ecp::image {

struct LayerCheckOptions {
  // Absolute symlinks mean "inside the container" to a runtime, but a naive
  // extractor follows them on the host. Refused unless allowed.
  bool allow_absolute_symlinks = false;
};

// Throws Error(build) naming `what` and the entry at the first unsafe entry, or
// when the blob is not a readable tar.
void check_layer(const std::filesystem::path& blob, std::string_view what, const LayerCheckOptions& options = {});

}  // namespace ecp::image
