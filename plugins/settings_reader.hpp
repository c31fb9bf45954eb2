#pragma once
// Typed access to a target's own section (backend::Settings) for the built-in
// plugins. Like core/descriptor's reader it reports every problem, located at the
// line and column the user wrote it, instead of throwing; each getter returns
// nullopt after reporting. Field paths are relative to the section: "hosts[1]",
// "gateway.port" ("" = the section).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/settings.hpp"

namespace ecp::plugins {

using Json = backend::Json;

class SettingsReader {
 public:
  SettingsReader(const backend::Settings& settings, Diagnostics& out) : s_(settings), out_(out) {}

  const backend::Settings& settings() const { return s_; }
  void error(std::string_view field, std::string_view message) { out_.push_back(s_.error(field, message)); }

  // Reports "FIELD: expected a map (HINT), got ..." unless `v` is an object.
  bool is_map(const Json& v, std::string_view field, std::string_view hint = "");
  bool is_list(const Json& v, std::string_view field, std::string_view hint = "");
  // Reports keys of `map` not in `known`, at the key, with a did-you-mean or the valid keys.
  void check_keys(const Json& map, std::string_view field, const std::vector<std::string_view>& known);
  // The value under `key`, or nullptr when it is absent or has no value.
  const Json* get(const Json& map, std::string_view key) const;
  // A scalar's text as written; reports lists, maps and empty values.
  std::optional<std::string> text(const Json& v, std::string_view field);
  // A plain whole number in [min, max]; reports quoted numbers, words and values out of range.
  std::optional<std::int64_t> integer(const Json& v, std::string_view field, std::int64_t min, std::int64_t max);

  // "the value 'x'", "the string 'x'", "a list": what a field holds, for messages.
  std::string got(const Json& v, std::string_view field) const;

 private:
  const backend::Settings& s_;
  Diagnostics& out_;
};

// 'value' for messages, shortened when long.
std::string quote_value(std::string_view value);
// "sub" under "parent": "gateway" + "port" -> "gateway.port".
std::string field_join(std::string_view parent, std::string_view key);

}  // namespace ecp::plugins
