// libFuzzer target: any bytes as autoconfig.properties / env/<env>.properties give
// diagnostics or values, and every value read survives being written back
// (property_line) and read again: the promise autoconfig.sh's format rests on.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/config/properties.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = ecp::fuzz::as_text(data, size);
  auto parsed = ecp::config::parse_properties(text, "app.properties", "fuzz");
  ecp::fuzz::check_diagnostics(parsed.diagnostics, text);
  std::string written;
  for (const auto& v : parsed.values) {
    if (!ecp::config::valid_key(v.key) || v.origin.line < 1) __builtin_trap();
    written += ecp::config::property_line(v.key, v.text);
  }
  auto back = ecp::config::parse_properties(written, "written.properties", "fuzz");
  if (!back.diagnostics.empty() || back.values.size() != parsed.values.size()) __builtin_trap();
  for (std::size_t i = 0; i < back.values.size(); ++i)
    if (back.values[i].key != parsed.values[i].key || back.values[i].text != parsed.values[i].text) __builtin_trap();
  return 0;
}
