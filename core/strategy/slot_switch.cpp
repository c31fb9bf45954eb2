#include "core/strategy/slot_switch.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/strategy/health_gate.hpp"
#include "core/strategy/restore.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"

namespace ecp::strategy::detail {

SlotPlan plan_slots(backend::Router& router, const Input& in) {
  SlotPlan p;
  p.weights_before = router.weights();
  p.next = in.desired.empty() ? "a" : in.desired.front().ref.slot;
  p.live = live_slot(p.weights_before, in.running);
  if (p.live == p.next) p.live.clear();  // nothing else serves: a first release in this slot
  for (const auto& r : in.running) {
    if (r.ref.slot != p.next) {
      if (r.ref.slot == p.live) p.old.push_back(r.ref);
      continue;
    }
    bool same = std::any_of(in.desired.begin(), in.desired.end(),
                            [&](const auto& d) { return d.ref == r.ref && d.revision == r.revision; });
    if (!same) p.stale.push_back(r.ref);
  }
  for (const auto& d : in.desired) {
    bool runs = std::any_of(in.running.begin(), in.running.end(),
                            [&](const auto& r) { return r.ref == d.ref && r.revision == d.revision; });
    (runs ? p.kept : p.fresh).push_back(d);
  }
  return p;
}

SlotPlan paused_slots(const Input& in) {
  SlotPlan p;
  p.next = in.desired.empty() ? "b" : in.desired.front().ref.slot;
  p.live = idle_slot(p.next);
  p.fresh = in.desired;
  for (const auto& r : in.running)
    if (r.ref.slot == p.live) p.old.push_back(r.ref);
  if (!p.old.empty()) p.weights_before = {{p.live, 100}};
  return p;
}

std::string bring_up(backend::Backend& backend, const Input& in, SlotPlan& p) {
  if (!p.stale.empty()) {
    emit(in, {"stop", fmt::format("stopping {} instance(s) left in slot {}", p.stale.size(), p.next), p.stale});
    if (auto f = backend.stop(p.stale); !f.empty()) return "stopping failed: " + describe(f);
  }
  if (!p.kept.empty()) {
    emit(in, {"keep",
              fmt::format("slot {} still runs revision {}: keeping {} instance(s)", p.next, p.kept.front().revision,
                          p.kept.size()),
              refs(p.kept)});
    auto f = backend.keep_running(refs(p.kept));
    if (std::any_of(f.begin(), f.end(), [](const auto& x) { return !x.stopped; })) return describe(f);
    // Their stop had begun: they finish stopping here, then start like new ones
    // (an instance's port must be free before it starts again).
    std::vector<backend::InstanceRef> ended;
    for (const auto& x : f) {
      auto it = std::find_if(p.kept.begin(), p.kept.end(), [&](const auto& k) { return k.ref == x.ref; });
      if (it == p.kept.end()) continue;
      ended.push_back(it->ref);
      p.fresh.push_back(*it);
      p.kept.erase(it);
    }
    if (!ended.empty()) {
      emit(in, {"keep",
                fmt::format("the keep window of {} instance(s) in slot {} ended meanwhile: starting them again",
                            ended.size(), p.next),
                ended});
      if (auto s = backend.stop(ended); !s.empty()) return "stopping failed: " + describe(s);
    }
  }
  if (!p.fresh.empty()) {
    emit(in, {"start", fmt::format("starting {} instance(s) in slot {}", p.fresh.size(), p.next), refs(p.fresh)});
    if (auto f = backend.start(p.fresh); !f.empty()) return "starting failed: " + describe(f);
  }
  auto gate = wait_healthy(backend, in.desired, in.health, in.on_event);
  if (!gate.ok) return "health check failed: " + describe(gate.failed);
  return "";
}

Result undo(backend::Backend& backend, const Input& in, const SlotPlan& p, bool routed, std::string reason,
            bool interrupted) {
  process::Shield shield;  // the way back must finish, whatever the signals say
  Result r;
  r.interrupted = interrupted;
  r.touched = refs(p.fresh);
  emit(in, {"rollback", fmt::format("rolling back: {}", reason), r.touched});
  std::vector<std::string> problems;
  if (routed) {
    auto back = p.weights_before;
    if (back.empty() && !p.live.empty()) back = {{p.live, 100}};
    try {
      if (!back.empty()) {
        backend.router()->route(back, "", {});
        emit(in, {"route", fmt::format("traffic back on slot {}", live_slot(back, {})), {}});
      }
    } catch (const std::exception& e) {
      problems.push_back(fmt::format("putting the gateway back failed: {}", e.what()));
    }
  }
  try {
    for (const auto& f : backend.stop(refs(p.fresh))) {
      if (!f.unreachable)
        problems.push_back(f.message);
      else if (std::find(r.lost.begin(), r.lost.end(), f.ref.location) == r.lost.end())
        r.lost.push_back(f.ref.location);
    }
    // Instances kept from a keep window go back on their way out.
    if (!p.kept.empty()) backend.stop_after(refs(p.kept), in.settings.keep);
  } catch (const std::exception& e) {
    problems.push_back(e.what());
  }
  // The live slot never stopped serving; with the routes back it is as before.
  if (problems.empty())
    emit(in, {"restored",
              p.live.empty() ? std::string("the new instances are stopped")
                             : fmt::format("slot {} serves as before", p.live),
              {}});
  for (const auto& x : r.lost)
    emit(in, {"lost", fmt::format("{} is unreachable; its new instances could not be stopped", x), {}});
  settle(r, reason, problems);
  return r;
}

}  // namespace ecp::strategy::detail
