// Checks on the raw bytes, before yaml-cpp sees them: yaml-cpp has no size limit,
// passes some invalid UTF-8 through, and its message for tab indentation is obscure.
#include "core/util/yaml_text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ecp::yaml {

std::optional<std::size_t> invalid_utf8_offset(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned int cp = 0;
    if (c >= 0xC2 && c <= 0xDF)
      len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
      len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
      len = 4, cp = c & 0x07;
    else
      return i;  // a continuation byte without a lead, or C0/C1/F5..FF
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::nullopt;
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  // yaml-cpp does not count a UTF-8 byte order mark in columns.
  starts_.push_back(text.starts_with("\xEF\xBB\xBF") ? 3 : 0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts_.push_back(i + 1);
}

std::pair<int, int> LineIndex::position(std::size_t offset) const {
  offset = std::min(offset, text_.size());
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  auto line = static_cast<std::size_t>(it - starts_.begin());  // 1-based
  if (line == 0) line = 1;
  std::size_t start = starts_[line - 1];
  return {static_cast<int>(line), chars(start, offset) + 1};
}

int LineIndex::column(int line0, int byte_column0) const {
  if (line0 < 0 || byte_column0 < 0) return 1;
  auto line = static_cast<std::size_t>(line0);
  if (line >= starts_.size()) return byte_column0 + 1;
  std::size_t start = starts_[line];
  std::size_t end = std::min(start + static_cast<std::size_t>(byte_column0), text_.size());
  return chars(start, end) + 1;
}

int LineIndex::chars(std::size_t from, std::size_t to) const {
  int n = 0;
  for (std::size_t i = from; i < to && i < text_.size(); ++i)
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++n;
  return n;
}

std::vector<std::size_t> tab_indentation(std::string_view text) {
  std::vector<std::size_t> found;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    std::size_t j = i;
    std::optional<std::size_t> tab;
    while (j < end && (text[j] == ' ' || text[j] == '\t')) {
      if (text[j] == '\t' && !tab) tab = j;
      ++j;
    }
    // Blank lines and comment lines may hold tabs; indentation of content may not.
    bool content = j < end && text[j] != '#' && text[j] != '\r';
    if (tab && content) found.push_back(*tab);
    i = end + 1;
  }
  return found;
}

}  // namespace ecp::yaml
