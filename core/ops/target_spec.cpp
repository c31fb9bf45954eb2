#include "core/ops/target_spec.hpp"

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

Diagnostics check_target_settings(const descriptor::TargetsFile& file) {
  Diagnostics out;
  for (const auto& t : file.targets)
    if (const auto* check = backend::builtin_table().validator(t.plugin)) (*check)(target_spec(file, t).settings, out);
  return out;
}

}  // namespace ecp::ops
