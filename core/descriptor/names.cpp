// Names, paths, user specs, did-you-mean. Part of values.hpp.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/descriptor/values.hpp"

namespace ecp::descriptor {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = to_lower(c);
  return out;
}

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

}  // namespace

bool is_valid_name(std::string_view name) { return !name_problem(name); }

std::optional<std::string> name_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.find('/') != std::string_view::npos || name.find("..") != std::string_view::npos)
    return "must be a plain name, not a path (no '/' or '..')";
  if (std::any_of(name.begin(), name.end(), is_space)) return "must not contain spaces";
  if (std::any_of(name.begin(), name.end(), is_upper)) return fmt::format("must be lowercase ('{}')", lower(name));
  for (char c : name)
    if (!lower_alnum(c) && c != '-') {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
        return "must use only a-z, 0-9 and '-'";
      return fmt::format("must not contain '{}'; use only a-z, 0-9 and '-'", c);
    }
  if (name.size() > 63) return fmt::format("is {} characters long; the limit is 63", name.size());
  if (name.front() == '-' || name.back() == '-') return "must start and end with a letter or a digit";
  return std::nullopt;
}

bool is_valid_config_key(std::string_view key) {
  if (key.empty() || is_digit(key[0]) || key[0] == '.') return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return lower_alnum(c) || is_upper(c) || c == '_' || c == '.';
  });
}

std::optional<std::string> user_problem(std::string_view user) {
  if (user.empty()) return "is empty; write user[:group], e.g. 1000:1000 or app";
  auto colon = user.find(':');
  std::string_view parts[2] = {user.substr(0, colon), colon == std::string_view::npos ? "" : user.substr(colon + 1)};
  int count = colon == std::string_view::npos ? 1 : 2;
  for (int i = 0; i < count; ++i) {
    std::string_view p = parts[i];
    const char* what = i == 0 ? "user" : "group";
    if (p.empty()) return fmt::format("has an empty {}; write user[:group], e.g. 1000:1000", what);
    if (all_digits(p)) {
      std::uint64_t id = 0;
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), id);
      if (ec != std::errc() || id > 4294967294ULL) return fmt::format("has a {} id out of range ({})", what, p);
      continue;
    }
    bool ok = p.size() <= 32 && (p[0] == '_' || (p[0] >= 'a' && p[0] <= 'z'));
    for (std::size_t j = 0; ok && j < p.size(); ++j)
      ok = lower_alnum(p[j]) || p[j] == '_' || p[j] == '-' || (p[j] == '$' && j + 1 == p.size());
    if (!ok) return fmt::format("has an invalid {} '{}' (a name like app or a number like 1000)", what, p);
  }
  return std::nullopt;
}

std::optional<std::string> relative_path_problem(std::string_view path) {
  if (path.empty()) return "is empty";
  if (path.front() == '/') return "must be relative to the project folder, not absolute";
  if (path.front() == '~') return "must be relative to the project folder, not start with '~'";
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return "must stay inside the project folder (no '..')";
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> reference_problem(std::string_view ref) {
  if (ref.empty()) return "is empty";
  if (std::any_of(ref.begin(), ref.end(), is_space)) return "must not contain spaces";
  std::string_view name = ref;
  if (auto at = ref.find('@'); at != std::string_view::npos) {
    std::string_view digest = ref.substr(at + 1);
    name = ref.substr(0, at);
    auto colon = digest.find(':');
    if (colon == std::string_view::npos || colon == 0 || digest.size() - colon - 1 < 32 ||
        !std::all_of(digest.begin() + static_cast<long>(colon) + 1, digest.end(),
                     [](char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }))
      return fmt::format("has an invalid digest '{}' (write @sha256:<64 hex digits>)", digest);
  }
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = name.substr(colon + 1);
    bool ok = !tag.empty() && tag.size() <= 128 && tag[0] != '.' && tag[0] != '-';
    for (char c : tag) ok = ok && (lower_alnum(c) || is_upper(c) || c == '_' || c == '.' || c == '-');
    if (!ok) return fmt::format("has an invalid tag '{}'", tag);
    name = name.substr(0, colon);
  }
  if (name.empty()) return "has no repository name";
  // The first component is a registry host when it looks like one.
  auto first_slash = name.find('/');
  std::string_view first = name.substr(0, first_slash);
  if (first_slash != std::string_view::npos &&
      (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
       first == "localhost")) {
    for (char c : first)
      if (!(lower_alnum(c) || is_upper(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
        return fmt::format("has an invalid registry host '{}'", first);
    name = name.substr(first_slash + 1);
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    auto end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    bool ok = !part.empty() && lower_alnum(part.front()) && lower_alnum(part.back());
    for (char c : part) ok = ok && (lower_alnum(c) || c == '.' || c == '_' || c == '-');
    if (!ok) return fmt::format("has an invalid repository name '{}' (lowercase letters, digits, '.', '_', '-')", name);
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace ecp::descriptor
