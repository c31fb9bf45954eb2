#pragma once
// A table for people: each column as wide as its widest cell (header
// included), `gap` spaces between columns (2 by default), the last column
// unpadded. Notes are
// lines under a row (a failed revision's message, a pod's name) that take no
// part in the sizing.
#include <string>
#include <vector>

namespace ecp::cli {

class TextTable {
 public:
  struct Column {
    std::string header;
    bool right = false;  // numbers line up on the right
  };
  explicit TextTable(std::vector<Column> columns, int gap = 2) : columns_(std::move(columns)), gap_(gap) {}

  // A row; missing trailing cells are empty, extra cells are an error of the caller.
  void add(std::vector<std::string> cells);
  // A line under the last row, indented to the second column.
  void note(std::string line);
  bool empty() const { return rows_.empty(); }
  // The header and the rows, ready to print (nothing when there is no row).
  std::vector<std::string> lines() const;

 private:
  struct Row {
    std::vector<std::string> cells;
    bool is_note = false;
  };
  std::vector<Column> columns_;
  int gap_;
  std::vector<Row> rows_;
};

}  // namespace ecp::cli
