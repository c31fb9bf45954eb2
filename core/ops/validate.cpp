#include "core/ops/validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "core/descriptor/parse.hpp"
#include "core/descriptor/validate.hpp"
#include "core/ops/target_spec.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"

namespace ecp::ops {
namespace {

void sort_by_position(Diagnostics& ds, const std::string& first_file) {
  std::stable_sort(ds.begin(), ds.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    bool a_first = a.file == first_file, b_first = b.file == first_file;
    if (a_first != b_first) return a_first;
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
}

// What `ecp build` needs of the layout folder and does not find there.
Diagnostics layout_warnings(const descriptor::Descriptor& d, const std::filesystem::path& project_dir) {
  namespace stdfs = std::filesystem;
  Diagnostics out;
  std::error_code ec;
  stdfs::path root = (project_dir.empty() ? stdfs::path(".") : project_dir) / d.build.root;
  auto warn = [&](const stdfs::path& where, std::string message) {
    out.push_back({where.lexically_normal().string(), 0, 0, Severity::warning, "build.root", std::move(message)});
  };
  if (!stdfs::is_directory(root, ec)) {
    warn(root, fmt::format("the layout folder (build.root: {}) does not exist; ecp build needs it", d.build.root));
    return out;
  }
  using descriptor::AppType;
  if (d.type == AppType::jar && !stdfs::exists(root / "lib/application.jar", ec))
    warn(root / "lib", "the jar layout needs lib/application.jar (build your jar first)");
  if (d.type == AppType::nginx && !stdfs::is_directory(root / "html", ec))
    warn(root / "html", "the nginx layout has no html/ folder: the image would serve nothing of its own");
  if (d.type == AppType::tomcat && !stdfs::is_directory(root / "webapps", ec))
    warn(root / "webapps", "the tomcat layout has no webapps/ folder: the image would deploy no webapp");
  if (!stdfs::exists(root / "bin/entrypoint.sh", ec))
    warn(root / "bin", "the layout has no bin/entrypoint.sh, the image's entrypoint (ecp init writes one)");
  return out;
}

}  // namespace

namespace {

struct TargetsChoice {
  std::filesystem::path path;
  const char* source = "";  // why this file, for "no such file" messages
};

TargetsChoice choose_targets(const ValidateOptions& options) {
  if (!options.targets.empty()) return {options.targets, "the targets file asked for"};
  if (const char* env = std::getenv("ECP_TARGETS"); env && *env) return {env, "named by $ECP_TARGETS"};
  auto beside = options.descriptor.parent_path() / "ecp-targets.yaml";
  std::error_code ec;
  if (std::filesystem::exists(beside, ec)) return {beside, "beside the descriptor"};
  return {};
}

}  // namespace

std::filesystem::path resolve_targets_path(const ValidateOptions& options) { return choose_targets(options).path; }

ValidateResult validate(const ValidateOptions& options) {
  ValidateResult r;
  r.descriptor_path = options.descriptor.string();
  std::error_code ec;
  if (!std::filesystem::exists(options.descriptor, ec)) {
    // The common first mistake: running ecp outside the project folder.
    auto abs = std::filesystem::absolute(options.descriptor, ec);
    r.diagnostics.push_back(Diagnostic{
        r.descriptor_path, 0, 0, Severity::error, "",
        fmt::format("no such file ({}); run 'ecp init' to create one, or name another with -f PATH or -C DIR",
                    ec ? r.descriptor_path : abs.string())});
    r.descriptor.file = r.descriptor_path;
    return r;
  }
  auto parsed = descriptor::parse_descriptor(options.descriptor);
  r.descriptor = std::move(parsed.descriptor);
  r.diagnostics = std::move(parsed.diagnostics);

  auto targets = choose_targets(options);
  if (!targets.path.empty()) {
    auto t = descriptor::parse_targets(targets.path);
    for (auto& d : t.diagnostics)
      if (d.line == 0 && d.message == "no such file") d.message = fmt::format("no such file ({})", targets.source);
    r.targets = std::move(t.targets);
    r.targets_path = targets.path.string();
    r.diagnostics.insert(r.diagnostics.end(), t.diagnostics.begin(), t.diagnostics.end());
    // Each target's own section is its plugin's to check.
    auto settings = check_target_settings(r.targets);
    if (has_errors(settings)) r.targets.complete = false;
    r.diagnostics.insert(r.diagnostics.end(), settings.begin(), settings.end());
  }
  // Cross checks only make sense on a descriptor that parsed at all.
  if (!r.descriptor.app.empty() || !r.descriptor.locations.empty()) {
    auto more = descriptor::validate(r.descriptor, r.targets);
    r.diagnostics.insert(r.diagnostics.end(), more.begin(), more.end());
  }
  if (options.check_layout && !r.descriptor.app.empty()) {
    auto layout = layout_warnings(r.descriptor, options.descriptor.parent_path());
    r.diagnostics.insert(r.diagnostics.end(), layout.begin(), layout.end());
  }
  sort_by_position(r.diagnostics, r.descriptor_path);
  return r;
}

Project load_project(const ValidateOptions& options) {
  auto r = validate(options);
  std::size_t errors = 0;
  std::string listing;
  for (const auto& d : r.diagnostics) {
    if (d.severity == Severity::error) ++errors;
    listing += "\n" + format_diagnostic(d);
  }
  if (errors > 0)
    fail(ErrorKind::validation, "the project files are not valid ({} error{}):{}", errors, errors == 1 ? "" : "s",
         listing);
  Project p{std::move(r.descriptor), std::move(r.targets), {}};
  for (auto& d : r.diagnostics) {
    if (d.line > 0) log::warn("{}:{}:{}: {}", d.file, d.line, d.column, d.message);
    else log::warn("{}: {}", d.file, d.message);
    p.warnings.push_back(std::move(d));
  }
  return p;
}

}  // namespace ecp::ops
