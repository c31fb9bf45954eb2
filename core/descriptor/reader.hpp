#pragma once
// Typed access to a yaml::Node that reports every problem instead of throwing, so a
// walk over the whole file collects all of them. Each getter returns nullopt after
// reporting; callers then keep the model's default and carry on. Internal to
// core/descriptor.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/descriptor/model.hpp"
#include "core/util/diagnostic.hpp"
#include "core/util/yaml.hpp"

namespace ecp::descriptor::detail {

using yaml::Entry;
using yaml::Kind;
using yaml::Node;

// "run" + "ports" -> "run.ports"; "" + "app" -> "app".
std::string field_join(std::string_view parent, std::string_view key);
// 'value' for messages, shortened when long.
std::string quoted(std::string_view value);

class Reader {
 public:
  Reader(std::string file, Diagnostics& out, Locations& locations)
      : file_(std::move(file)), out_(out), locations_(locations) {}

  const std::string& file() const { return file_; }
  Location at(const Node& n) const { return {file_, n.line, n.column}; }
  Location at(const Entry& e) const { return {file_, e.line, e.column}; }
  void record(const std::string& field, const Node& value) { locations_.emplace(field, at(value)); }

  // Messages read "FIELD: MESSAGE" when field is not empty.
  void error(const Node& n, std::string_view field, std::string_view message);
  // A problem with the key itself: located at the key, field = parent.key, message "PARENT: MESSAGE".
  void key_error(const Entry& e, std::string_view parent, std::string_view message);
  void warning(const Node& n, std::string_view field, std::string_view message);
  void report(int line, int column, Severity severity, std::string_view field, std::string message);

  // Reports "FIELD: expected a map (HINT), got a list" unless `n` is a map.
  bool is_map(const Node& n, std::string_view field, std::string_view hint = "");
  bool is_list(const Node& n, std::string_view field, std::string_view hint = "");

  // Records where each key of `map` is, and reports keys not in `known` with a
  // did-you-mean or else the list of valid keys.
  void check_keys(const Node& map, std::string_view field, const std::vector<std::string_view>& known);

  // The value under `key`, or nullptr when it is absent or empty (a key with no value).
  const Node* get(const Node& map, std::string_view key) const;

  // A scalar's text; reports lists, maps and empty values.
  std::optional<std::string> text(const Node& n, std::string_view field);
  // A plain decimal integer in [min, max]; reports quoted numbers, words, and values out of range.
  std::optional<std::int64_t> integer(const Node& n, std::string_view field, std::int64_t min, std::int64_t max);
  // true or false (unquoted).
  std::optional<bool> boolean(const Node& n, std::string_view field);
  std::optional<Duration> duration(const Node& n, std::string_view field, bool allow_zero = false);
  // Text that follows the name rule (what = "an app name", "a port name", ...).
  std::optional<std::string> name(const Node& n, std::string_view field, std::string_view what);
  // Reports a key of a user-keyed map (ports, environments...) that breaks the name rule.
  bool check_name_key(const Entry& e, std::string_view field, std::string_view what);
  // KEY: value pairs (environment overrides, target config).
  std::vector<ConfigValue> config_values(const Node& map, std::string_view field);

 private:
  std::string file_;
  Diagnostics& out_;
  Locations& locations_;
};

}  // namespace ecp::descriptor::detail
