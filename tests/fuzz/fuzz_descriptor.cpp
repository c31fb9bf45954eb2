// libFuzzer target: any bytes, as ecp.yaml and as ecp-targets.yaml, must give
// diagnostics and never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/descriptor/parse.hpp"
#include "core/descriptor/validate.hpp"

namespace {

// Every diagnostic names a file and a place that exists in the input.
void check(const ecp::Diagnostics& ds, std::string_view text) {
  long lines = 1;
  for (char c : text) lines += c == '\n' || c == '\r';
  for (const auto& d : ds) {
    if (d.file.empty() || d.message.empty()) __builtin_trap();
    if (d.line < 0 || d.column < 0 || d.line > lines + 1) __builtin_trap();
    if (ecp::format_diagnostic(d).empty()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = ecp::descriptor::parse_descriptor_text(text, "ecp.yaml");
  check(d.diagnostics, text);
  // A descriptor without errors always has the required fields.
  if (d.ok() && (d.descriptor.app.empty() || d.descriptor.schema != 1)) __builtin_trap();
  // yaml-cpp dominates the cost of a run, so the input is parsed a second time, as a
  // targets file, only when it looks like one.
  ecp::descriptor::TargetsFile targets;
  if (text.find("targets") != std::string_view::npos || text.find("registries") != std::string_view::npos) {
    auto t = ecp::descriptor::parse_targets_text(text, "ecp-targets.yaml");
    check(t.diagnostics, text);
    targets = std::move(t.targets);
  }
  check(ecp::descriptor::validate(d.descriptor, targets), text);
  return 0;
}
