#pragma once
// What every release-side command (deploy, rollback, plan, status, history, logs,
// unlock) starts from: the project, the environment, its target opened as a
// backend, and the ledger stored at that target.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/backend/backend.hpp"
#include "core/ledger/audit.hpp"
#include "core/ledger/ledger.hpp"
#include "core/ledger/lock.hpp"
#include "core/ops/validate.hpp"
#include "core/util/clock.hpp"

namespace ecp::ops {

using Duration = std::chrono::milliseconds;

struct TargetContext {
  Project project;
  descriptor::Environment env;
  descriptor::Target target;
  backend::TargetSpec target_spec;
  backend::AppSpec app;
  std::string registry_repository;  // REGISTRY/APP in the target's registry; "" = it names none
  std::unique_ptr<backend::Backend> backend;
  std::unique_ptr<ledger::Ledger> ledger;
  Clock* clock = &system_clock();  // the lock's lease and waits (tests pass a manual one)
  std::optional<ledger::Actor> actor;  // who acts at the target (governance.hpp: actor_of), once asked
};

// Opens the environment's target of a loaded project. `base_port` overrides the
// app's main port (the rendered LISTEN_PORT, see release_engine.hpp); 0 = run.ports.
TargetContext open_target(Project project, const std::string& env, int base_port = 0);
// Loads the project first.
TargetContext open_target(const ValidateOptions& files, const std::string& env);

// Who is releasing: CI variables, else git's user.name/user.email, else $USER.
std::string who();
// Who holds a lock: who() plus this machine and process.
std::string lock_holder();
// $ECP_LOCK_LEASE (a duration, e.g. 30s), else 60 s.
Duration lock_lease();

// Takes the (app, env) lock, waiting up to `wait` for a holder to finish. Throws
// Error(lock_held) naming the holder and since when. (release_engine_transaction.cpp)
std::unique_ptr<ledger::HeldLock> acquire_lock(TargetContext& ctx, const std::string& operation, Duration wait);

// Parses a duration ("90s", "1m30s", "500ms"); throws Error(usage) naming `what`.
Duration parse_duration_arg(const std::string& text, const std::string& what);

// The instances an environment wants: replicas on every location, slot `slot`.
std::vector<backend::InstanceSpec> desired_instances(TargetContext& ctx, int replicas, int revision,
                                                     const std::string& slot = "a");

}  // namespace ecp::ops
