#pragma once
// The hooks of ecp.yaml around a release (Kamal's): local programs run as argv in
// the project's folder, with ECP_* variables describing the release and a
// deadline. pre-deploy runs once the plan says something will change and before
// the lock is taken: when it fails, nothing has changed and the release stops.
// post-deploy and post-rollback run after the outcome is recorded: when they
// fail, ecp warns and the release's outcome stands.
#include <string_view>

#include "core/ops/deploy.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/ops/release_engine.hpp"

namespace ecp::ops {

// What a hook is told besides the release input: ECP_REVISION, ECP_FROM_REVISION, ECP_OUTCOME.
struct HookFacts {
  int revision = 0;
  int from_revision = 0;
  std::string outcome;  // "" before the release
};

// Runs hook `name` (pre-deploy, post-deploy, post-rollback) when ecp.yaml has
// one. pre-deploy: a failure is Error(deploy_failed), exit 7; the others warn.
void run_hook(const TargetContext& ctx, const ReleaseInput& in, std::string_view name, const HookFacts& facts,
              const DeployEventFn& on_event);

}  // namespace ecp::ops
