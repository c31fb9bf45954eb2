// libFuzzer target: any bytes as a registry's WWW-Authenticate header (a hostile
// or broken registry chooses them) give challenges with lowercase schemes and
// parameter names, never a crash or a loop that does not end.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/registry/auth.hpp"
#include "fuzz_common.hpp"

namespace {
bool lowercase_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if ((c >= 'A' && c <= 'Z') || c == ' ' || c == '\t' || c == ',' || c == '=' || c == '"') return false;
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = ecp::fuzz::as_text(data, size);
  auto challenges = ecp::registry::parse_challenges(text);
  if (challenges.size() > text.size()) __builtin_trap();
  for (const auto& c : challenges) {
    if (!lowercase_token(c.scheme)) __builtin_trap();
    for (const auto& [key, value] : c.params) {
      if (!lowercase_token(key) || value.size() > text.size()) __builtin_trap();
      if (c.param(key) != value) __builtin_trap();
    }
  }
  return 0;
}
