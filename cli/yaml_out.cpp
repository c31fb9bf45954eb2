#include "cli/yaml_out.hpp"

#include <algorithm>

namespace ecp::cli {
namespace {

using Json = nlohmann::json;

// A plain scalar YAML reads back as this same string: no indicators, no
// number, boolean or null look-alikes, no surrounding space.
bool plain_safe(const std::string& s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  if (std::string("-?:,[]{}#&*!|>'\"%@`~").find(s.front()) != std::string::npos) return false;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos || s.back() == ':') return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  static const char* words[] = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"};
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* w : words)
    if (lower == w) return false;
  auto j = Json::parse(s, nullptr, false);  // 12, 1e3, 0x1f ... read as numbers
  if (!j.is_discarded() && !j.is_string()) return false;
  return s.find_first_of("0123456789") != 0 && s.front() != '.' && s.front() != '+';
}

std::string scalar(const Json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return plain_safe(s) ? s : v.dump();
  }
  return v.dump();
}

bool nested(const Json& v) { return (v.is_object() || v.is_array()) && !v.empty(); }

void emit(const Json& v, int indent, std::string& out) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += pad + scalar(Json(it.key())) + ":";
      if (nested(it.value())) {
        out += "\n";
        emit(it.value(), indent + 2, out);
      } else {
        out += " " + (it.value().is_object() ? "{}" : it.value().is_array() ? "[]" : scalar(it.value())) + "\n";
      }
    }
  } else if (v.is_array()) {
    for (const auto& item : v) {
      if (nested(item)) {
        std::string inner;
        emit(item, indent + 2, inner);
        out += pad + "- " + inner.substr(static_cast<std::size_t>(indent) + 2);
      } else {
        out += pad + "- " + (item.is_object() ? "{}" : item.is_array() ? "[]" : scalar(item)) + "\n";
      }
    }
  } else {
    out += pad + scalar(v) + "\n";
  }
}

}  // namespace

std::string to_yaml(const Json& doc) {
  std::string out;
  emit(doc, 0, out);
  return out;
}

std::string to_yaml_stream(const std::vector<Json>& docs) {
  std::string out;
  for (const auto& d : docs) out += "---\n" + to_yaml(d);
  return out;
}

}  // namespace ecp::cli
