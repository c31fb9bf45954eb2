// libFuzzer target: any bytes, as ecp.yaml and as ecp-targets.yaml, must give
// diagnostics and never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/descriptor/parse.hpp"
#include "core/descriptor/validate.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ecp::fuzz::check_diagnostics;
  auto text = ecp::fuzz::as_text(data, size);
  auto d = ecp::descriptor::parse_descriptor_text(text, "ecp.yaml");
  check_diagnostics(d.diagnostics, text);
  // A descriptor without errors always has the required fields.
  if (d.ok() && (d.descriptor.app.empty() || d.descriptor.schema != 1)) __builtin_trap();
  // yaml-cpp dominates the cost of a run, so the input is parsed a second time, as a
  // targets file, only when it looks like one.
  ecp::descriptor::TargetsFile targets;
  if (text.find("targets") != std::string_view::npos || text.find("registries") != std::string_view::npos) {
    auto t = ecp::descriptor::parse_targets_text(text, "ecp-targets.yaml");
    check_diagnostics(t.diagnostics, text);
    targets = std::move(t.targets);
  }
  check_diagnostics(ecp::descriptor::validate(d.descriptor, targets), text);
  return 0;
}
