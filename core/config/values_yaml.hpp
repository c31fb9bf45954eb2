#pragma once
// Values files in YAML (env/<env>.yaml, --values FILE.yaml): one flat map of
// KEY: scalar. Read from yaml-cpp's parser events rather than its Node API, which
// silently keeps one of two equal keys and forgets where each key was written.
#include <string>
#include <string_view>

#include "core/config/model.hpp"

namespace ecp::config {

// Files larger than this are refused.
inline constexpr std::size_t max_values_bytes = std::size_t(1) << 20;

// Parses `text` as a flat map. Reports, with line and column: syntax errors, a root
// that is not a map, nested maps or lists, keys without a value, invalid keys, a
// key written twice (naming both lines), aliases and more than one document. Scalars
// are taken as written (8080 -> "8080", true -> "true"); '' is an empty value.
ParsedValues parse_values_yaml(std::string_view text, const std::string& file, const std::string& layer);

}  // namespace ecp::config
