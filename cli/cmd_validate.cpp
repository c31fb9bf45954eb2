// ecp validate: every problem in ecp.yaml and the targets file, in the format
// compilers use (FILE:LINE:COL: error: MESSAGE), or as one JSON result.
#include <fmt/format.h>

#include "cli/command_tree.hpp"
#include "core/ops/validate.hpp"
#include "core/util/error.hpp"

namespace ecp::cli {
namespace {

std::string plural(std::size_t n, std::string_view word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

nlohmann::json problem_json(const Diagnostic& d) {
  return {{"file", d.file},     {"line", d.line},
          {"column", d.column}, {"severity", d.severity == Severity::error ? "error" : "warning"},
          {"field", d.field},   {"message", d.message}};
}

int run_validate(const Globals& g, Output& out) {
  auto options = project_of(g);
  options.check_layout = true;
  auto r = ops::validate(options);
  std::size_t errors = 0, warnings = 0;
  for (const auto& d : r.diagnostics) (d.severity == Severity::error ? errors : warnings)++;
  if (out.json()) {
    auto problems = nlohmann::json::array();
    for (const auto& d : r.diagnostics) problems.push_back(problem_json(d));
    nlohmann::json targets = r.targets_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.targets_path);
    out.result({{"ok", r.ok()},
                {"descriptor", r.descriptor_path},
                {"targets", targets},
                {"errors", errors},
                {"warnings", warnings},
                {"problems", problems}});
  } else {
    for (const auto& d : r.diagnostics) print_diagnostic(out, d);
    if (!r.ok()) {
      fmt::print(stderr, "{} and {} found\n", plural(errors, "error"), plural(warnings, "warning"));
    } else {
      std::string targets = r.targets_path.empty() ? "no targets file, only 'local'" : "targets from " + r.targets_path;
      out.text(fmt::format("{}: valid: app {} ({}), {}; {}{}", r.descriptor_path, r.descriptor.app,
                           descriptor::to_string(r.descriptor.type),
                           plural(r.descriptor.environments.size(), "environment"), targets,
                           warnings > 0 ? fmt::format(", {}", plural(warnings, "warning")) : ""));
    }
  }
  return r.ok() ? 0 : exit_code(ErrorKind::validation);
}

}  // namespace

void add_validate(CommandTree& t) {
  const Globals& g = t.globals;
  t.add(&t.root, "validate", "Check ecp.yaml and the targets file and print every problem",
        [&g](Output& out) { return run_validate(g, out); });
}

}  // namespace ecp::cli
