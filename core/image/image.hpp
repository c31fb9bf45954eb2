#pragma once
// Images in a Store: assembling one from a base and new layers (pure appends,
// like go-containerregistry's mutate), loading one by tag, and exporting one as
// another OCI layout folder or as a docker-archive tarball.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/image/base_image.hpp"
#include "core/image/layer.hpp"
#include "core/image/store.hpp"
#include "core/oci/image_config.hpp"
#include "core/oci/manifest.hpp"

namespace ecp::image {

struct Image {
  oci::Descriptor descriptor;  // the manifest blob
  oci::Manifest manifest;
  oci::ImageConfig config;
  oci::Descriptor config_descriptor() const { return manifest.config; }
};

struct NewLayer {
  Layer layer;
  oci::History history;  // created_by names what the layer holds
};

// Writes the config and manifest blobs of `base` + `layers`. `config` starts as
// base.config edited by the caller (Env, Entrypoint, Labels...); its diff_ids
// are set to the base's followed by the new layers', and each new layer's
// history entry is appended to config.history. Not tagged.
Image write_image(const Store& store, const BaseImage& base, oci::ImageConfig config,
                  const std::vector<NewLayer>& layers, const std::map<std::string, std::string>& annotations = {});

// Loads a tagged image (or "sha256:<hex>" for a manifest digest).
// Throws Error(usage) when there is no such image.
Image load_image(const Store& store, std::string_view name);

// Copies the image into the OCI layout folder `dir` (created when missing,
// added to when it is a layout already) and tags it `tag` there.
void export_oci_layout(const Store& store, const Image& image, const stdfs::path& dir, std::string_view tag);

// Writes a docker-archive tarball (manifest.json, config, uncompressed layers:
// the format `docker load` and `podman load` read). Each layer's diff_id is
// verified on the way. `repo_tag` ("name:tag") may be empty. Atomic.
void export_docker_archive(const Store& store, const Image& image, const stdfs::path& file,
                           std::string_view repo_tag);

}  // namespace ecp::image
