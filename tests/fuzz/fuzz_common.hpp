#pragma once
// What every fuzz target checks besides "no crash": helpers that trap (so
// libFuzzer saves the input) when a parser breaks a promise its callers rely on.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/util/diagnostic.hpp"
#include "core/util/error.hpp"

namespace ecp::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The callers print diagnostics as FILE:LINE:COL: an editor must find the place,
// so each names a file and a line that exists in the input.
inline void check_diagnostics(const Diagnostics& ds, std::string_view text) {
  long lines = 1;
  for (char c : text) lines += c == '\n' || c == '\r';
  for (const auto& d : ds) {
    if (d.file.empty() || d.message.empty()) __builtin_trap();
    if (d.line < 0 || d.column < 0 || d.line > lines + 1) __builtin_trap();
    if (format_diagnostic(d).empty()) __builtin_trap();
  }
}

// Hostile input is a validation error (exit 2) with a message, never another kind.
inline void check_error(const Error& e) {
  if (e.kind() != ErrorKind::validation || std::string_view(e.what()).empty()) __builtin_trap();
}

}  // namespace ecp::fuzz
