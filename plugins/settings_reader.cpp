#include "plugins/settings_reader.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/descriptor/values.hpp"
#include "core/util/text.hpp"

namespace ecp::plugins {

std::string quote_value(std::string_view value) {
  constexpr std::size_t max = 60;
  if (value.size() <= max) return fmt::format("'{}'", value);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return fmt::format("'{}...'", value.substr(0, cut));
}

std::string field_join(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

namespace {
// The text of a scalar as the user wrote it (numbers and booleans read back the same).
std::string scalar_text(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }
}  // namespace

std::string SettingsReader::got(const Json& v, std::string_view field) const {
  if (v.is_object()) return "a map";
  if (v.is_array()) return "a list";
  if (v.is_null()) return "nothing";
  return fmt::format("{} {}", s_.quoted(field) ? "the string" : "the value", quote_value(scalar_text(v)));
}

bool SettingsReader::is_map(const Json& v, std::string_view field, std::string_view hint) {
  if (v.is_object()) return true;
  error(field, fmt::format("expected a map{}, got {}", hint.empty() ? "" : fmt::format(" ({})", hint), got(v, field)));
  return false;
}

bool SettingsReader::is_list(const Json& v, std::string_view field, std::string_view hint) {
  if (v.is_array()) return true;
  error(field, fmt::format("expected a list{}, got {}", hint.empty() ? "" : fmt::format(" ({})", hint), got(v, field)));
  return false;
}

void SettingsReader::check_keys(const Json& map, std::string_view field, const std::vector<std::string_view>& known) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string& key = it.key();
    bool ok = false;
    for (auto k : known) ok = ok || k == key;
    if (ok) continue;
    if (auto best = descriptor::did_you_mean(key, known))
      out_.push_back(
          s_.key_error(field_join(field, key), fmt::format("unknown key {}; did you mean '{}'?", quote_value(key), *best)));
    else
      out_.push_back(s_.key_error(field_join(field, key),
                                  fmt::format("unknown key {}; valid keys: {}", quote_value(key), text::join(known, ", "))));
  }
}

const Json* SettingsReader::get(const Json& map, std::string_view key) const {
  auto it = map.find(std::string(key));
  return it == map.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> SettingsReader::text(const Json& v, std::string_view field) {
  if (v.is_string() || v.is_number() || v.is_boolean()) return scalar_text(v);
  if (v.is_null())
    error(field, "has no value");
  else
    error(field, fmt::format("expected a single value, got {}", got(v, field)));
  return std::nullopt;
}

std::optional<std::int64_t> SettingsReader::integer(const Json& v, std::string_view field, std::int64_t min,
                                                    std::int64_t max) {
  if (v.is_number_integer()) {
    auto n = v.get<std::int64_t>();
    if (n >= min && n <= max) return n;
    error(field, fmt::format("must be between {} and {}, got {}", min, max, n));
    return std::nullopt;
  }
  std::string s = v.is_string() ? v.get<std::string>() : "";
  std::size_t skip = !s.empty() && s[0] == '+' ? 1 : 0;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data() + skip, s.data() + s.size(), n);
  bool numeric = ec != std::errc::invalid_argument && end == s.data() + s.size() && s.size() > skip;
  if (!numeric)
    error(field, fmt::format("expected a whole number, got {}", got(v, field)));
  else if (s_.quoted(field))
    error(field, fmt::format("expected a number, got the string {} (remove the quotes)", quote_value(s)));
  else if (ec == std::errc() && n >= min && n <= max)
    return n;  // written +80 or 080
  else
    error(field, fmt::format("must be between {} and {}, got {}", min, max, s.size() <= 30 ? s : quote_value(s)));
  return std::nullopt;
}

}  // namespace ecp::plugins
