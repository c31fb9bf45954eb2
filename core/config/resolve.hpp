#pragma once
// Merging an environment's layers into one value per key, before any secret is
// resolved: what `config check` inspects and what render() turns into the file.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/model.hpp"
#include "core/config/secrets.hpp"

namespace ecp::config {

struct Entry {
  std::string key;
  std::string text;              // the winning value as written: a literal or a secret reference
  std::optional<SecretRef> ref;  // set when text is a secret reference
  bool secret = false;           // a reference, or a key declared secret: true
  Origin origin;                 // where the winning value is written
  std::vector<Origin> replaced;  // the values it overrides, lowest precedence first
};

struct Resolved {
  std::string env;
  std::vector<Entry> entries;  // one per key that has a value, sorted by key (byte order)
  Diagnostics diagnostics;     // errors and warnings, see resolve()
  bool ok() const { return !has_errors(diagnostics); }
  const Entry* find(std::string_view key) const;
};

// Declared defaults first, then each layer in order; later wins. Reports:
//   errors   - a malformed secret reference (in any layer, also overridden ones);
//              a required key left without a value;
//   warnings - a key declared secret whose value is plain text; a key no layer
//              may set without declaring it (see Layer::undeclared).
Resolved resolve(const Inputs& in);

}  // namespace ecp::config
