#pragma once
// containers-registries.conf(5), the part ecp uses: [[registry]] entries with
// prefix, location, insecure, blocked, mirror-by-digest-only and their
// [[registry.mirror]] locations. podman, skopeo and buildah read the same file,
// so a mirror set up for them serves ecp's pulls too. Other tables and keys
// (aliases, unqualified-search-registries, ...) are read past.
#include <string>
#include <string_view>
#include <vector>

namespace ecp::registry {

struct MirrorEntry {
  std::string location;  // host[:port][/path]
  bool insecure = false;
  std::string pull_from = "all";  // all, digest-only, tag-only
};

struct RegistryEntry {
  std::string prefix;     // what a reference must start with (the location when not given); may start with "*."
  std::string location;   // where the prefix points ("" with a wildcard prefix: the matched host itself)
  bool insecure = false;  // TLS unchecked, plain HTTP allowed (skopeo's --tls-verify=false)
  bool blocked = false;
  bool mirror_by_digest_only = false;  // pulls by tag go to the location only
  std::vector<MirrorEntry> mirrors;
  int line = 0;
};

struct RegistriesConf {
  std::string file;  // "" when no file was found
  std::vector<RegistryEntry> registries;
};

// $CONTAINERS_REGISTRIES_CONF, else ~/.config/containers/registries.conf, else
// /etc/containers/registries.conf; no file is an empty configuration. A file
// that is not valid TOML of this shape is Error(usage) naming FILE:LINE.
RegistriesConf load_registries_conf();
RegistriesConf parse_registries_conf(std::string_view text, const std::string& file);

// One place to pull REGISTRY/REPOSITORY from.
struct PullSource {
  std::string registry;    // host[:port]
  std::string repository;  // path
  bool insecure = false;
  bool mirror = false;
};

// The places to try, in order: the mirrors of the entry whose prefix matches
// best (longest), then its location. A reference no entry matches is pulled
// from where it names. A blocked entry is Error(usage).
std::vector<PullSource> pull_sources(const RegistriesConf& conf, const std::string& registry,
                                     const std::string& repository, bool by_digest);

// Whether the configuration marks a registry host insecure (as a location or a mirror).
bool insecure_registry(const RegistriesConf& conf, const std::string& registry);

}  // namespace ecp::registry
