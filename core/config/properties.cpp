#include "core/config/properties.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "core/util/error.hpp"

namespace ecp::config {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// autoconfig.sh's unescape(); nullopt + `problem` for an escape it refuses.
std::optional<std::string> unescape(std::string_view v, std::string& problem) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\\') {
      out += v[i];
      continue;
    }
    if (++i == v.size()) break;  // a lone trailing backslash (a continuation at the end of the file) is dropped
    switch (char c = v[i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case '\\':
      case '=':
      case ':':
      case '#':
      case '!':
      case ' ':
        out += c;
        break;
      default:
        problem = fmt::format(
            "unsupported escape \\{} (use \\n \\t \\r \\f \\\\ \\= \\: \\# \\! or a backslash before a "
            "blank)",
            c);
        return std::nullopt;
    }
  }
  return out;
}

}  // namespace

std::string escape_value(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    switch (c) {
      case '\0':
        fail(ErrorKind::validation, "a value holds a NUL byte, which autoconfig.properties cannot carry");
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\f':
        out += "\\f";
        break;
      // The reader drops blanks before a value; an escaped first blank survives.
      case ' ':
        out += i == 0 ? "\\ " : " ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string property_line(std::string_view key, std::string_view value) {
  return fmt::format("{}={}\n", key, escape_value(value));
}

ParsedValues parse_properties(std::string_view text, const std::string& file, const std::string& layer) {
  ParsedValues r;
  std::map<std::string, int, std::less<>> first_line;
  auto error = [&](int line, std::string message) {
    r.diagnostics.push_back(Diagnostic{file, line, 1, Severity::error, "", std::move(message)});
  };
  auto property = [&](int line, std::string_view joined) {
    auto eq = joined.find('=');
    if (eq == std::string_view::npos) return error(line, "expected KEY=VALUE");
    auto key = std::string(trim_right(joined.substr(0, eq)));
    if (!valid_key(key))
      return error(line, fmt::format("invalid key '{}' (keys are letters, digits, '_' and '.', not starting with a "
                                     "digit)",
                                     key));
    std::string problem;
    auto value = unescape(trim_left(joined.substr(eq + 1)), problem);
    if (!value) return error(line, fmt::format("{}: {}", key, problem));
    if (auto [it, fresh] = first_line.emplace(key, line); !fresh)
      return error(line,
                   fmt::format("'{}' is defined twice in this file: on line {} and on line {}", key, it->second, line));
    r.values.push_back(Value{key, std::move(*value), Origin{file, line, 1, layer}});
  };

  if (text.find('\0') != std::string_view::npos) {
    error(0, "the file holds a NUL byte; a properties file is text");
    return r;
  }
  std::string buf;
  bool cont = false;
  int start = 0;
  int number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim_left(line);
    if (!cont) {
      if (line.empty() || line.front() == '#' || line.front() == '!') continue;
      buf.clear();
      start = number;
    }
    std::size_t slashes = 0;
    while (slashes < line.size() && line[line.size() - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 1) {
      buf.append(line.substr(0, line.size() - 1));
      cont = true;
      continue;
    }
    cont = false;
    buf.append(line);
    property(start, buf);
  }
  if (cont) property(start, buf);
  return r;
}

}  // namespace ecp::config
