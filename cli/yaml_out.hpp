#pragma once
// JSON documents written as block-style YAML, for `ecp plan -o yaml` (objects a
// person reviews or feeds to kubectl). Strings that could read as anything but
// a string are written as JSON strings, which YAML reads the same way.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ecp::cli {

std::string to_yaml(const nlohmann::json& doc);
// The documents separated by "---" lines.
std::string to_yaml_stream(const std::vector<nlohmann::json>& docs);

}  // namespace ecp::cli
