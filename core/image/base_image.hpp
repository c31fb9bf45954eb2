#pragma once
// Reading a base image: "scratch", "oci:PATH[:tag]" (an OCI layout folder) or
// "docker-archive:FILE[:name:tag]" (a `docker save` / `podman save` tarball).
// Its config and layer blobs are copied into the store as they are (never
// recompressed), every digest is verified (a corrupt blob is an Error(build)),
// and the layers pass check_layers (LayerRoot::container: absolute links and the
// rest of what real bases carry are fine) before the base is used.
#include <optional>
#include <string>
#include <string_view>

#include "core/image/layer_check.hpp"
#include "core/image/store.hpp"
#include "core/oci/image_config.hpp"
#include "core/oci/manifest.hpp"

namespace ecp::image {

struct BaseImage {
  std::string spec;                             // as given
  oci::Manifest manifest;                       // layers with OCI media types; config empty for scratch
  oci::ImageConfig config;                      // scratch: empty, for the requested platform
  std::optional<oci::Digest> manifest_digest;   // the base's own manifest digest, when it has one
  bool scratch() const { return manifest.layers.empty() && !manifest.config.digest.valid(); }
};

struct BaseOptions {
  std::string architecture;  // empty: host_architecture(); picks from multi-platform indexes
  std::string os = "linux";
};

// The host's architecture in OCI (Go) names: amd64, arm64, ...
std::string host_architecture();

// Splits "PATH[:tag]" at the first ":" (skopeo's rule), so the tag may hold ":".
std::pair<std::string, std::string> split_path_tag(std::string_view spec);

// Throws Error(build) naming the spec and the blob for a missing or corrupt
// base, Error(usage) for an unknown kind of spec.
BaseImage read_base(const Store& store, std::string_view spec, const BaseOptions& options = {});

// Internals of read_base, one per source kind.
BaseImage read_oci_layout_base(const Store& store, std::string_view spec, const std::string& path,
                               const std::string& tag, const BaseOptions& options);
BaseImage read_docker_archive_base(const Store& store, std::string_view spec, std::string_view rest,
                                   const BaseOptions& options);

}  // namespace ecp::image
