#pragma once
// Image manifests and indexes (OCI, and Docker schema 2 which has the same shape).
// to_json gives canonical bytes: the manifest digest is the digest of exactly them.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/oci/descriptor.hpp"
#include "core/oci/media_types.hpp"

namespace ecp::oci {

// The largest manifest or index ecp reads: the distribution spec's limit, which
// registries enforce on push.
inline constexpr std::int64_t max_manifest_bytes = std::int64_t(4) << 20;
// The largest image config ecp reads. Real ones are kilobytes (a few hundred
// with a long history); without a cap a descriptor claiming 10^15 bytes would
// be downloaded or read until the disk or the memory gave out.
inline constexpr std::int64_t max_config_bytes = std::int64_t(8) << 20;

struct Manifest {
  int schema_version = 2;
  std::string media_type = std::string(media::oci_manifest);
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
  bool operator==(const Manifest&) const = default;

  // Throws Error(validation) for JSON that is not an image manifest, or whose
  // config descriptor claims more than max_config_bytes.
  static Manifest from_json(std::string_view text);
};

struct Index {
  int schema_version = 2;
  std::string media_type = std::string(media::oci_index);
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
  bool operator==(const Index&) const = default;

  // Throws Error(validation) for JSON that is not an index or manifest list, or
  // when a manifest or index it lists claims more than max_manifest_bytes.
  static Index from_json(std::string_view text);
};

// Canonical bytes (what is pushed and hashed), and the same object to build on.
std::string to_json(const Manifest& m);
std::string to_json(const Index& i);
Json to_json_value(const Manifest& m);
Json to_json_value(const Index& i);

}  // namespace ecp::oci
