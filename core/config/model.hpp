#pragma once
// Configuration values as plain data: where each value was written (Origin), the
// layers an environment's values come from, and the declared keys. core/ops fills
// these from ecp.yaml, env/<env>.* files, the targets file and the command line;
// core/config never reads the descriptor itself.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/diagnostic.hpp"

namespace ecp::config {

// Where a value is written. file is a path, or "--set" for the command line.
// line and column are 1-based; 0 = unknown.
struct Origin {
  std::string file;
  int line = 0;
  int column = 0;
  std::string layer;  // which layer it belongs to, for --show-origin: "default", "environment dev", ...
};

// "FILE:LINE:COL", "FILE:LINE" or "FILE", whatever is known.
std::string to_string(const Origin& o);
Diagnostic diagnostic_at(const Origin& o, Severity severity, std::string message);

// KEY=VALUE as written in one place. text is a literal or a secret reference.
struct Value {
  std::string key;
  std::string text;
  Origin origin;
};

// What a layer's keys that ecp.yaml does not declare under config: do.
enum class Undeclared {
  warn,  // kept, with a warning (a typo is the likely cause)
  keep,  // kept silently (someone else already warned)
  skip,  // dropped silently: a target's values serve every app on it
};

// The values of one file or one source, in file order.
struct Layer {
  std::string name;  // "environments.dev.config", "env/dev.yaml", "target lab", "--set", ...
  std::vector<Value> values;
  Undeclared undeclared = Undeclared::warn;
};

// A key declared under config: in ecp.yaml.
struct KeySpec {
  std::string name;
  std::optional<std::string> default_value;
  bool required = false;
  bool secret = false;
  std::string description;
  Origin origin;  // of the key
};

// Everything that decides one environment's values. The declared defaults come
// first, then `layers` in order: later wins.
struct Inputs {
  std::string env;
  std::vector<KeySpec> keys;
  std::vector<Layer> layers;
};

// Keys follow ^[A-Za-z_][A-Za-z0-9_.]*$, the rule autoconfig.sh applies.
bool valid_key(std::string_view key);
// The length of the longest valid key at the start of `text` (0 = none).
std::size_t key_prefix(std::string_view text);

// Parsed value files: the values and every problem found (duplicates, syntax).
struct ParsedValues {
  std::vector<Value> values;
  Diagnostics diagnostics;
  bool ok() const { return !has_errors(diagnostics); }
};

}  // namespace ecp::config
