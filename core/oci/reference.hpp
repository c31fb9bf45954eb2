#pragma once
// Image references as the container ecosystem writes them ("alpine",
// "127.0.0.1:5000/team/app:1.2", "ghcr.io/o/r@sha256:..."), parsed with docker's
// rules (distribution/reference ParseNormalizedNamed): a first component with a
// '.' or ':' or equal to "localhost" is a registry host, else the registry is
// docker.io; a single-component docker.io name gets "library/". Pure: no I/O.
#include <string>
#include <string_view>

#include "core/oci/digest.hpp"

namespace ecp::oci {

inline constexpr std::string_view default_registry = "docker.io";
inline constexpr std::string_view default_tag = "latest";

struct Reference {
  std::string registry;    // "docker.io", "localhost:5000", "[::1]:5000"
  std::string repository;  // "library/alpine", "team/app"
  std::string tag;         // empty when none was written
  Digest digest;           // invalid when none was written

  // registry/repository
  std::string name() const;
  // The full, normalised form: registry/repository[:tag][@digest].
  std::string to_string() const;
  // What a registry's /manifests/<ref> takes: the digest when there is one,
  // else the tag, else "latest".
  std::string identifier() const;
  // The same reference with `tag` set to "latest" when it has neither tag nor digest.
  Reference with_default_tag() const;
  // The same repository with another tag and no digest.
  Reference with_tag(std::string_view tag) const;
  bool operator==(const Reference&) const = default;
};

// Throws Error(validation) "invalid image reference '<text>': <why>".
Reference parse_reference(std::string_view text);

// True for a registry host on this machine: localhost, 127.0.0.0/8, [::1]
// (with or without a port). Such registries may speak plain HTTP (docker's rule).
bool is_loopback_registry(std::string_view registry);

// Checks a tag against the reference grammar ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}).
bool valid_tag(std::string_view tag);

}  // namespace ecp::oci
