#pragma once
// A content descriptor: what a manifest or index says about a blob it refers to.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/oci/digest.hpp"
#include "core/oci/json.hpp"

namespace ecp::oci {

struct Platform {
  std::string architecture;  // Go names: amd64, arm64, ...
  std::string os;            // linux
  std::string variant;       // v8, ...; empty when none
  std::string os_version;
  std::vector<std::string> os_features;
  bool operator==(const Platform&) const = default;
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  std::int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
  std::string artifact_type;
  bool operator==(const Descriptor&) const = default;
};

Json to_json_value(const Platform& p);
Json to_json_value(const Descriptor& d);
Platform platform_from_json(const Json& j);
// Throws Error(validation) for a missing media type, a bad digest or a negative size.
Descriptor descriptor_from_json(const Json& j, std::string_view what = "descriptor");

}  // namespace ecp::oci
