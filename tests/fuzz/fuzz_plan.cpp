// libFuzzer target: any bytes as the plan file of `ecp apply PLAN` (written by
// `ecp plan --out`, possibly edited or truncated since) give a validation error or
// a plan that writes and reads back to the same file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/ops/deploy.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(ecp::fuzz::as_text(data, size));
  try {
    auto p = ecp::ops::plan_from_json(text, "plan.json");
    auto written = ecp::ops::plan_to_json(p);
    if (ecp::ops::plan_to_json(ecp::ops::plan_from_json(written, "again")) != written) __builtin_trap();
  } catch (const ecp::Error& e) {
    ecp::fuzz::check_error(e);
  }
  return 0;
}
