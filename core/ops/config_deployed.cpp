// `ecp config diff ENV --against deployed`: what ENV would get now against the
// configuration of the revision serving at its target, read from the ledger there
// (the rendered file is stored by digest with each release).
#include <fmt/format.h>

#include <algorithm>

#include "core/ops/config_ops.hpp"
#include "core/ops/deploy_config.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

DiffConfigResult diff_deployed(const ConfigOptions& options, std::string_view env) {
  auto project = load_project(options.project);
  config::SystemSecretResolver secrets;
  auto now = render_config(project, options, env, secrets);
  std::vector<std::string> secret_keys;
  for (const auto& k : project.descriptor.config)
    if (k.secret) secret_keys.push_back(k.name);
  std::string app = project.descriptor.app;

  TargetContext ctx = open_target(std::move(project), std::string(env), 0);
  auto cur = ledger::current(ctx.ledger->records());
  if (!cur)
    fail(ErrorKind::usage, "nothing of {}/{} is deployed on target '{}' yet: no revision to compare with", app, env,
         ctx.target.name);
  auto text = ctx.ledger->config(cur->config_digest);
  if (!text)
    fail(ErrorKind::io, "the configuration of revision {} ({}) is not stored at target '{}'", cur->revision,
         cur->config_digest, ctx.target.name);

  config::Rendered deployed;
  deployed.env = fmt::format("{} (deployed, revision {})", env, cur->revision);
  deployed.digest = cur->config_digest;
  for (const auto& [k, v] : config_from_text(*text, cur->config_digest, secret_keys).values) {
    config::RenderedValue rv;
    rv.key = k;
    rv.value = v;
    rv.secret = std::find(secret_keys.begin(), secret_keys.end(), k) != secret_keys.end();
    deployed.values.push_back(std::move(rv));
  }
  std::sort(deployed.values.begin(), deployed.values.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  now.env = fmt::format("{} (now)", env);
  return DiffConfigResult{app, config::diff(deployed, now)};
}

}  // namespace ecp::ops
