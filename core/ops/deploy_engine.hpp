#pragma once
// Internal to core/ops: the release engine deploy, rollback and apply share, and
// where their images come from.
#include <optional>
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/ledger/record.hpp"
#include "core/ops/deploy.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/strategy/strategy.hpp"

namespace ecp::ops {

struct ResolvedImage {
  std::string reference;
  std::string digest;
  std::vector<backend::LayerBlob> layers;  // the app layers (paths into ecp's store, when it has them)
};

// An image of ecp's store by tag or digest; its app layers are those `ecp build`
// made (by the image config's history), else every layer.
ResolvedImage resolve_image(const std::string& reference);
// The reference `ecp build` gives the project's image now (APP:TAG).
std::string default_image_reference(const ValidateOptions& files, const Project& project);
// The image a ledger record ran; layer paths are filled where the store has them.
ResolvedImage image_of(const ledger::Record& r);

struct ReleaseInput {
  ledger::Kind kind = ledger::Kind::deploy;
  int rollback_to = 0;
  ResolvedImage image;
  DeployConfig config;
  strategy::Settings strategy;  // the environment's, with --strategy's type (set_strategy)
  bool manual = false;          // canary: --manual
  std::string change_id;
  std::optional<int> expect_next_revision;  // apply: refuse when the ledger moved since the plan
};

// The strategy settings of the environment, with --strategy applied.
void set_strategy(ReleaseInput& in, const TargetContext& ctx, std::optional<strategy::Type> override_type);
// --strategy NAME: nullopt when not given; Error(usage) for a name ecp does not know.
std::optional<strategy::Type> strategy_arg(const std::string& name);

// `probe`: run the health checks to tell whether an unchanged release still serves
// everywhere (a forced release does not need to know).
DeployPlan make_plan(TargetContext& ctx, const ReleaseInput& in, bool probe = true);

// Runs a release end to end (lock, ledger record, prepare, strategy, activate,
// record the outcome, prune, unlock). Never leaves the lock behind; an interrupt
// is reported in the result after the target is back where it was.
DeployResult execute(TargetContext& ctx, const ReleaseInput& in, bool force, std::chrono::milliseconds lock_wait,
                     const DeployEventFn& on_event);

// The instances a release of `revision` wants: slot "a" for recreate and rolling,
// the idle slot for blue-green and canary. An instance there that still runs the
// same image and configuration (a rollback inside the keep window) keeps its
// revision, so the strategy flips the gateway instead of restarting it.
std::vector<backend::InstanceSpec> release_instances(TargetContext& ctx, const ReleaseInput& in, int revision,
                                                     const std::vector<backend::InstanceSpec>& running,
                                                     const std::vector<ledger::Record>& records);
// What runs now (every instance not stopped), from the target's status.
std::vector<backend::InstanceSpec> running_instances(const backend::TargetStatus& status);

// After the strategy: activate and prune on success, keep a paused canary's
// state, record the outcome in `rec`. The caller still holds the lock.
// `records`: the ledger as read under the lock (rec's own entry may be in it).
void conclude(TargetContext& ctx, ledger::Record& rec, const strategy::Result& r,
              const std::vector<backend::InstanceSpec>& running, const std::vector<int>& steps,
              std::vector<ledger::Record> records, DeployResult& result, const DeployEventFn& on_event);
// The strategy's input for a release (without the event sink and lock check).
strategy::Input strategy_input(TargetContext& ctx, const ReleaseInput& in,
                               const std::vector<backend::InstanceSpec>& desired,
                               const std::vector<backend::InstanceSpec>& running);
// The slot that serves now: the gateway's live slot, else "a".
std::string serving_slot(TargetContext& ctx);
// The instances serving `revision` now (in serving_slot()).
std::vector<backend::InstanceSpec> serving_instances(TargetContext& ctx, int revision);

std::vector<InstanceView> instance_views(TargetContext& ctx, const std::vector<backend::InstanceSpec>& specs);

// The base port the rendered configuration asks for: its LISTEN_PORT value when
// that is a port number, else 0.
int configured_port(const DeployConfig& c);

}  // namespace ecp::ops
