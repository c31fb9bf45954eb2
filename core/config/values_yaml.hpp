#pragma once
// Values files in YAML (env/<env>.yaml, --values FILE.yaml): one flat map of
// KEY: scalar, read through core/util/yaml (the reader of ecp.yaml too), which
// keeps where each key was written and every key written twice.
#include <string>
#include <string_view>

#include "core/config/model.hpp"

namespace ecp::config {

// Parses `text` as a flat map. Reports, with line and column: syntax errors, a root
// that is not a map, nested maps or lists, keys without a value, invalid keys, a
// key written twice (naming both lines), aliases, more than one document, and what
// the YAML reader refuses in any file (invalid UTF-8, tab indentation, ...). Scalars
// are taken as written (8080 -> "8080", true -> "true"); '' is an empty value.
ParsedValues parse_values_yaml(std::string_view text, const std::string& file, const std::string& layer);

}  // namespace ecp::config
