#include "core/config/values_yaml.hpp"

#include <fmt/format.h>

#include <map>

#include "core/util/yaml.hpp"

namespace ecp::config {
namespace {

// A values file holds values as written: no aliases, and a key written twice is
// reported in the words the properties reader uses.
constexpr yaml::Options values_options{.aliases = false, .report_duplicates = false};

std::string_view what(yaml::Kind kind) { return kind == yaml::Kind::scalar ? "a single value" : yaml::kind_name(kind); }

}  // namespace

ParsedValues parse_values_yaml(std::string_view text, const std::string& file, const std::string& layer) {
  ParsedValues r;
  auto doc = yaml::parse(text, file, r.diagnostics, values_options);
  if (!doc.root || doc.empty) return r;
  auto error = [&](int line, int column, std::string message) {
    r.diagnostics.push_back(Diagnostic{file, line, column, Severity::error, "", std::move(message)});
  };
  const yaml::Node& root = *doc.root;
  if (root.kind != yaml::Kind::map) {
    error(root.line, root.column, fmt::format("expected a map of KEY: value, got {}", what(root.kind)));
    return r;
  }
  std::map<std::string, int, std::less<>> first;  // key -> line
  for (const auto& e : root.entries) {
    const yaml::Node& v = *e.value;
    if (v.kind == yaml::Kind::null) {
      error(e.line, e.column, fmt::format("'{}' has no value (write '' for an empty value)", e.key));
    } else if (v.kind != yaml::Kind::scalar) {
      error(v.line, v.column,
            fmt::format("'{}': expected a value, got {} (a values file is flat: KEY: value)", e.key,
                        yaml::kind_name(v.kind)));
    } else if (!valid_key(e.key)) {
      error(e.line, e.column,
            fmt::format("invalid key '{}' (keys are letters, digits, '_' and '.', not starting with a digit)", e.key));
    } else if (auto [it, fresh] = first.emplace(e.key, e.line); !fresh) {
      error(e.line, e.column,
            fmt::format("'{}' is defined twice in this file: on line {} and on line {}", e.key, it->second, e.line));
    } else {
      r.values.push_back(Value{e.key, v.value, Origin{file, e.line, e.column, layer}});
    }
  }
  return r;
}

}  // namespace ecp::config
