#pragma once
// Rendering: resolved entries -> final values (secrets fetched) -> the
// autoconfig.properties text and its config digest. The digest is what a release
// records beside the image digest, so it must be the same on every machine for
// the same values: SHA-256 over the file's exact bytes, keys in byte order.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/resolve.hpp"
#include "core/config/secrets.hpp"

namespace ecp::config {

struct RenderedValue {
  std::string key;
  std::string value;  // the real value, a resolved secret included
  bool secret = false;
  std::string reference;  // the secret reference as written; empty for plain values
  Origin origin;          // where the winning value is written
  // What may be shown: the value, or mask(value) for a secret.
  std::string shown() const { return secret ? mask(value) : value; }
};

struct Rendered {
  std::string env;
  std::vector<RenderedValue> values;  // sorted by key
  std::string digest;                 // config_digest(values)
};

// Resolves every secret reference. All problems (errors left in `r`, secrets that
// cannot be resolved, NUL bytes) are collected and thrown as one Error(validation)
// listing each as FILE:LINE:COL.
Rendered render(const Resolved& r, const SecretResolver& secrets, std::string_view app);

// The autoconfig.properties text: one "KEY=VALUE" line per key, in key order,
// escaped as autoconfig.sh reads it, nothing else. With reveal false, secrets
// show as mask() (such a text is for reading, not for deploying).
std::string properties_text(const Rendered& r, bool reveal);

// The same lines, each after a comment "# FILE:LINE:COL (LAYER)" saying where the
// value comes from, plus the reference for secrets. Still a valid properties file.
std::string properties_with_origins(const Rendered& r, bool reveal);

// "sha256:<hex>" of properties_text(values, reveal = true): `sha256sum` of the
// rendered file gives the same hex. Secrets count with their real value, so
// rotating one changes the digest.
std::string config_digest(const std::vector<RenderedValue>& values);
std::string config_digest(const std::map<std::string, std::string>& values);

}  // namespace ecp::config
