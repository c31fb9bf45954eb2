#pragma once
// Finding the ${KEY} and ${KEY:-default} placeholders of a conf template exactly
// as autoconfig.sh does: line by line, "$${" is a literal "${", a default runs to
// the first "}" on its line. Where autoconfig.sh silently copies a "${" that starts
// no well-formed placeholder, this reports it: it is almost always a typo.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/model.hpp"

namespace ecp::config {

struct Placeholder {
  std::string key;
  std::optional<std::string> default_value;  // ${KEY:-default}
  Origin where;                              // of the "$" (1-based line, character column)
};

struct TemplateScan {
  std::vector<Placeholder> placeholders;  // in file order
  Diagnostics diagnostics;                // malformed placeholders (errors)
};

// `file` names the template in origins and diagnostics.
TemplateScan scan_template(std::string_view text, const std::string& file);

}  // namespace ecp::config
