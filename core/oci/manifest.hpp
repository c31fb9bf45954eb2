#pragma once
// Image manifests and indexes (OCI, and Docker schema 2 which has the same shape).
// to_json gives canonical bytes: the manifest digest is the digest of exactly them.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/oci/descriptor.hpp"
#include "core/oci/media_types.hpp"

namespace ecp::oci {

struct Manifest {
  int schema_version = 2;
  std::string media_type = std::string(media::oci_manifest);
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
  bool operator==(const Manifest&) const = default;

  // Throws Error(validation) for JSON that is not an image manifest.
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

  // Throws Error(validation) for JSON that is not an index or manifest list.
  static Index from_json(std::string_view text);
};

// Canonical bytes (what is pushed and hashed), and the same object to build on.
std::string to_json(const Manifest& m);
std::string to_json(const Index& i);
Json to_json_value(const Manifest& m);
Json to_json_value(const Index& i);

}  // namespace ecp::oci
