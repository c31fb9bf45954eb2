#pragma once
// `ecp deploy`: an image (from ecp's store) and the environment's rendered
// configuration -> a new revision on the environment's target, through its
// strategy, recorded in the ledger at the target under the (app, env) lock.
// `--dry-run` computes the plan (what changes on which instance, and the
// configuration diff against what is deployed) and touches nothing.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/types.hpp"
#include "core/ledger/record.hpp"
#include "core/oci/layer_ref.hpp"
#include "core/ops/deploy_config.hpp"
#include "core/ops/phase_timer.hpp"
#include "core/ops/validate.hpp"
#include "core/strategy/settings.hpp"

namespace ecp::ops {

struct DeployEvent {
  std::string type;     // plan, lock, prepare, batch, stop, start, healthy, unhealthy, rollback, restored, lost, activate, done
  std::string message;  // for people
  // For programs (`-o json`): the instances the event is about, the revision
  // the release records (0 where none is known yet), the rolling batch.
  std::vector<backend::InstanceRef> instances = {};
  int revision = 0;
  int batch = 0, batches = 0;
};
using DeployEventFn = std::function<void(const DeployEvent&)>;

// What a release does to one instance.
enum class InstanceAction { start, replace, stop, keep };
std::string_view to_string(InstanceAction a);  // start, replace, stop, keep
std::optional<InstanceAction> instance_action_from(std::string_view name);

struct InstanceChange {
  std::string location;
  std::string slot;
  int index = 0;
  int port = 0;
  int from_revision = 0;  // 0: not running
  int to_revision = 0;    // 0: stops
  InstanceAction action = InstanceAction::start;
};

struct DeployPlan {
  std::string app, env, target;
  ledger::Kind kind = ledger::Kind::deploy;
  int rollback_to = 0;
  strategy::Type strategy = strategy::Type::recreate;
  int batch = 1, max_unavailable = 1;
  int replicas = 1;             // per location
  int next_revision = 0;        // the revision applying it records
  int from_revision = 0;        // the revision serving now (0: none)
  std::string image, image_digest, config_digest;
  // The target's keyed fingerprint of the exact configuration ("" when the
  // target has no key yet): apply refuses a secret changed since the plan.
  std::string config_fingerprint;
  std::vector<oci::LayerRef> layers;
  // --set and --values given to the plan: apply renders with them again. A
  // secret's --set cannot be saved (plan --out refuses it).
  ConfigOverrides overrides;
  std::vector<InstanceChange> instances;
  std::vector<ConfigChange> config;
  bool changed = true;          // false: this image and configuration already serve everywhere
};

struct DeployOptions {
  ValidateOptions project;
  std::string env;
  std::string image;            // --image REF: a tag or digest in ecp's store; empty: as `ecp build` names it
  int revision = 0;             // --revision N: the image of ledger revision N (with today's configuration)
  std::string strategy;         // --strategy: overrides ecp.yaml's type
  bool dry_run = false;
  // With dry_run: also the objects the target's platform would get (a kubernetes
  // target's manifests), each secret as its reference unless reveal_secrets.
  bool manifests = false;
  bool reveal_secrets = false;
  bool force = false;           // deploy even when nothing changed
  bool manual = false;          // canary: pause after the first step for `ecp canary promote|abort`
  std::string change_id;
  std::string emergency;      // --emergency REASON
  ConfigOverrides overrides;  // --set, --values
  std::chrono::milliseconds lock_wait{0};
  DeployEventFn on_event;
};

struct InstanceView {
  std::string location, slot;
  int index = 0;
  int port = 0;
  int revision = 0;
  std::string url;  // http://ADDRESS:PORT/
};

// How a deploy, rollback or canary command ended: the ledger's outcome of the
// revision it recorded, or planned (--dry-run) or unchanged, which record none.
enum class Outcome { planned, unchanged, succeeded, paused, failed_rolled_back, failed };
// planned, unchanged, succeeded, paused, failed-rolled-back, failed (--output json)
std::string_view to_string(Outcome o);
// A recorded outcome as the command's (in_progress, which a finished release never has: failed).
Outcome outcome_of(ledger::Outcome o);

struct DeployResult {
  DeployPlan plan;
  Outcome outcome = Outcome::planned;
  std::string message;  // why it failed
  int revision = 0;     // the recorded revision (0: none recorded)
  std::vector<InstanceView> instances;
  bool interrupted = false;  // SIGINT/SIGTERM ended it (the target is back where it was when rolled back)
  std::string gateway;       // blue-green, canary: where clients reach the app
  int canary_percent = 0;    // outcome paused: the canary's share of the traffic
  bool aborted = false;      // ecp canary abort: rolled back as asked, not a failure
  std::vector<nlohmann::json> manifests;  // DeployOptions::manifests
  PhaseTimings timings_ms;                // where the wall time went (phase_timer.hpp)
};

DeployResult deploy(const DeployOptions& options);

// plan.json for `ecp plan --out` / `ecp apply`; plan_json is the same object,
// for output that embeds it (ecp plan -o json, deploy --dry-run -o json).
std::string plan_to_json(const DeployPlan& plan);
nlohmann::json plan_json(const DeployPlan& plan);
DeployPlan plan_from_json(const std::string& text, const std::string& what);

}  // namespace ecp::ops
