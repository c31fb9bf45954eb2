#include "core/util/diagnostic.hpp"

#include <fmt/format.h>

namespace ecp {

std::string format_diagnostic(const Diagnostic& d) {
  const char* sev = d.severity == Severity::error ? "error" : "warning";
  if (d.line <= 0) return fmt::format("{}: {}: {}", d.file, sev, d.message);
  return fmt::format("{}:{}:{}: {}: {}", d.file, d.line, d.column, sev, d.message);
}

}  // namespace ecp
