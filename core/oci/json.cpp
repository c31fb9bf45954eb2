#include "core/oci/json.hpp"

#include "core/util/error.hpp"

namespace ecp::oci {

std::string canonical(const Json& j) {
  try {
    return j.dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const Json::exception& e) {
    fail(ErrorKind::validation, "cannot serialise JSON: {}", e.what());
  }
}

Json parse_json(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    fail(ErrorKind::validation, "invalid {}: {}", what, e.what());
  }
}

namespace detail {

const Json& expect_object(const Json& j, std::string_view what) {
  if (!j.is_object()) fail(ErrorKind::validation, "invalid {}: expected a JSON object", what);
  return j;
}

std::string get_string(const Json& obj, const char* key, std::string_view what) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) fail(ErrorKind::validation, "invalid {}: \"{}\" must be a string", what, key);
  return it->get<std::string>();
}

std::vector<std::string> get_strings(const Json& obj, const char* key, std::string_view what) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) fail(ErrorKind::validation, "invalid {}: \"{}\" must be an array of strings", what, key);
  for (const auto& v : *it) {
    if (!v.is_string()) fail(ErrorKind::validation, "invalid {}: \"{}\" must be an array of strings", what, key);
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> get_string_map(const Json& obj, const char* key, std::string_view what) {
  std::map<std::string, std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_object()) fail(ErrorKind::validation, "invalid {}: \"{}\" must be an object of strings", what, key);
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) fail(ErrorKind::validation, "invalid {}: \"{}.{}\" must be a string", what, key, k);
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

std::vector<std::string> get_object_keys(const Json& obj, const char* key, std::string_view what) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_object()) fail(ErrorKind::validation, "invalid {}: \"{}\" must be an object", what, key);
  for (const auto& [k, v] : it->items()) out.push_back(k);
  return out;
}

}  // namespace detail
}  // namespace ecp::oci
