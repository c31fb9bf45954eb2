#include "core/ops/plan.hpp"

#include <algorithm>

#include "core/ops/release_engine.hpp"
#include "core/ops/released_config.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

namespace ecp::ops {

DeployPlan plan(const DeployOptions& options, const std::filesystem::path& out) {
  DeployOptions o = options;
  o.dry_run = true;
  DeployPlan p = deploy(o).plan;
  p.overrides = o.overrides;
  if (!out.empty()) {
    // apply renders again from the saved --set values: a secret's would be kept in clear.
    auto secrets = declared_secrets(load_project(o.project));
    for (const auto& s : o.overrides.set)
      if (std::find(secrets.begin(), secrets.end(), s.substr(0, s.find('='))) != secrets.end())
        fail(ErrorKind::usage,
             "--set {}=…: a secret given with --set cannot be saved in a plan; give it as a secret reference "
             "in a --values file or ecp.yaml",
             s.substr(0, s.find('=')));
    fs::write_file_atomic(out, plan_to_json(p), 0600);
  }
  return p;
}

DeployResult apply(const ApplyOptions& o) {
  DeployPlan p = plan_from_json(fs::read_file(o.plan_file, 16u << 20), o.plan_file.string());
  Project project = load_project(o.project);
  if (project.descriptor.app != p.app)
    fail(ErrorKind::validation, "{} is a plan for app '{}', this project is '{}'", o.plan_file.string(), p.app,
         project.descriptor.app);
  ReleaseInput in;
  // A saved plan is a deploy or a rollback; scale and failover are planned and
  // run in one go (their instances run what is installed, which a plan file
  // could claim of any image).
  if (p.kind != ledger::Kind::deploy && p.kind != ledger::Kind::rollback)
    fail(ErrorKind::validation, "a plan of kind {} cannot be applied: run ecp {} again", ledger::to_string(p.kind),
         ledger::to_string(p.kind));
  in.kind = p.kind;
  in.rollback_to = p.rollback_to;
  // The configuration: a deploy renders it again and must get the planned digest;
  // a rollback takes it from the target, by digest.
  if (p.kind == ledger::Kind::rollback) {
    in.config.digest = p.config_digest;
  } else {
    in.config = render_deploy_config(o.project, project, p.env, p.overrides);
    if (in.config.digest != p.config_digest)
      fail(ErrorKind::validation,
           "the configuration of {} changed since the plan was made ({} now, {} planned); make a new plan", p.env,
           in.config.digest, p.config_digest);
  }
  int port = configured_port(in.config);
  TargetContext ctx = open_target(std::move(project), p.env, port);
  if (p.kind != ledger::Kind::rollback && !p.config_fingerprint.empty() &&
      fingerprint_at(ctx, in.config) != p.config_fingerprint)
    fail(ErrorKind::validation,
         "the configuration of {} changed since the plan was made (a secret's value, behind the same reference); "
         "make a new plan",
         p.env);
  if (p.kind == ledger::Kind::rollback) {
    auto target = ctx.ledger->get(p.rollback_to);
    if (!target) fail(ErrorKind::usage, "{}/{} has no revision {} any more", ctx.app.app, p.env, p.rollback_to);
    if (target->config_digest != p.config_digest)
      fail(ErrorKind::validation, "revision {} at the target released {}, the plan says {}; make a new plan",
           p.rollback_to, target->config_digest, p.config_digest);
    // A rollback puts back what ran, image included: a plan naming another image
    // is not one (and would skip the approvals a release needs).
    if (target->image_digest != p.image_digest)
      fail(ErrorKind::validation, "revision {} at the target ran {}, the plan says {}; make a new plan", p.rollback_to,
           target->image_digest, p.image_digest);
    in.config = released_config(ctx, *target, {});
    int rp = target->base_port > 0 ? target->base_port : configured_port(in.config);
    if (rp > 0) ctx.app.base_port = rp;
  }
  // The image: by digest, from the store when it is there, else from the plan's
  // layers (the hosts have them, as for a rollback).
  try {
    in.image = resolve_image(p.image_digest);
    in.image.reference = p.image;
  } catch (const Error&) {
    ledger::Record r;
    r.image = p.image;
    r.image_digest = p.image_digest;
    r.layers = p.layers;
    in.image = image_of(r);
  }
  set_strategy(in, ctx, p.strategy);  // keep, steps, pause, analysis: as ecp.yaml says now
  in.strategy.batch = p.batch;
  in.strategy.max_unavailable = p.max_unavailable;
  in.change_id = o.change_id;
  in.expect_next_revision = p.next_revision;
  return execute(ctx, in, true, o.lock_wait, o.on_event);
}

}  // namespace ecp::ops
