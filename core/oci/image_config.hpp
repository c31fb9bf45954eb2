#pragma once
// The image configuration blob (OCI image-spec config.md; Docker's is a superset).
// Known fields are typed; anything else is kept in `extra` so a base image's
// config survives a round trip. to_json is canonical.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/oci/digest.hpp"
#include "core/oci/json.hpp"

namespace ecp::oci {

// The "config" object: how to run a container from the image.
struct RunConfig {
  std::string user;
  std::set<std::string> exposed_ports;  // "8080/tcp"
  std::vector<std::string> env;         // "KEY=value", order kept
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::set<std::string> volumes;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  Json extra = Json::object();  // Healthcheck, Shell, ... as they came
  bool operator==(const RunConfig&) const = default;

  // Sets KEY=value, replacing an existing KEY in place (order stays stable).
  void set_env(std::string_view key, std::string_view value);
  // The value of KEY, or nullptr.
  const std::string* find_env(std::string_view key) const;
};

struct History {
  std::string created;  // RFC 3339
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
  bool operator==(const History&) const = default;
};

struct ImageConfig {
  std::string created;  // RFC 3339; empty = omitted
  std::string author;
  std::string architecture = "amd64";
  std::string os = "linux";
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;
  RunConfig config;
  std::vector<Digest> diff_ids;  // rootfs.diff_ids, one per layer, bottom first
  std::vector<History> history;
  Json extra = Json::object();  // other top-level keys of a base image's config
  bool operator==(const ImageConfig&) const = default;

  // Throws Error(validation) for JSON that is not an image config.
  static ImageConfig from_json(std::string_view text);
};

std::string to_json(const ImageConfig& c);

}  // namespace ecp::oci
