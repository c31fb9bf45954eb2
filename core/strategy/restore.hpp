#pragma once
// Internal to core/strategy: the pieces the strategies share.
#include <string>
#include <vector>

#include "core/strategy/strategy.hpp"

namespace ecp::strategy::detail {

std::string describe(const std::vector<backend::Probe>& failed);
std::string describe(const std::vector<backend::Failure>& failed);
std::vector<backend::InstanceRef> refs(const std::vector<backend::InstanceSpec>& specs);
void emit(const Input& in, Event e);

// Puts every instance in `touched` back on what ran there before (per
// Input.running; instances that did not exist before are just stopped), waits for
// their health, and returns rolled_back or failed. Runs under a process::Shield.
Result restore(backend::Backend& backend, const Input& in, const std::vector<backend::InstanceRef>& touched,
               std::string reason, bool interrupted);

// The end of every way back: rolled_back with `reason` when nothing went wrong,
// else failed naming the problems; r.lost (unreachable locations) named either way.
void settle(Result& r, const std::string& reason, const std::vector<std::string>& problems);

}  // namespace ecp::strategy::detail
