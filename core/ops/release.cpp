// `ecp release`, as a straight list of steps:
//   1. load the project and check the environment exists (before building anything);
//   2. build, or reuse: the layer cache makes an unchanged tree a no-op;
//   3. push when the target pulls from a registry (host targets never do);
//   4. deploy through the release engine;
//   5. verify: every instance of the new revision answers its health check.
#include "core/ops/release.hpp"

#include <fmt/format.h>

#include "core/ops/governance.hpp"
#include "core/ops/push.hpp"
#include "core/ops/release_engine.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

ReleaseResult release(const ReleaseOptions& o) {
  if (o.env.empty()) fail(ErrorKind::usage, "which environment? give --env NAME");
  auto emit = [&](std::string type, std::string message) {
    if (o.on_event) o.on_event({std::move(type), std::move(message)});
  };
  // 1. The project, the environment and its configuration.
  Project project = load_project(o.project);
  if (!descriptor::find_environment(project.descriptor, o.env)) {
    fail(ErrorKind::usage, "{} has no environment '{}' (it has: {})", project.descriptor.file, o.env,
         text::join(project.descriptor.environments, ", ", [](const auto& e) { return e.name; }));
  }
  ReleaseInput in;
  in.config = render_deploy_config(o.project, project, o.env, o.overrides);

  // 2. Build (or reuse).
  ReleaseResult r;
  emit("build", fmt::format("building {}", project.descriptor.app));
  BuildOptions bo;
  bo.project = o.project;
  bo.tag = o.tag;
  bo.registry_timeout = o.registry_timeout;
  r.build = build(bo);
  emit("built", fmt::format("built {} {}", r.build.reference, r.build.digest));

  // 3. Push, when the target needs a registry.
  TargetContext ctx = open_target(std::move(project), o.env, configured_port(in.config));
  authorize(ctx, Action::release);  // before anything is pushed
  if (ctx.backend->capabilities().needs_registry) {
    if (ctx.target.registry.empty())
      fail(ErrorKind::validation,
           "target '{}' pulls images from a registry: name one with 'registry: NAME' in the "
           "targets file",
           ctx.target.name);
    emit("push", fmt::format("pushing {} to registry {}", r.build.reference, ctx.target.registry));
    PushOptions po;
    po.registry.project = o.project;
    po.registry.timeout = o.registry_timeout;
    po.image = r.build.reference;
    po.registry_name = ctx.target.registry;
    auto pushed = push(po);
    r.pushed = true;
    r.pushed_to = pushed.references.empty() ? "" : pushed.references.front();
    emit("pushed", fmt::format("pushed {}", r.pushed_to));
  }

  // 4. Deploy.
  in.image = resolve_image(r.build.digest);
  in.image.reference = r.build.reference;
  in.manual = o.manual;
  set_strategy(in, ctx, strategy_arg(o.strategy));
  in.change_id = o.change_id;
  in.emergency = o.emergency;
  r.deploy = execute(ctx, in, o.force, o.lock_wait, o.on_event);

  // 5. Verify what now serves.
  if (r.deploy.outcome == Outcome::succeeded || r.deploy.outcome == Outcome::unchanged ||
      r.deploy.outcome == Outcome::paused) {
    std::vector<backend::InstanceSpec> specs;
    for (const auto& i : r.deploy.instances) specs.push_back({{i.location, i.slot, i.index}, i.revision, i.port});
    std::vector<std::string> unhealthy;
    for (const auto& p : ctx.backend->health(specs))
      if (!p.healthy) unhealthy.push_back(fmt::format("{}: {}", p.ref.name(), p.detail));
    r.verified = unhealthy.empty();
    r.verify_detail = text::join(unhealthy, "; ");
    emit("verify", r.verified ? fmt::format("verified: {} instance(s) healthy", specs.size())
                              : "verification failed: " + r.verify_detail);
  }
  return r;
}

}  // namespace ecp::ops
