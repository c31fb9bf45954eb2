#pragma once
// Rendering: resolved entries -> final values (secrets fetched) -> the
// autoconfig.properties text and its config digest. The digest is what a release
// records beside the image digest, so it must be the same on every machine for
// the same configuration: SHA-256 over the file with each secret written as its
// reference, keys in byte order. It is shown and stored, so no secret value goes
// into it: a short secret could be guessed from an unkeyed hash of it. A value
// that changes behind the same reference is told by the release's keyed
// fingerprint of the exact bytes (ledger.hpp).
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

// A value as the reference form writes it: a plain value as it is; a secret as
// its reference ("secret:env:DB_PW"), or, when it is written literally and
// declared secret, as "<secret>".
std::string reference_value(const RenderedValue& v);
// The properties text with every value as reference_value(): what the ledger
// at the target keeps of a release's configuration. Holds no secret.
std::string reference_text(const Rendered& r);

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

// "sha256:<hex>" of reference_text: `sha256sum` of `ecp config render
// --references` gives the same hex (of the rendered file too, when no value is secret).
std::string config_digest(const std::vector<RenderedValue>& values);

}  // namespace ecp::config
