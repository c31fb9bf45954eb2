// `ecp promote`, as a straight list of steps:
//   1. the project, both environments, the pipeline rule;
//   2. the source revision from the source target's ledger: it must have succeeded;
//   3. the image where the destination takes it from, by digest: copied from the
//      source's registry to the destination's (engines, Kubernetes), or into
//      ecp's store for hosts; a digest other than the record's is refused;
//   4. the release engine, with the destination's configuration, recording
//      promoted_from.
#include "core/ops/promote.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/oci/reference.hpp"
#include "core/ops/approvals.hpp"
#include "core/ops/copy.hpp"
#include "core/ops/governance.hpp"
#include "core/ops/pull.hpp"
#include "core/ops/push.hpp"
#include "core/ops/release_engine.hpp"
#include "core/ops/release_gates.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

namespace {

void check_environment(const Project& project, const std::string& env, const char* flag) {
  if (env.empty()) fail(ErrorKind::usage, "which environment? give {} NAME", flag);
  if (!descriptor::find_environment(project.descriptor, env))
    fail(ErrorKind::usage, "{} has no environment '{}' (it has: {})", project.descriptor.file, env,
         text::join(project.descriptor.environments, ", ", [](const auto& e) { return e.name; }));
}

ledger::Record source_record(TargetContext& src, int revision) {
  auto records = src.ledger->records();
  std::optional<ledger::Record> rec;
  if (revision > 0) {
    auto it = std::find_if(records.begin(), records.end(), [&](const auto& r) { return r.revision == revision; });
    if (it == records.end())
      fail(ErrorKind::usage, "{}/{} has no revision {} (see ecp history --env {})", src.app.app, src.app.env, revision,
           src.app.env);
    rec = *it;
  } else {
    rec = ledger::current(records);
    if (!rec) fail(ErrorKind::usage, "{}/{} has no release to promote", src.app.app, src.app.env);
  }
  if (rec->outcome != ledger::Outcome::succeeded)
    fail(ErrorKind::validation,
         "revision {} of {}/{} did not succeed (it {}): only a revision that succeeded is promoted", rec->revision,
         src.app.app, src.app.env, ledger::to_string(rec->outcome));
  if (rec->image_digest.empty())
    fail(ErrorKind::validation, "revision {} of {}/{} records no image digest: it cannot be promoted by digest",
         rec->revision, src.app.app, src.app.env);
  return *rec;
}

void same_digest(const std::string& got, const ledger::Record& rec, const std::string& where) {
  if (got != rec.image_digest)
    fail(ErrorKind::deploy_failed,
         "{} has {} where revision {} of {} ran {}: the image changed since; nothing was promoted", where, got,
         rec.revision, rec.env, rec.image_digest);
}

// The tag the destination gets: the source reference's, else promoted-rN.
std::string tag_for(const ledger::Record& rec) {
  try {
    auto ref = oci::parse_reference(rec.image);
    if (!ref.tag.empty()) return ref.tag;
  } catch (const Error&) {
  }
  return fmt::format("promoted-r{}", rec.revision);
}

// Step 3: the image, by digest, where `dst` takes it from: a registry (copied
// from the source's, or pushed from ecp's store), or ecp's store (hosts; pulled
// from the source's registry when missing). Returns the reference dst pulls.
std::string deliver(const PromoteOptions& o, const TargetContext& src, TargetContext& dst, const ledger::Record& rec,
                    ReleaseInput& in, bool& copied) {
  auto emit = [&](std::string type, std::string message) {
    if (o.on_event) o.on_event({std::move(type), std::move(message)});
  };
  RegistryOptions registry;
  registry.project = o.project;
  registry.timeout = o.registry_timeout;
  std::string from_registry = src.registry_repository.empty() ? "" : src.registry_repository + "@" + rec.image_digest;
  if (dst.backend->capabilities().needs_registry) {
    if (dst.registry_repository.empty())
      fail(ErrorKind::validation,
           "target '{}' pulls images from a registry: name one with 'registry: NAME' in the targets file",
           dst.target.name);
    std::string to_ref = dst.registry_repository + ":" + tag_for(rec);
    if (!from_registry.empty() && src.registry_repository != dst.registry_repository) {
      emit("copy", fmt::format("copying {} to {}", from_registry, to_ref));
      CopyOptions co;
      co.registry = registry;
      co.source = from_registry;
      co.destination = to_ref;
      same_digest(copy(co).digest, rec, to_ref);
      copied = true;
    } else if (from_registry.empty()) {
      // The source ran from ecp's store (hosts): push the same digest from it.
      emit("push", fmt::format("pushing {} to {}", rec.image_digest, to_ref));
      PushOptions po;
      po.registry = registry;
      po.image = rec.image_digest;
      po.destinations = {to_ref};
      same_digest(push(po).digest, rec, to_ref);
      copied = true;
    }
    return to_ref;
  }
  // Hosts take the layers from ecp's store: fetch them from the source's registry when missing.
  bool missing =
      std::any_of(in.image.layers.begin(), in.image.layers.end(), [](const auto& l) { return l.path.empty(); });
  if (missing && !from_registry.empty()) {
    emit("pull", fmt::format("pulling {}", from_registry));
    PullOptions po;
    po.registry = registry;
    po.reference = from_registry;
    same_digest(pull(po).digest, rec, "ecp's store");
    in.image = image_of(rec);
  }
  return rec.image;
}

}  // namespace

std::string pipeline_problem(const std::vector<std::string>& pipeline, const std::string& from, const std::string& to) {
  if (from == to) return fmt::format("--from and --to are both '{}'", from);
  if (pipeline.empty()) return "";
  auto at = [&](const std::string& e) { return std::find(pipeline.begin(), pipeline.end(), e); };
  auto t = at(to);
  if (t == pipeline.end())
    return fmt::format("'{}' is not in the pipeline [{}]: nothing is promoted to it", to, text::join(pipeline, ", "));
  if (t == pipeline.begin())
    return fmt::format("'{}' is first in the pipeline [{}]: it takes releases, not promotions", to,
                       text::join(pipeline, ", "));
  if (*(t - 1) != from)
    return fmt::format("the pipeline [{}] promotes to '{}' from '{}' only, not from '{}'", text::join(pipeline, ", "),
                       to, *(t - 1), from);
  return "";
}

PromoteResult promote(const PromoteOptions& o) {
  auto emit = [&](std::string type, std::string message) {
    if (o.on_event) o.on_event({std::move(type), std::move(message)});
  };
  // 1. The project, both environments, the pipeline.
  Project project = load_project(o.project);
  check_environment(project, o.from, "--from");
  check_environment(project, o.to, "--to");
  if (auto why = pipeline_problem(project.descriptor.pipeline, o.from, o.to); !why.empty())
    fail(ErrorKind::usage, "{}: {}", project.descriptor.file, why);

  // 2. The source revision.
  PromoteResult r;
  TargetContext src = open_target(project, o.from);
  ledger::Record rec = source_record(src, o.revision);
  r.source = {o.from, rec.revision, rec.image_digest};
  emit("promote",
       fmt::format("promoting revision {} of {}/{} ({}) to {}", rec.revision, rec.app, o.from, rec.image_digest, o.to));

  // 3. The image where the destination takes it from.
  ReleaseInput in;
  in.config = render_deploy_config(o.project, project, o.to, o.overrides);
  TargetContext dst = open_target(std::move(project), o.to, configured_port(in.config));
  in.image = image_of(rec);
  if (o.dry_run) {
    // What would be released, by digest, without moving the image.
    if (!dst.registry_repository.empty()) in.image.reference = dst.registry_repository + ":" + tag_for(rec);
    in.promoted_from = r.source;
    set_strategy(in, dst, strategy_arg(o.strategy));
    r.deploy.plan = make_plan(dst, in);
    r.deploy.outcome = Outcome::planned;
    return r;
  }
  // Who may, when, and with which approvals: before the image moves or a tag changes.
  in.promoted_from = r.source;
  in.emergency = o.emergency;
  authorize(dst, Action::promote);
  check_release_gates(dst, in.emergency);
  check_approvals(dst, in);
  in.governed = true;
  r.image = deliver(o, src, dst, rec, in, r.copied);

  // 4. The release, recorded as promoted.
  in.image.reference = r.image.empty() ? rec.image : r.image;
  in.promoted_from = r.source;
  set_strategy(in, dst, strategy_arg(o.strategy));
  in.change_id = o.change_id;
  in.emergency = o.emergency;
  r.deploy = execute(dst, in, o.force, o.lock_wait, o.on_event);
  return r;
}

}  // namespace ecp::ops
