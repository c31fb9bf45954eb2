// `ecp deploy`: load, render, open the target, pick the image, then plan only
// (--dry-run) or run the release engine (release_engine.cpp).
#include "core/ops/deploy.hpp"

#include "core/ops/release_engine.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

DeployResult deploy(const DeployOptions& o) {
  if (o.env.empty()) fail(ErrorKind::usage, "which environment? give --env NAME");
  if (!o.image.empty() && o.revision > 0) fail(ErrorKind::usage, "--image and --revision exclude each other");
  // 1. The project and the environment's configuration (its LISTEN_PORT sets the ports).
  Project project = load_project(o.project);
  ReleaseInput in;
  in.config = render_deploy_config(o.project, project, o.env, o.overrides);
  std::string default_ref = o.image.empty() && o.revision == 0 ? default_image_reference(o.project, project) : "";
  // 2. The target and its ledger.
  TargetContext ctx = open_target(std::move(project), o.env, configured_port(in.config));
  // 3. The image: --image, the image of --revision N, or the project's current build.
  if (o.revision > 0) {
    auto rec = ctx.ledger->get(o.revision);
    if (!rec) fail(ErrorKind::usage, "{}/{} has no revision {} (see ecp history)", ctx.app.app, o.env, o.revision);
    in.image = image_of(*rec);
  } else {
    std::string ref = o.image.empty() ? default_ref : o.image;
    try {
      in.image = resolve_image(ref);
    } catch (const Error& e) {
      // Only "no such image" asks for a build; an image ecp cannot deploy says why.
      if (!o.image.empty() || e.kind() != ErrorKind::usage) throw;
      fail(ErrorKind::usage, "{}; build it first (ecp build), or build and deploy in one go: ecp release --env {}",
           e.what(), o.env);
    }
  }
  in.manual = o.manual;
  set_strategy(in, ctx, strategy_arg(o.strategy));
  in.change_id = o.change_id;
  in.emergency = o.emergency;
  // 4. Plan only, or release.
  if (o.dry_run) {
    DeployResult r;
    r.plan = make_plan(ctx, in);
    r.outcome = Outcome::planned;
    if (o.manifests) {
      backend::ReleaseSpec release{r.plan.next_revision,
                                   in.image.reference,
                                   in.image.digest,
                                   in.image.layers,
                                   o.reveal_secrets ? in.config.text : in.config.reference_text,
                                   in.config.digest,
                                   r.plan.config_fingerprint,
                                   "",
                                   ""};
      if (!ctx.registry_repository.empty()) release.pull_reference = ctx.registry_repository + "@" + in.image.digest;
      r.manifests = ctx.backend->manifests(release, ctx.env.replicas, in.strategy.type == strategy::Type::recreate);
      if (r.manifests.empty())
        fail(ErrorKind::usage, "target '{}' ({}) has no manifests to show; -o yaml is for kubernetes targets",
             ctx.target_spec.name, ctx.target_spec.plugin);
    }
    return r;
  }
  return execute(ctx, in, o.force, o.lock_wait, o.on_event);
}

}  // namespace ecp::ops
