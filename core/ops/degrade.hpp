#pragma once
// `ecp degrade` and `ecp restore`: when a target runs short, the apps of lower
// priority (ecp.yaml's `priority: core|normal|low`, recorded with each release
// at the target) pause so that the core ones keep serving. Target-wide: every
// (app, env) released there counts, whichever project released it. Each paused
// environment's instances stop as `degraded` (a reboot leaves them down), its
// gateway answers 503 with a page that says who paused it, when and why, and
// its ledger and audit log get the event under its own lock. `ecp restore`
// starts them again on their revision, health-gated, and only then lets the
// gateway route to them.
#include <chrono>
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/ops/deploy.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/ops/validate.hpp"

namespace ecp::ops {

struct DegradeOptions {
  ValidateOptions project;
  std::string target;
  std::string below = "normal";  // degrade: the priorities under this one pause
  std::string reason;            // degrade: why (in the record and on the 503 page)
  std::chrono::milliseconds lock_wait{0};
  DeployEventFn on_event;
};

struct DegradedEnv {
  std::string app, env, priority;
  std::vector<std::string> instances;  // "LOCATION SLOT-INDEX" stopped (degrade) or started (restore)
};

struct DegradeResult {
  std::string target;
  std::vector<DegradedEnv> acted;        // paused (degrade) or back (restore)
  std::vector<backend::HostedEnv> left;  // every other (app, env) at the target, as it was
};

DegradeResult degrade(const DegradeOptions& options);
DegradeResult restore(const DegradeOptions& options);

// Refuses (Error(usage), exit 2) to start or release into an environment that
// `ecp degrade` paused: `ecp restore` brings it back.
void refuse_degraded(TargetContext& ctx, const backend::TargetStatus& status);

}  // namespace ecp::ops
