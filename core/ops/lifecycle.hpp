#pragma once
// `ecp stop`, `ecp start` and `ecp remove`: the instances of an environment
// without a new revision (kamal app stop/start, kamal remove, helm uninstall).
// Each holds the (app, env) lock and leaves an event in the ledger, so history
// says who stopped what and when; `remove --purge` also removes the installed
// releases and every record the target keeps for the environment.
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/ops/deploy.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/ops/validate.hpp"

namespace ecp::ops {

enum class Lifecycle { stop, start, remove };
std::string_view to_string(Lifecycle l);  // stop, start, remove

struct LifecycleOptions {
  ValidateOptions project;
  std::string env;
  std::chrono::milliseconds lock_wait{0};
  bool purge = false;  // remove: also the releases and the ledger
  DeployEventFn on_event;
};

struct LifecycleResult {
  std::string app, env, target;
  int revision = 0;                             // the current revision whose instances were acted on
  std::vector<backend::InstanceRef> instances;  // what was stopped or started
  std::vector<std::string> failures;            // instances the target could not act on, with why
  bool purged = false;
};

// stop: the current revision's instances stop (a pending blue-green stop too).
// start: they start again on their ports and must pass their health checks
// (else Error(deploy_failed), exit 7). remove: every instance of the
// environment stops, in every slot. A failure on some instance is
// Error(deploy_failed) naming each, after the others were acted on.
LifecycleResult run_lifecycle(Lifecycle what, const LifecycleOptions& options);

// An event of `type` in ctx's ledger (history) and its audit log.
void record_event(TargetContext& ctx, std::string_view type, const std::string& message);

}  // namespace ecp::ops
