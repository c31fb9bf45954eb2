#pragma once
// Internal to core/ops: the release engine that deploy, release, rollback, apply
// and canary share, and where their images come from. The engine reads as its
// steps, one file each (execute() in release_engine.cpp lists them):
//   plan      release_engine_plan.cpp         what changes; nothing changes: stop
//   lock      release_engine_transaction.cpp  the (app, env) lock, renewed in the background
//   record    release_engine_record.cpp       under the lock: the revision, in progress
//   prepare   release_engine_rollout.cpp      install everywhere; nothing running changes
//   rollout   release_engine_rollout.cpp      the strategy, gated on health
//   conclude  release_engine_conclude.cpp     activate, prune, record the outcome, unlock
#include <memory>
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
// made (by digest: app_layers.hpp), every layer of an image ecp did not build.
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
  std::optional<ledger::Promotion> promoted_from;  // ecp promote: recorded with the revision
  std::string emergency;  // --emergency REASON: past a closed change window or a freeze, recorded
  bool governed = false;  // access, gates and approvals were checked already (promote: before the copy)
  // scale, failover: the revision whose installed release the instances run
  // (nothing is installed); 0: this release installs its own.
  int runs = 0;
  std::vector<backend::InstanceSpec> instances;  // failover: exactly these, in the serving slot
};

// A strategy's event as the release reports it, with the revision it records.
DeployEvent deploy_event(const strategy::Event& e, int revision);

// A release of what revision `r` ran, as it ran: its image, its exact
// configuration (checked against its record, released_config.hpp), its port.
// `kind` and the rest are the caller's (rollback, scale).
ReleaseInput release_of(TargetContext& ctx, const ledger::Record& r, std::vector<std::string> secret_keys);
// What serves an environment now, to run again as it is (scale, failover):
// the target, its current record, and a release input of that record of
// `kind` that installs nothing (its instances run the revision that installed
// it), in place a batch at a time (rolling). Error(usage) naming `what` when
// nothing was released.
struct ServingRelease {
  TargetContext ctx;
  ledger::Record current;
  ReleaseInput in;
};
ServingRelease serving_release(const ValidateOptions& files, const std::string& env, ledger::Kind kind,
                               const std::string& what);
// --dry-run: the plan, nothing changed.
DeployResult planned(TargetContext& ctx, const ReleaseInput& in);

// The strategy settings of the environment, with --strategy applied.
void set_strategy(ReleaseInput& in, const TargetContext& ctx, std::optional<strategy::Type> override_type);
// --strategy NAME: nullopt when not given; Error(usage) for a name ecp does not know.
std::optional<strategy::Type> strategy_arg(const std::string& name);

// `probe`: run the health checks to tell whether an unchanged release still serves
// everywhere (a forced release does not need to know).
DeployPlan make_plan(TargetContext& ctx, const ReleaseInput& in, bool probe = true);

// Runs a release end to end (plan, lock, record, prepare, rollout, conclude).
// Never leaves the lock behind; an interrupt is reported in the result after the
// target is back where it was.
DeployResult execute(TargetContext& ctx, const ReleaseInput& in, bool force, std::chrono::milliseconds lock_wait,
                     const DeployEventFn& on_event);

// The lock, the in-progress ledger record and its outcome, as one transaction:
// deploy, rollback and canary all change a target through one. Whatever happens,
// it ends with the lock let go and the record saying how the release ended.
class ReleaseTransaction {
 public:
  // Takes the (app, env) lock for `operation`, waiting up to `wait` for a holder
  // to finish. Throws Error(lock_held) naming the holder. A record left in
  // progress by a release that is gone is concluded `failed` ("abandoned").
  ReleaseTransaction(TargetContext& ctx, const std::string& operation, Duration wait);
  // Not finished (an exception nobody caught): a record this transaction began
  // is concluded `failed` - the engine cannot tell what runs - and the lock let go.
  ~ReleaseTransaction();
  ReleaseTransaction(const ReleaseTransaction&) = delete;
  ReleaseTransaction& operator=(const ReleaseTransaction&) = delete;

  // Stores the configuration and writes `rec` in progress: from here on the
  // release is in the ledger, and it ends with an outcome.
  void begin(ledger::Record rec, const DeployConfig& config);
  // Takes over a record that is in the ledger already, in a state of its own (a
  // paused canary): if the transaction is abandoned, the record stays as it was.
  void adopt(ledger::Record rec);
  bool recorded() const { return recorded_; }
  ledger::Record& record() { return rec_; }
  // The lock is no longer ours (forced unlock, or a lease that could not be renewed).
  bool lost() const;
  // Records the outcome (finished now, unless paused) and lets go of the lock.
  // Never throws: a record that cannot be written is a warning, as the target
  // already did what it did.
  void finish(ledger::Outcome outcome, const std::string& message);
  // Lets go of the lock without writing (nothing was recorded).
  void release();

 private:
  void conclude_abandoned();
  TargetContext& ctx_;
  std::unique_ptr<ledger::HeldLock> lock_;
  ledger::Record rec_;
  bool recorded_ = false;  // rec_ is in the ledger
  bool began_ = false;     // ... written in progress by this transaction
  bool finished_ = false;
};

// What a release works from, read under the lock.
struct ReleaseState {
  std::vector<ledger::Record> records;         // the ledger
  std::vector<backend::InstanceSpec> running;  // what runs now, each on its revision's port
  std::vector<backend::InstanceSpec> desired;  // this release's instances
};

// The steps of execute(), in order.
// plan: fills result.plan; false when nothing changed (the result says so).
bool plan_release(TargetContext& ctx, const ReleaseInput& in, bool force, DeployResult& result,
                  const DeployEventFn& on_event);
// record: re-reads the ledger and the target under the lock, refuses a stale plan
// or a paused canary, and begins the transaction with the new revision.
ReleaseState record_release(TargetContext& ctx, const ReleaseInput& in, ReleaseTransaction& tx, DeployResult& result,
                            const DeployEventFn& on_event);
// prepare: installs the release everywhere. False when that failed: the outcome
// is recorded then (nothing was started, so the target serves what it served).
bool prepare_release(TargetContext& ctx, const ReleaseInput& in, ReleaseTransaction& tx, DeployResult& result,
                     const DeployEventFn& on_event);
// rollout: the strategy moves the instances; it stops when the lock is lost.
strategy::Result rollout_release(TargetContext& ctx, const ReleaseInput& in, const ReleaseState& state,
                                 ReleaseTransaction& tx, const DeployEventFn& on_event);
// finish the transaction and say so in the result (outcome, message, revision).
void finish_release(ReleaseTransaction& tx, ledger::Outcome outcome, const std::string& message, DeployResult& result);

// The instances a release of `revision` wants: slot "a" for recreate and rolling,
// the idle slot for blue-green and canary. An instance there that still runs the
// same image and configuration (a rollback inside the keep window) keeps its
// revision, so the strategy flips the gateway instead of restarting it.
std::vector<backend::InstanceSpec> release_instances(TargetContext& ctx, const ReleaseInput& in, int revision,
                                                     const std::vector<backend::InstanceSpec>& running,
                                                     const std::vector<ledger::Record>& records);
// What runs now (every instance not stopped), from the target's status. With
// `records`, each instance's port is its revision's own (Record::base_port), not
// the one the backend derives from today's configuration.
std::vector<backend::InstanceSpec> running_instances(const backend::TargetStatus& status,
                                                     const std::vector<ledger::Record>& records = {});
// Scale, failover: of what runs, what is theirs to keep or stop: the serving
// slot's instances that run (a crashed one is started again and gated like a
// new one; another slot's, a keep window's or a canary's, stays as it is).
std::vector<backend::InstanceSpec> scoped_running(TargetContext& ctx, const backend::TargetStatus& status,
                                                  std::vector<backend::InstanceSpec> running);
// The base port revision `revision` ran on; `fallback` when its record does not say.
int revision_port(const std::vector<ledger::Record>& records, int revision, int fallback);

// conclude: after the strategy, activate and prune on success, keep a paused
// canary's state, put the outcome in `rec`. The caller still holds the lock and
// writes `rec` (ReleaseTransaction::finish).
// `records`: the ledger as read under the lock (rec's own entry may be in it).
// `strategy`: the release's own (typed), not the record's text.
void conclude(TargetContext& ctx, ledger::Record& rec, const strategy::Result& r,
              const std::vector<backend::InstanceSpec>& running, const strategy::Settings& strategy,
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
