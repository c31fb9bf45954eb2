#pragma once
// A problem found in an input file, located precisely. Validation collects every
// diagnostic instead of stopping at the first, so a user fixes all in one pass.
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ecp {

enum class Severity { error, warning };

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the whole file is meant
  int column = 0;  // 1-based
  Severity severity = Severity::error;
  std::string field;    // dotted path of the field, e.g. "environments.prod.replicas"
  std::string message;
};

using Diagnostics = std::vector<Diagnostic>;

// Where one field of an input file is written (1-based; 0 = unknown): its value and,
// for a map entry, its key. `quoted`: the value was a quoted string, so messages can
// say "the string '80'" rather than "the value '80'".
struct FieldPosition {
  int line = 0;
  int column = 0;
  int key_line = 0;
  int key_column = 0;
  bool quoted = false;
};

// Field path below some node ("hosts[1]", "gateway.port"; "" = the node) -> position.
using FieldPositions = std::map<std::string, FieldPosition, std::less<>>;

inline bool has_errors(const Diagnostics& ds) {
  for (const auto& d : ds)
    if (d.severity == Severity::error) return true;
  return false;
}

// "FILE:LINE:COL: error: MESSAGE", the format compilers use and editors jump to.
std::string format_diagnostic(const Diagnostic& d);

}  // namespace ecp
