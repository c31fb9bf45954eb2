#pragma once
// Checks layer tars (plain, gzip or zstd), bottom first, the way an extractor
// unpacking them one after the other into one root would see them: every entry
// name is resolved through the symlinks made so far by ALL layers (a chain
// a -> b -> ../../x is followed), not lexically. Whiteouts remove links.
//
//  - LayerRoot::container: base image layers. They unpack inside a container's
//    root, where an absolute link means "/ of the container" and ".." stops at
//    it, so absolute and relative symlinks, writes through them, hard links,
//    whiteouts, opaque folders, "./" and "/" entries and device nodes are all
//    fine. Refused: names and hard links leaving the root by "..", whiteouts
//    of "." or "..", entries reached through a symlink loop, and layers that
//    decompress past expansion_limit (expansion.hpp: a compression bomb).
//  - LayerRoot::host: layers ecp itself unpacks on a host, where their "app/"
//    folder becomes a release folder (the agent's tar --strip-components=1
//    app). Nothing may leave that folder: no absolute names or link targets,
//    no entry or hard link reached through a symlink, no symlink that resolves
//    outside it (checked again after the last layer, since a later link can
//    redirect an earlier one), no whiteouts, device nodes or fifos.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ecp::image {

enum class LayerRoot { container, host };

struct LayerFile {
  std::filesystem::path blob;
  std::string what;  // names the layer in errors, e.g. "base image X layer sha256:..."
};

// Throws Error(build) naming the layer's `what` and the entry at the first
// unsafe entry, or when a blob is not a readable tar.
void check_layers(const std::vector<LayerFile>& layers, LayerRoot root);

// One layer on its own.
void check_layer(const std::filesystem::path& blob, std::string_view what, LayerRoot root = LayerRoot::host);

}  // namespace ecp::image
