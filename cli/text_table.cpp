#include "cli/text_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace ecp::cli {

namespace {

// Display width: UTF-8 continuation bytes take no column.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void append_cell(std::string& line, const std::string& cell, std::size_t w, bool right, bool last) {
  std::string pad(w > width(cell) ? w - width(cell) : 0, ' ');
  if (right)
    line += pad + cell;
  else
    line += last ? cell : cell + pad;
}

}  // namespace

void TextTable::add(std::vector<std::string> cells) {
  if (cells.size() > columns_.size()) throw std::logic_error("TextTable: more cells than columns");
  cells.resize(columns_.size());
  rows_.push_back({std::move(cells), false});
}

void TextTable::note(std::string line) { rows_.push_back({{std::move(line)}, true}); }

std::vector<std::string> TextTable::lines() const {
  std::vector<std::string> out;
  if (rows_.empty()) return out;
  std::vector<std::size_t> w(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) w[c] = width(columns_[c].header);
  for (const auto& r : rows_)
    if (!r.is_note)
      for (std::size_t c = 0; c < r.cells.size(); ++c) w[c] = std::max(w[c], width(r.cells[c]));
  auto render = [&](auto cell_of) {
    std::string line;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (c) line += std::string(static_cast<std::size_t>(gap_), ' ');
      append_cell(line, cell_of(c), w[c], columns_[c].right, c + 1 == columns_.size());
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
  };
  out.push_back(render([&](std::size_t c) -> const std::string& { return columns_[c].header; }));
  std::string indent(w.empty() ? 0 : w[0] + static_cast<std::size_t>(gap_), ' ');
  for (const auto& r : rows_)
    out.push_back(r.is_note ? indent + r.cells[0]
                            : render([&](std::size_t c) -> const std::string& { return r.cells[c]; }));
  return out;
}

}  // namespace ecp::cli
