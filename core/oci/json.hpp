#pragma once
// Canonical JSON for everything ecp hashes: keys sorted bytewise (nlohmann's
// default std::map objects), no whitespace, UTF-8 kept as is. The same struct
// always gives the same bytes, so the same digest.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ecp::oci {

using Json = nlohmann::json;

// Serialises `j` canonically; throws Error(validation) on invalid UTF-8.
std::string canonical(const Json& j);

// Parses JSON text; throws Error(validation) "invalid <what>: <reason>".
Json parse_json(std::string_view text, std::string_view what);

// Field readers used by the from_json functions: each throws Error(validation)
// naming `what` and the key when the value has the wrong type. A missing key or
// null gives the empty value.
namespace detail {
std::string get_string(const Json& obj, const char* key, std::string_view what);
std::vector<std::string> get_strings(const Json& obj, const char* key, std::string_view what);
std::map<std::string, std::string> get_string_map(const Json& obj, const char* key, std::string_view what);
std::vector<std::string> get_object_keys(const Json& obj, const char* key, std::string_view what);
const Json& expect_object(const Json& j, std::string_view what);
}  // namespace detail

}  // namespace ecp::oci
