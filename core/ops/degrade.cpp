#include "core/ops/degrade.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "core/ledger/ledger.hpp"
#include "core/ops/governance.hpp"
#include "core/ops/lifecycle.hpp"
#include "core/ops/release_engine.hpp"
#include "core/ops/target_spec.hpp"
#include "core/strategy/health_gate.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

namespace {

// The target T of the targets file, and a backend there for the target-wide
// questions (which apps it serves): bound to no environment of its own.
struct AtTarget {
  Project project;
  const descriptor::Target* target = nullptr;
  std::unique_ptr<backend::Backend> backend;
};

AtTarget open_at(const DegradeOptions& o) {
  if (o.target.empty()) fail(ErrorKind::usage, "which target? give --target NAME");
  AtTarget a{load_project(o.project), nullptr, nullptr};
  a.target = descriptor::find_target(a.project.targets, o.target);
  if (!a.target)
    fail(ErrorKind::usage, "there is no target '{}' (there are: {})", o.target,
         text::join(descriptor::target_names(a.project.targets), ", "));
  a.backend = open_target_wide(a.project.targets, *a.target, a.project.descriptor.app, "degrade");
  if (!a.backend->capabilities().degrade)
    fail(ErrorKind::usage, "target '{}' (plugin {}) cannot pause apps: ecp degrade works on host targets",
         a.target->name, a.target->plugin);
  return a;
}

// One (app, env) at the target, whichever project released it: its ledger, its
// lock and its audit log, under the access rules of this targets file.
TargetContext open_hosted(const AtTarget& a, const backend::HostedEnv& h) {
  TargetContext c;
  c.project = a.project;
  c.target = *a.target;
  c.env.name = h.env;
  c.env.target = a.target->name;
  c.target_spec = target_spec(a.project.targets, *a.target);
  c.app.app = h.app;
  c.app.env = h.env;
  c.app.priority = h.priority;
  c.app.health.path = h.health_path;
  // The app's own ecp.yaml is not at hand: a start-up window of a minute.
  c.app.health.interval = std::chrono::seconds(1);
  c.app.health.retries = 60;
  c.backend = backend::open_backend(c.target_spec, c.app);
  c.ledger = std::make_unique<ledger::Ledger>(c.backend->state());
  return c;
}

void emit(const DegradeOptions& o, std::string type, std::string message) {
  if (o.on_event) o.on_event({std::move(type), std::move(message), {}, 0});
}

// `act` on each (app, env) at the target that `pick` chooses, under its lock.
template <class Pick, class Act>
DegradeResult for_each_hosted(const DegradeOptions& o, std::string_view what, Pick pick, Act act) {
  process::InterruptScope interrupts;
  AtTarget at = open_at(o);
  DegradeResult r;
  r.target = at.target->name;
  auto hosted = at.backend->hosted();
  std::sort(hosted.begin(), hosted.end(),
            [](const auto& x, const auto& y) { return std::tie(x.app, x.env) < std::tie(y.app, y.env); });
  std::vector<std::pair<TargetContext, backend::HostedEnv>> chosen;
  for (const auto& h : hosted) {
    if (!pick(h)) {
      r.left.push_back(h);
      continue;
    }
    chosen.emplace_back(open_hosted(at, h), h);
  }
  // Every one allowed before any is touched: a refusal changes nothing.
  for (auto& [c, h] : chosen) authorize(c, Action::release);
  for (auto& [c, h] : chosen) {
    auto lock = acquire_lock(c, fmt::format("{} {}/{}", what, c.app.app, c.app.env), o.lock_wait);
    // nullopt: nothing to act on (nothing runs to pause)
    if (std::optional<DegradedEnv> d = act(c))
      r.acted.push_back(std::move(*d));
    else
      r.left.push_back(h);
    lock->release();
  }
  return r;
}

}  // namespace

void refuse_degraded(TargetContext& ctx, const backend::TargetStatus& status) {
  for (const auto& i : status.instances)
    if (i.state == backend::InstanceState::degraded)
      fail(ErrorKind::usage, "{}/{} is paused by ecp degrade on target '{}': `ecp restore --target {}` brings it back",
           ctx.app.app, ctx.app.env, ctx.target.name, ctx.target.name);
}

DegradeResult degrade(const DegradeOptions& options) {
  DegradeOptions o = options;
  int below = backend::priority_rank(o.below);
  if (below < 0) fail(ErrorKind::usage, "--below {}: expected core, normal or low", o.below);
  if (o.reason.empty()) o.reason = "no reason given";
  std::string note = fmt::format("paused by {} at {} (priority below {}): {}", who(),
                                 text::rfc3339(ledger::now_ms() / 1000), o.below, o.reason);
  auto pick = [&](const backend::HostedEnv& h) { return !h.degraded && backend::priority_rank(h.priority) < below; };
  return for_each_hosted(o, "degrade", pick, [&](TargetContext& c) -> std::optional<DegradedEnv> {
    // An environment stopped already (ecp stop) has nothing to pause.
    auto st = c.backend->status();
    if (std::all_of(st.instances.begin(), st.instances.end(), [](const auto& i) { return backend::is_down(i.state); }))
      return std::nullopt;
    emit(o, "degrade", fmt::format("pausing {}/{} (priority {})", c.app.app, c.app.env, c.app.priority));
    process::Shield shield;  // a pause, once begun, is recorded whole
    DegradedEnv d{c.app.app, c.app.env, c.app.priority, c.backend->degrade(note)};
    record_event(c, "degrade", fmt::format("{} instance(s) {}", d.instances.size(), note));
    return d;
  });
}

DegradeResult restore(const DegradeOptions& options) {
  const DegradeOptions& o = options;
  std::vector<std::string> failures;
  auto result = for_each_hosted(
      o, "restore", [](const backend::HostedEnv& h) { return h.degraded; },
      [&](TargetContext& c) -> std::optional<DegradedEnv> {
        DegradedEnv d{c.app.app, c.app.env, c.app.priority, {}};
        std::vector<backend::InstanceSpec> specs;
        for (const auto& i : c.backend->status().instances)
          if (i.state == backend::InstanceState::degraded) {
            specs.push_back({i.ref, i.revision, i.port});
            d.instances.push_back(fmt::format("{} {}", i.ref.location, i.ref.name()));
          }
        emit(o, "start", fmt::format("starting {} instance(s) of {}/{}", specs.size(), c.app.app, c.app.env));
        std::vector<std::string> bad;
        for (const auto& f : c.backend->start(specs)) bad.push_back(fmt::format("{}: {}", f.ref.name(), f.message));
        if (bad.empty()) {
          auto gate = strategy::wait_healthy(*c.backend, specs, c.app.health,
                                             [&](const strategy::Event& e) { emit(o, e.type, e.message); });
          for (const auto& p : gate.failed) bad.push_back(fmt::format("{}: unhealthy: {}", p.ref.name(), p.detail));
        }
        if (!bad.empty()) {
          // Paused again, as it was: its gateway kept answering 503, and a later
          // restore finds its instances degraded to start once more.
          failures.push_back(fmt::format("{}/{}: {}", c.app.app, c.app.env, text::join(bad, "; ")));
          process::Shield shield;
          // The note is the public 503 page's: why it failed goes to the ledger only.
          c.backend->degrade(fmt::format("paused: a restore by {} at {} did not bring it back", who(),
                                         text::rfc3339(ledger::now_ms() / 1000)));
          record_event(c, "restore", "failed, paused again: " + text::join(bad, "; "));
          return d;
        }
        c.backend->undegrade();
        record_event(c, "restore",
                     fmt::format("{} instance(s) started, healthy; the gateway routes again", specs.size()));
        return d;
      });
  if (!failures.empty())
    fail(ErrorKind::deploy_failed, "restore on target '{}' failed: {}", result.target, text::join(failures, "; "));
  return result;
}

}  // namespace ecp::ops
