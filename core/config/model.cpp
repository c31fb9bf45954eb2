#include "core/config/model.hpp"

#include <fmt/format.h>

namespace ecp::config {

namespace {
bool key_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool key_char(char c) { return key_start(c) || (c >= '0' && c <= '9') || c == '.'; }
}  // namespace

std::string to_string(const Origin& o) {
  if (o.line <= 0) return o.file;
  if (o.column <= 0) return fmt::format("{}:{}", o.file, o.line);
  return fmt::format("{}:{}:{}", o.file, o.line, o.column);
}

Diagnostic diagnostic_at(const Origin& o, Severity severity, std::string message) {
  return Diagnostic{o.file, o.line, o.column, severity, "", std::move(message)};
}

std::size_t key_prefix(std::string_view text) {
  if (text.empty() || !key_start(text[0])) return 0;
  std::size_t n = 1;
  while (n < text.size() && key_char(text[n])) ++n;
  return n;
}

bool valid_key(std::string_view key) { return !key.empty() && key_prefix(key) == key.size(); }

}  // namespace ecp::config
