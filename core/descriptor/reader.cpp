#include "core/descriptor/reader.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/descriptor/values.hpp"
#include "core/util/text.hpp"

namespace ecp::descriptor::detail {

std::string field_join(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string quoted(std::string_view value) {
  constexpr std::size_t max = 60;
  if (value.size() <= max) return fmt::format("'{}'", value);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return fmt::format("'{}...'", value.substr(0, cut));
}

namespace {

std::string got(const Node& n) {
  if (n.kind == Kind::scalar) return fmt::format("{} {}", n.plain ? "the value" : "the string", quoted(n.value));
  return std::string(yaml::kind_name(n.kind));
}

}  // namespace

void Reader::report(int line, int column, Severity severity, std::string_view field, std::string message) {
  out_.push_back(Diagnostic{file_, line, column, severity, std::string(field), std::move(message)});
}

void Reader::error(const Node& n, std::string_view field, std::string_view message) {
  report(n.line, n.column, Severity::error, field, field.empty() ? std::string(message) : fmt::format("{}: {}", field, message));
}

void Reader::key_error(const Entry& e, std::string_view parent, std::string_view message) {
  report(e.line, e.column, Severity::error, field_join(parent, e.key),
         parent.empty() ? std::string(message) : fmt::format("{}: {}", parent, message));
}

void Reader::warning(const Node& n, std::string_view field, std::string_view message) {
  report(n.line, n.column, Severity::warning, field, field.empty() ? std::string(message) : fmt::format("{}: {}", field, message));
}

bool Reader::is_map(const Node& n, std::string_view field, std::string_view hint) {
  if (n.kind == Kind::map) return true;
  error(n, field, fmt::format("expected a map{}, got {}", hint.empty() ? "" : fmt::format(" ({})", hint), got(n)));
  return false;
}

bool Reader::is_list(const Node& n, std::string_view field, std::string_view hint) {
  if (n.kind == Kind::sequence) return true;
  error(n, field, fmt::format("expected a list{}, got {}", hint.empty() ? "" : fmt::format(" ({})", hint), got(n)));
  return false;
}

void Reader::check_keys(const Node& map, std::string_view field, const std::vector<std::string_view>& known) {
  for (const auto& e : map.entries) {
    std::string path = field_join(field, e.key);
    record(path, *e.value);
    bool ok = false;
    for (auto k : known) ok = ok || k == e.key;
    if (ok) continue;
    std::string where = field.empty() ? "" : fmt::format("{}: ", field);
    if (auto best = did_you_mean(e.key, known))
      report(e.line, e.column, Severity::error, path,
             fmt::format("{}unknown key {}; did you mean '{}'?", where, quoted(e.key), *best));
    else
      report(e.line, e.column, Severity::error, path,
             fmt::format("{}unknown key {}; valid keys: {}", where, quoted(e.key), text::join(known, ", ")));
  }
}

const Node* Reader::get(const Node& map, std::string_view key) const {
  const Entry* e = map.find(key);
  if (!e || e->value->kind == Kind::null) return nullptr;
  return e->value.get();
}

std::optional<std::string> Reader::text(const Node& n, std::string_view field) {
  if (n.kind == Kind::scalar) return n.value;
  if (n.kind == Kind::null) error(n, field, "has no value");
  else error(n, field, fmt::format("expected a single value, got {}", got(n)));
  return std::nullopt;
}

std::optional<std::int64_t> Reader::integer(const Node& n, std::string_view field, std::int64_t min,
                                            std::int64_t max) {
  if (n.kind != Kind::scalar) {
    error(n, field, fmt::format("expected a whole number, got {}", got(n)));
    return std::nullopt;
  }
  std::string_view s = n.value;
  std::size_t skip = !s.empty() && s[0] == '+' ? 1 : 0;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data() + skip, s.data() + s.size(), v);
  bool numeric = ec != std::errc::invalid_argument && end == s.data() + s.size() && s.size() > skip;
  if (!numeric) {
    error(n, field, fmt::format("expected a whole number, got {}", got(n)));
    return std::nullopt;
  }
  if (!n.plain) {
    error(n, field, fmt::format("expected a number, got the string {} (remove the quotes)", quoted(s)));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || v < min || v > max) {
    bool too_small = ec == std::errc::result_out_of_range ? s[0] == '-' : v < min;
    std::string shown = s.size() <= 30 ? std::string(s) : quoted(s);
    if (max != INT32_MAX) error(n, field, fmt::format("must be between {} and {}, got {}", min, max, shown));
    else if (too_small) error(n, field, fmt::format("must be {} or more, got {}", min, shown));
    else error(n, field, fmt::format("{} is too large (at most {})", shown, max));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> Reader::boolean(const Node& n, std::string_view field) {
  if (n.kind == Kind::scalar && n.plain) {
    if (n.value == "true" || n.value == "True" || n.value == "TRUE") return true;
    if (n.value == "false" || n.value == "False" || n.value == "FALSE") return false;
  }
  if (n.kind == Kind::scalar && !n.plain && (n.value == "true" || n.value == "false"))
    error(n, field, fmt::format("expected true or false, got the string {} (remove the quotes)", quoted(n.value)));
  else
    error(n, field, fmt::format("expected true or false, got {}", got(n)));
  return std::nullopt;
}

std::optional<Duration> Reader::duration(const Node& n, std::string_view field, bool allow_zero) {
  auto t = text(n, field);
  if (!t) return std::nullopt;
  std::string why;
  auto d = parse_duration(*t, &why);
  if (!d) error(n, field, why);
  else if (!allow_zero && d->count() == 0) error(n, field, "must be more than 0");
  else return d;
  return std::nullopt;
}

std::optional<std::string> Reader::name(const Node& n, std::string_view field, std::string_view what) {
  auto t = text(n, field);
  if (!t) return std::nullopt;
  if (auto problem = name_problem(*t)) {
    error(n, field, fmt::format("{} is not a valid {}: it {} (names are 1-63 of a-z, 0-9 and '-', "
                                "starting and ending with a letter or digit)", quoted(*t), what, *problem));
    return std::nullopt;
  }
  return t;
}

bool Reader::check_name_key(const Entry& e, std::string_view field, std::string_view what) {
  auto problem = name_problem(e.key);
  if (!problem) return true;
  key_error(e, field, fmt::format("{} is not a valid {}: it {} (names are 1-63 of a-z, 0-9 and '-', "
                              "starting and ending with a letter or digit)", quoted(e.key), what, *problem));
  return false;
}

std::vector<ConfigValue> Reader::config_values(const Node& map, std::string_view field) {
  std::vector<ConfigValue> values;
  if (!is_map(map, field, "KEY: value")) return values;
  for (const auto& e : map.entries) {
    std::string path = field_join(field, e.key);
    record(path, *e.value);
    if (!is_valid_config_key(e.key)) {
      key_error(e, field, fmt::format("{} is not a valid config key (letters, digits, '_' and '.', not starting "
                                  "with a digit)", quoted(e.key)));
      continue;
    }
    auto v = text(*e.value, path);
    if (v) values.push_back(ConfigValue{e.key, *v, at(e), at(*e.value)});
  }
  return values;
}

}  // namespace ecp::descriptor::detail
