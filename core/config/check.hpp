#pragma once
// `ecp config check`: do the conf templates and each environment's values fit?
// Pure: the caller scans the templates and resolves the environments.
#include <string>
#include <vector>

#include "core/config/model.hpp"
#include "core/config/placeholders.hpp"
#include "core/config/resolve.hpp"

namespace ecp::config {

struct Template {
  std::string file;  // as shown to the user
  TemplateScan scan;
};

// A key a template needs that an environment leaves without a value.
struct MissingKey {
  std::string key;
  std::vector<Origin> uses;  // each ${KEY} without a default, in template order
};

struct EnvReport {
  std::string env;
  std::vector<MissingKey> missing;  // sorted by key
  Diagnostics diagnostics;          // the environment's resolve() problems
  bool ok() const { return missing.empty() && !has_errors(diagnostics); }
};

struct CheckReport {
  std::vector<std::string> templates;  // the files scanned
  Diagnostics diagnostics;             // malformed placeholders (errors), unused keys (warnings)
  std::vector<EnvReport> environments;
  bool ok() const;
};

// For every environment: every ${KEY} without a default has a value (an empty one
// counts: autoconfig.sh inserts it) and every required key is set. A key that is
// declared or set but that no template uses is a warning, once, when there are
// templates at all (an application may also read autoconfig.properties itself).
CheckReport check(const std::vector<Template>& templates, const std::vector<KeySpec>& keys,
                  const std::vector<Resolved>& environments);

}  // namespace ecp::config
