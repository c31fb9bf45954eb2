#pragma once
// Byte-level helpers for the YAML reader: UTF-8 validation, tab indentation, and
// turning yaml-cpp's byte columns into character columns. Internal to yaml.cpp.
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ecp::yaml {

// Offset of the first byte that breaks UTF-8 (overlong forms and surrogates included).
std::optional<std::size_t> invalid_utf8_offset(std::string_view text);

// Offsets of the first tab in the indentation of each line that holds content.
std::vector<std::size_t> tab_indentation(std::string_view text);

// Maps offsets and yaml-cpp marks (0-based line, 0-based byte column) to 1-based
// lines and 1-based character columns. Keeps a view of `text`, which must outlive it.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  std::pair<int, int> position(std::size_t offset) const;
  int column(int line0, int byte_column0) const;

 private:
  int chars(std::size_t from, std::size_t to) const;
  std::string_view text_;
  std::vector<std::size_t> starts_;
};

}  // namespace ecp::yaml
