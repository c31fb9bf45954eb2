#include "core/config/placeholders.hpp"

#include <fmt/format.h>

#include <optional>

namespace ecp::config {
namespace {

// 1-based character column of byte `offset` in a UTF-8 line.
int column_of(std::string_view line, std::size_t offset) {
  int column = 1;
  for (std::size_t i = 0; i < offset && i < line.size(); ++i)
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++column;
  return column;
}

// The text to quote in a message: from "${" to the end of the word, short.
std::string excerpt(std::string_view line, std::size_t at) {
  auto end = line.find_first_of(" \t\"'<>;", at + 2);
  auto text = line.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
  if (text.size() > 40) return std::string(text.substr(0, 37)) + "...";
  return std::string(text);
}

bool blank(char c) { return c == ' ' || c == '\t'; }

// Why the text after a "${" that starts no key is a broken placeholder, or nullopt
// when it is plain text: "${}", "${9X}", "${-X}" and "${ KEY }" are typos, while a
// "${" before a quote, a bracket or the end of the line (a comment quoting "${")
// is text that autoconfig.sh copies unchanged, as documented.
std::optional<std::string> no_key_problem(std::string_view rest) {
  if (rest.empty()) return std::nullopt;
  char c = rest[0];
  if (c == '}' || c == '-' || c == '.' || (c >= '0' && c <= '9'))
    return "no key after '${' (keys are letters, digits, '_' and '.', not starting with a digit)";
  if (!blank(c)) return std::nullopt;
  std::size_t i = 0;
  while (i < rest.size() && blank(rest[i])) ++i;
  std::size_t n = key_prefix(rest.substr(i));
  if (n == 0) return std::nullopt;
  i += n;
  while (i < rest.size() && blank(rest[i])) ++i;
  if (i < rest.size() && (rest[i] == '}' || rest.substr(i, 2) == ":-"))
    return "blanks are not allowed between '${' and the key";
  return std::nullopt;
}

}  // namespace

TemplateScan scan_template(std::string_view text, const std::string& file) {
  TemplateScan scan;
  int number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    ++number;
    auto bad = [&](std::size_t at, std::string_view why) {
      scan.diagnostics.push_back(Diagnostic{
          file, number, column_of(line, at), Severity::error, "",
          fmt::format("'{}' is not a placeholder: {} (write ${{KEY}} or ${{KEY:-default}}, or $${{ for a literal "
                      "${{)",
                      excerpt(line, at), why)});
    };
    // The same walk as autoconfig.sh's awk: `from` is where its remaining string starts.
    std::size_t from = 0;
    for (;;) {
      auto i = line.find("${", from);
      if (i == std::string_view::npos) break;
      if (i > from && line[i - 1] == '$') {  // "$${" is a literal "${"
        from = i + 2;
        continue;
      }
      std::size_t after = i + 2;
      std::size_t n = key_prefix(line.substr(after));
      if (n == 0) {
        if (auto why = no_key_problem(line.substr(after))) bad(i, *why);
        from = after;
        continue;
      }
      std::string key(line.substr(after, n));
      std::size_t rest = after + n;
      Origin where{file, number, column_of(line, i), ""};
      if (rest < line.size() && line[rest] == '}') {
        scan.placeholders.push_back(Placeholder{key, std::nullopt, where});
        from = rest + 1;
      } else if (line.substr(rest, 2) == ":-" && line.find('}', rest) != std::string_view::npos) {
        auto close = line.find('}', rest);
        scan.placeholders.push_back(Placeholder{key, std::string(line.substr(rest + 2, close - rest - 2)), where});
        from = close + 1;
      } else {
        if (line.substr(rest, 2) == ":-")
          bad(i, "no '}' closes it on this line");
        else if (rest >= line.size())
          bad(i, "no '}' closes it on this line");
        else
          bad(i, fmt::format("'{}' after the key; only '}}' or ':-default}}' may follow", line[rest]));
        from = after;
      }
    }
  }
  return scan;
}

}  // namespace ecp::config
