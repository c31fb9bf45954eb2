#pragma once
// Which layers of an image are the app's own, the ones `ecp build` made: a host
// unpacks only those (it brings its own runtime). They are found by digest,
// never by counting history entries: a base image without history (valid OCI),
// or whose history does not match its layers, would shift such a count onto the
// base's layers and drop the app's.
//
// A build records the diff_ids of its layers, bottom first, in the image config
// label ecp.layers. A build only appends, so they are the image's top layers;
// anything else means the image was changed after ecp built it, and is refused.
// Images of older ecp versions have no label: their layers are told by the
// history entries "ecp build: NAME layer of APP (TYPE)" one build wrote at the
// top, counted from the top (the count does not depend on the base's history).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/oci/digest.hpp"
#include "core/oci/image_config.hpp"

namespace ecp::ops {

inline constexpr std::string_view app_layers_label = "ecp.layers";

// The label's value: "sha256:...,sha256:..." (bottom first).
std::string app_layers_label_value(const std::vector<oci::Digest>& diff_ids);

// The indexes (manifest order, bottom first) of the app's layers in an image of
// `layer_count` layers with this config. An image with no sign of ecp (no
// ecp.layers or ecp.app label, no "ecp build:" history) is all the app's: every
// index. Throws Error(validation) naming `image` when ecp built it but its layers
// cannot be told, or are not what the build recorded.
std::vector<std::size_t> app_layer_indexes(const oci::ImageConfig& config, std::size_t layer_count,
                                           const std::string& image);

}  // namespace ecp::ops
