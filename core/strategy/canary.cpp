// canary: start the new revision in the idle slot, then move traffic to it in
// steps (5% -> 25% -> ... -> 100%). After each step's pause the canary is
// judged: its instances' health, and its error rate and p95 latency as the
// gateway logged them. A failed judgement puts all traffic back on the live
// slot and stops the canary. With `manual`, each step waits for
// `ecp canary promote` (or `abort`) instead of the pause.
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "core/strategy/restore.hpp"
#include "core/strategy/slot_switch.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"

namespace ecp::strategy {

using namespace detail;
using namespace std::chrono_literals;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "" when every canary instance answers its health check, else why not.
std::string unhealthy(backend::Backend& backend, const Input& in) {
  std::vector<backend::Probe> bad;
  for (const auto& p : backend.health(in.desired))
    if (!p.healthy) bad.push_back(p);
  return bad.empty() ? "" : "health check failed: " + describe(bad);
}

// Waits out a step's pause, watching the canary's health every 2 s. Returns "" or
// why the canary failed during the pause.
std::string watch(backend::Backend& backend, const Input& in) {
  auto until = std::chrono::steady_clock::now() + in.settings.pause;
  auto next_probe = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < until) {
    process::check_interrupted();
    if (in.should_stop && in.should_stop()) return "the lock was lost";
    if (std::chrono::steady_clock::now() >= next_probe) {
      if (auto why = unhealthy(backend, in); !why.empty()) return why;
      next_probe = std::chrono::steady_clock::now() + 2s;
    }
    std::this_thread::sleep_for(50ms);
  }
  return "";
}

}  // namespace

Result canary(backend::Backend& backend, const Input& input) {
  // ecp.yaml's steps always end at 100; an input without steps goes there at once.
  Input in = input;
  if (in.settings.steps.empty() || in.settings.steps.back() != 100) in.settings.steps.push_back(100);
  auto& router = *backend.router();
  SlotPlan p = in.resume_step >= 0 ? paused_slots(in) : plan_slots(router, in);
  const int n = static_cast<int>(in.settings.steps.size());
  auto label = [&](int i) { return fmt::format("step {}/{} ({}%)", i + 1, n, in.settings.steps[i]); };
  int i = in.resume_step >= 0 ? in.resume_step : 0;
  std::int64_t started = in.step_started_ms;
  bool routed = in.resume_step >= 0;
  try {
    if (in.resume_step < 0) {
      if (in.should_stop && in.should_stop()) return undo(backend, in, p, false, "stopped before it began", false);
      if (auto why = bring_up(backend, in, p); !why.empty()) return undo(backend, in, p, false, why, false);
    }
    for (bool first = true;; first = false, ++i) {
      bool resumed_here = first && in.resume_step >= 0;
      if (!resumed_here) {
        // Move traffic to this step's share.
        int pct = p.live.empty() ? 100 : in.settings.steps[i];
        routed = true;
        started = router.route(step_weights(p.live, p.next, pct), p.next, {});
        if (started <= 0) started = now_ms();  // a gateway that cannot tell
        emit(in, {"step", fmt::format("{}: {}% of the traffic on slot {}", label(i), pct, p.next), refs(in.desired),
                  i + 1, n});
        if (pct >= 100) break;
        if (in.manual) {
          Result r;
          r.outcome = Outcome::paused;
          r.touched = refs(in.desired);
          r.step = i;
          r.step_started_ms = started;
          r.message = fmt::format("paused at {}: ecp canary promote moves on, ecp canary abort rolls back", label(i));
          return r;
        }
        if (auto why = watch(backend, in); !why.empty())
          return undo(backend, in, p, routed, fmt::format("{}: {}", label(i), why), false);
      }
      // The analysis of this step.
      if (auto why = unhealthy(backend, in); !why.empty())
        return undo(backend, in, p, routed, fmt::format("{}: {}", label(i), why), false);
      auto traffic = router.traffic(started);
      auto verdict = judge(traffic[p.next], in.settings.analysis);
      if (verdict.ok && in.metrics) {
        auto m = in.metrics(p.next, in.desired.empty() ? 0 : in.desired.front().revision, started);
        verdict.ok = m.ok;
        verdict.detail = m.ok ? fmt::format("{}; {}", verdict.detail, m.detail) : m.detail;
      }
      if (!verdict.ok)
        return undo(backend, in, p, routed, fmt::format("{}: analysis failed: {}", label(i), verdict.detail), false);
      emit(in, {"analysis", fmt::format("{}: passed: {}", label(i), verdict.detail), refs(in.desired), i + 1, n});
      if (in.should_stop && in.should_stop()) return undo(backend, in, p, routed, "the lock was lost", false);
      if (i + 1 >= n) break;
    }
  } catch (const Error& e) {
    bool interrupted = e.kind() == ErrorKind::interrupted;
    // The gateway refused a step: it still routes as before that step, which the
    // way back replaces anyway (on the first step it never routed at all).
    if (e.kind() == ErrorKind::deploy_rolled_back && i == 0 && in.resume_step < 0) routed = false;
    return undo(backend, in, p, routed, interrupted ? std::string("interrupted") : std::string(e.what()), interrupted);
  }
  // All traffic on the new slot: the old one stops once its requests are done.
  Result r;
  r.touched = refs(in.desired);
  if (!p.old.empty()) {
    emit(in, {"stop", fmt::format("stopping slot {}", p.live), p.old});
    if (auto f = backend.stop_after(p.old, drain); !f.empty())
      emit(in, {"warning", "stopping the old slot: " + describe(f), p.old});
  }
  return r;
}

Result canary_abort(backend::Backend& backend, const Input& in, const std::string& reason) {
  SlotPlan p = paused_slots(in);
  return undo(backend, in, p, !p.old.empty(), reason, false);
}

}  // namespace ecp::strategy
