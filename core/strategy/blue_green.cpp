// blue-green: start the new revision in the idle slot beside the live one,
// gate on health, switch 100% of the traffic at the gateway, and leave the old
// slot running for `keep` so that a rollback within that window only flips the
// gateway back. A failure before the switch leaves the live slot serving
// untouched; a failure after it puts the gateway back.
#include <fmt/format.h>

#include <algorithm>

#include "core/strategy/restore.hpp"
#include "core/strategy/slot_switch.hpp"
#include "core/util/error.hpp"

namespace ecp::strategy {

using namespace detail;

Result blue_green(backend::Backend& backend, const Input& in) {
  auto& router = *backend.router();
  SlotPlan p = plan_slots(router, in);
  bool routed = false;
  try {
    if (in.should_stop && in.should_stop()) return undo(backend, in, p, false, "stopped before it began", false);
    // 1. The new slot, healthy, while the live one serves.
    if (auto why = bring_up(backend, in, p); !why.empty()) return undo(backend, in, p, false, why, false);
    if (in.should_stop && in.should_stop()) return undo(backend, in, p, false, "the lock was lost", false);
    // 2. The switch: one gateway reload, no connection dropped.
    routed = true;
    router.route({{p.next, 100}}, p.next, {});
    emit(in, {"route",
              fmt::format("traffic: 100% on slot {}{}", p.next,
                          p.live.empty() ? "" : fmt::format(" (was slot {})", p.live)),
              refs(in.desired)});
  } catch (const Error& e) {
    bool interrupted = e.kind() == ErrorKind::interrupted;
    if (e.kind() == ErrorKind::deploy_rolled_back) routed = false;  // the gateway refused it: nothing changed
    return undo(backend, in, p, routed, interrupted ? std::string("interrupted") : std::string(e.what()), interrupted);
  }
  // 3. The old slot stays for the keep window, then stops by itself.
  Result r;
  r.touched = refs(in.desired);
  if (!p.old.empty()) {
    auto keep = std::max(in.settings.keep, drain);
    auto f = backend.stop_after(p.old, keep);
    emit(in, {"keep",
              in.settings.keep > drain
                  ? fmt::format("slot {} keeps running for {} s for an instant rollback", p.live, keep.count() / 1000)
                  : fmt::format("slot {} stops once its requests are done", p.live),
              p.old});
    if (!f.empty()) emit(in, {"warning", "stopping the old slot: " + describe(f), p.old});
  }
  return r;
}

}  // namespace ecp::strategy
