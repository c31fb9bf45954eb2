// `ecp config diff ENV --against deployed`: what ENV would get now against the
// configuration of the revision serving at its target, read from the ledger there
// (the rendered file is stored by digest with each release).
#include <fmt/format.h>

#include "core/ops/config_ops.hpp"
#include "core/ops/deploy_config.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

DiffConfigResult diff_deployed(const ConfigOptions& options, std::string_view env) {
  auto project = load_project(options.project);
  config::SystemSecretResolver secrets;
  auto now = render_config(project, options, env, secrets);
  std::string app = project.descriptor.app;

  TargetContext ctx = open_target(std::move(project), std::string(env), 0);
  auto cur = ledger::current(ctx.ledger->records());
  if (!cur)
    fail(ErrorKind::usage, "nothing of {}/{} is deployed on target '{}' yet: no revision to compare with", app, env,
         ctx.target.name);
  auto text = ctx.ledger->exact_config(*cur, fmt::format("the configuration of revision {}", cur->revision));
  if (!text)
    fail(ErrorKind::io, "the configuration of revision {} ({}) is not stored at target '{}'", cur->revision,
         cur->config_digest, ctx.target.name);

  auto deployed = as_rendered(config_from_text(*text, cur->config_digest, declared_secrets(ctx.project)),
                              fmt::format("{} (deployed, revision {})", env, cur->revision));
  now.env = fmt::format("{} (now)", env);
  return DiffConfigResult{app, config::diff(deployed, now)};
}

}  // namespace ecp::ops
