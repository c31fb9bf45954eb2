#pragma once
// `ecp inspect`, `ecp digest` and `ecp tags` (crane's and skopeo's verbs): an
// image's manifest, config and layers, from the local store or a registry,
// every byte verified against its digest; and a repository's tags.
#include <cstdint>
#include <string>
#include <vector>

#include "core/oci/descriptor.hpp"
#include "core/oci/json.hpp"
#include "core/ops/push.hpp"

namespace ecp::ops {

struct InspectOptions {
  RegistryOptions registry;
  std::string reference;  // a tag of the local store, or [REGISTRY/]REPOSITORY[:TAG][@DIGEST]
  std::string platform;   // for an index: os/arch[/variant]; empty: linux and this machine's
  bool remote = false;    // ask the registry even when the store has the tag
};

struct InspectResult {
  std::string reference;  // as looked up (normalised for a registry)
  std::string source;     // "store", or the registry host
  std::string digest;     // of what the reference names (the index, for a multi-platform image)
  std::string media_type;
  std::vector<oci::Descriptor> platforms;  // the index's entries; empty for a single manifest
  std::string manifest_digest;             // of the manifest shown (the platform's, for an index)
  oci::Descriptor config;
  oci::Json config_json;  // the image config as stored
  std::vector<oci::Descriptor> layers;
};

InspectResult inspect(const InspectOptions& options);

// The digest of what the reference names (the index for a multi-platform
// image), as `docker pull REF@DIGEST` takes it: computed from the manifest's
// bytes, not taken from a header.
std::string digest(const InspectOptions& options);

// The tags of [REGISTRY/]REPOSITORY, in the registry's order.
std::vector<std::string> list_tags(const std::string& repository, const RegistryOptions& options);

}  // namespace ecp::ops
