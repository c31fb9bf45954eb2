// libFuzzer target: any bytes as a values file (env/<env>.yaml, --values FILE)
// give diagnostics at places in the file, or flat values with valid, distinct keys.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "core/config/values_yaml.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = ecp::fuzz::as_text(data, size);
  auto parsed = ecp::config::parse_values_yaml(text, "env/dev.yaml", "fuzz");
  ecp::fuzz::check_diagnostics(parsed.diagnostics, text);
  std::set<std::string> keys;
  for (const auto& v : parsed.values) {
    if (!ecp::config::valid_key(v.key) || !keys.insert(v.key).second) __builtin_trap();
    if (v.origin.line < 1 || v.origin.file != "env/dev.yaml") __builtin_trap();
  }
  return 0;
}
