#include "core/config/check.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace ecp::config {

bool CheckReport::ok() const {
  if (has_errors(diagnostics)) return false;
  for (const auto& e : environments)
    if (!e.ok()) return false;
  return true;
}

CheckReport check(const std::vector<Template>& templates, const std::vector<KeySpec>& keys,
                  const std::vector<Resolved>& environments) {
  CheckReport report;
  std::set<std::string, std::less<>> used;
  for (const auto& t : templates) {
    report.templates.push_back(t.file);
    report.diagnostics.insert(report.diagnostics.end(), t.scan.diagnostics.begin(), t.scan.diagnostics.end());
    for (const auto& p : t.scan.placeholders) used.insert(p.key);
  }

  for (const auto& env : environments) {
    EnvReport er;
    er.env = env.env;
    er.diagnostics = env.diagnostics;
    std::map<std::string, std::vector<Origin>> missing;
    for (const auto& t : templates)
      for (const auto& p : t.scan.placeholders)
        if (!p.default_value && !env.find(p.key)) missing[p.key].push_back(p.where);
    for (auto& [key, uses] : missing) er.missing.push_back(MissingKey{key, std::move(uses)});
    report.environments.push_back(std::move(er));
  }

  if (templates.empty()) return report;
  // Where each unused key is first written: its declaration, else its first value.
  std::map<std::string, Origin> unused;
  for (const auto& k : keys)
    if (!used.count(k.name)) unused.emplace(k.name, k.origin);
  for (const auto& env : environments)
    for (const auto& e : env.entries)
      if (!used.count(e.key)) unused.emplace(e.key, e.origin);
  for (const auto& [key, where] : unused)
    report.diagnostics.push_back(
        diagnostic_at(where, Severity::warning,
                      fmt::format("'{}' is not used: no conf template has ${{{}}} or ${{{}:-...}}", key, key, key)));
  return report;
}

}  // namespace ecp::config
