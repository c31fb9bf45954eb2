#pragma once
// Internal to core/strategy: bringing up the idle slot beside the live one, and
// the way back, shared by blue-green and canary.
#include <map>
#include <string>
#include <vector>

#include "core/strategy/strategy.hpp"

namespace ecp::strategy::detail {

// The least time a slot keeps running once the gateway sends it nothing: the
// requests the gateway's old workers still carry to it can finish.
inline constexpr backend::Duration drain{2000};

struct SlotPlan {
  std::string live;                           // "" on a first release
  std::string next;                           // the slot `desired` runs in
  std::vector<backend::InstanceRef> old;      // running in the live slot
  std::vector<backend::InstanceRef> stale;    // running in the next slot on another revision (a keep window)
  std::vector<backend::InstanceSpec> kept;    // desired instances already running their revision
  std::vector<backend::InstanceSpec> fresh;   // desired instances to start
  std::map<std::string, int> weights_before;  // the gateway as it was
};

SlotPlan plan_slots(backend::Router& router, const Input& in);
// A paused canary's slots: `desired` runs in its slot already, the live slot is
// the other one (what runs there is `old`; weights_before gives it everything).
SlotPlan paused_slots(const Input& in);

// Stops stale instances, keeps `kept`, starts `fresh`, waits until every desired
// instance is healthy. Returns "" or why it failed. A kept instance whose keep
// window ended meanwhile (its stop had begun, or it is gone) moves to `fresh`
// and starts like any other.
std::string bring_up(backend::Backend& backend, const Input& in, SlotPlan& p);

// Puts the gateway back (when `routed`), stops what bring_up started, and says
// rolled_back, or failed when the gateway could not be put back.
Result undo(backend::Backend& backend, const Input& in, const SlotPlan& p, bool routed, std::string reason,
            bool interrupted);

}  // namespace ecp::strategy::detail
