#include "core/ops/target_spec.hpp"

#include <fmt/format.h>

#include "core/util/process.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

backend::TargetSpec target_spec(const descriptor::TargetsFile& file, const descriptor::Target& target) {
  backend::TargetSpec s;
  s.name = target.name;
  s.plugin = target.plugin;
  s.registry = target.registry;
  if (target.settings)
    s.settings = backend::Settings(*target.settings, file.file, "targets." + target.name, target.settings_at);
  return s;
}

namespace {
void check_plugin_exists(const descriptor::TargetsFile& file, const descriptor::Target& t, Diagnostics& out) {
  if (t.plugin.empty() || backend::builtin_table().find(t.plugin) || process::find_program("ecp-plugin-" + t.plugin))
    return;
  std::string field = "targets." + t.name + ".plugin";
  auto at = file.locations.find(field);
  descriptor::Location where = at != file.locations.end() ? at->second : t.location;
  std::string builtins = text::join(backend::builtin_table().names(), ", ");
  std::string why = "it is not built in";
  out.push_back(
      {file.file, where.line, where.column, Severity::error, field,
       fmt::format("plugin '{}': {} (the built-in ones: {}), and there is no executable ecp-plugin-{} on PATH",
                   t.plugin, why, builtins, t.plugin)});
}
}  // namespace

Diagnostics check_target_settings(const descriptor::TargetsFile& file) {
  Diagnostics out;
  for (const auto& t : file.targets) {
    if (!t.builtin) check_plugin_exists(file, t, out);
    if (const auto* check = backend::builtin_table().validator(t.plugin)) (*check)(target_spec(file, t).settings, out);
  }
  return out;
}

std::unique_ptr<backend::Backend> open_target_wide(const descriptor::TargetsFile& file,
                                                   const descriptor::Target& target, const std::string& app,
                                                   const std::string& purpose) {
  backend::AppSpec spec;
  spec.app = app;
  spec.env = purpose;
  return backend::open_backend(target_spec(file, target), spec);
}

}  // namespace ecp::ops
