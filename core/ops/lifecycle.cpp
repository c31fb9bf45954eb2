#include "core/ops/lifecycle.hpp"

#include <fmt/format.h>

#include <optional>

#include "core/ledger/ledger.hpp"
#include "core/ops/degrade.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/ops/governance.hpp"
#include "core/strategy/health_gate.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

namespace {

void emit(const LifecycleOptions& o, std::string type, std::string message, int revision,
          std::vector<backend::InstanceRef> refs = {}) {
  if (o.on_event) o.on_event({std::move(type), std::move(message), std::move(refs), revision});
}

// What runs for the environment now, in any slot (remove stops them all).
std::vector<backend::InstanceRef> running_instances(TargetContext& ctx) {
  std::vector<backend::InstanceRef> out;
  for (const auto& i : ctx.backend->status().instances)
    if (!backend::is_down(i.state)) out.push_back(i.ref);
  return out;
}

// Everything the target keeps for the environment but its lock: the ledger,
// the configurations, the keys, the canary state.
void purge_state(TargetContext& ctx) {
  auto& kv = ctx.backend->state();
  // The audit log stays (append-only: it says who purged), and so does a freeze
  // (lifting one takes the freeze right: ecp unfreeze).
  for (const auto& [key, value] : kv.list(""))
    if (key != ledger::lock_key && !key.starts_with("audit/") && !key.starts_with("governance/"))
      kv.remove_if(key, value);
}

std::vector<std::string> failure_lines(const std::vector<backend::Failure>& failures) {
  std::vector<std::string> out;
  for (const auto& f : failures) out.push_back(fmt::format("{}: {}", f.ref.name(), f.message));
  return out;
}

}  // namespace

void record_event(TargetContext& ctx, std::string_view type, const std::string& message) {
  ledger::AuditEntry a;
  a.type = std::string(type);
  a.message = message;
  audit(ctx, a);
  ledger::Event e;
  e.type = std::string(type);
  e.who = who();
  e.when = text::rfc3339_ms(ledger::now_ms());
  e.message = message;
  ctx.ledger->add_event(e);
}

std::string_view to_string(Lifecycle l) {
  switch (l) {
    case Lifecycle::stop:
      return "stop";
    case Lifecycle::start:
      return "start";
    case Lifecycle::remove:
      return "remove";
  }
  return "";
}

LifecycleResult run_lifecycle(Lifecycle what, const LifecycleOptions& o) {
  // SIGINT/SIGTERM become a flag, so that the Shield below keeps a stop whole.
  process::InterruptScope interrupts;
  TargetContext ctx = open_target(o.project, o.env);
  authorize(ctx, Action::release);  // stopping, starting, removing: what may release may do these
  LifecycleResult r;
  r.app = ctx.app.app;
  r.env = ctx.app.env;
  r.target = ctx.target.name;
  auto lock = acquire_lock(ctx, std::string(to_string(what)), o.lock_wait);
  auto current = ledger::current(ctx.ledger->records());
  // The revision whose release the instances run (a scale's is the one it scaled).
  r.revision = current ? ledger::installed_revision(*current) : 0;
  if (!current && what == Lifecycle::start)
    fail(ErrorKind::usage, "{}/{} has no release to start: run ecp release --env {}", r.app, r.env, r.env);
  if (what == Lifecycle::start) refuse_degraded(ctx, ctx.backend->status());

  std::vector<backend::InstanceSpec> specs;
  if (current)
    for (const auto& i : current->instances) specs.push_back({{i.location, i.slot, i.index}, r.revision, i.port});
  std::vector<backend::Failure> failures;
  // Once stopping has begun it runs to its end and its event is written; a
  // start may be interrupted while it waits for health (exit 130).
  std::optional<process::Shield> shield;
  if (what == Lifecycle::start) {
    for (const auto& s : specs) r.instances.push_back(s.ref);
    emit(o, "start", fmt::format("starting {} instance(s) of revision {}", specs.size(), r.revision), r.revision,
         r.instances);
    failures = ctx.backend->start(specs);
    if (failures.empty()) {
      auto gate = strategy::wait_healthy(*ctx.backend, specs, ctx.app.health, [&](const strategy::Event& e) {
        emit(o, e.type, e.message, r.revision, e.instances);
      });
      for (const auto& p : gate.failed) failures.push_back({p.ref, "unhealthy: " + p.detail});
    }
    shield.emplace();
  } else {
    shield.emplace();
    r.instances = what == Lifecycle::remove ? running_instances(ctx) : std::vector<backend::InstanceRef>{};
    if (what == Lifecycle::stop)
      for (const auto& s : specs) r.instances.push_back(s.ref);
    emit(o, "stop", fmt::format("stopping {} instance(s)", r.instances.size()), r.revision, r.instances);
    failures = ctx.backend->stop(r.instances);
  }
  r.failures = failure_lines(failures);
  std::string message = fmt::format("{} {} instance(s) of revision {}{}", to_string(what), r.instances.size(),
                                    r.revision, r.failures.empty() ? "" : "; failed: " + text::join(r.failures, "; "));
  if (what == Lifecycle::remove && o.purge && r.failures.empty()) {
    ctx.backend->purge();
    purge_state(ctx);
    ledger::AuditEntry a;
    a.type = "purge";
    a.message = message;
    audit(ctx, a);
    r.purged = true;
  } else {
    record_event(ctx, to_string(what), message);
  }
  if (!r.failures.empty())
    fail(ErrorKind::deploy_failed, "{}/{}: {} failed on {}", r.app, r.env, to_string(what),
         text::join(r.failures, "; "));
  emit(o, "done", message, r.revision);
  return r;
}

}  // namespace ecp::ops
