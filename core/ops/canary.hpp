#pragma once
// `ecp canary promote|abort`: a canary released with --manual waits at each step
// with its state at the target (key canary.json) and the ledger record of its
// revision saying paused; the lock is free meanwhile, and the state keeps other
// releases out until the canary is promoted to 100% or aborted.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ops/deploy.hpp"
#include "core/ops/deploy_context.hpp"

namespace ecp::ops {

struct CanaryState {
  int revision = 0;
  int step = 0;  // index into steps, routed since step_started_ms
  std::vector<int> steps;
  std::int64_t step_started_ms = 0;
  int percent() const { return step >= 0 && step < static_cast<int>(steps.size()) ? steps[step] : 0; }
};

std::optional<CanaryState> read_canary(TargetContext& ctx);
void write_canary(TargetContext& ctx, const CanaryState& state);
void clear_canary(TargetContext& ctx);

struct CanaryOptions {
  ValidateOptions project;
  std::string env;
  bool abort = false;  // abort: traffic back on the live slot, the canary stopped
  bool full = false;   // promote: straight to 100% once this step's analysis passes
  std::chrono::milliseconds lock_wait{0};
  DeployEventFn on_event;
};

// Judges the current step and moves to the next one (or all the way with
// `full`), or aborts. Throws Error(usage) when no canary is paused.
DeployResult canary(const CanaryOptions& options);

}  // namespace ecp::ops
