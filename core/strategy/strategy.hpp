#pragma once
// Strategies move an (app, env) from the instances running now to the instances
// of a new revision, through the backend primitives only (start, health, stop,
// and route for the strategies that shift traffic), so a rolling update means the
// same on hosts, an engine or Kubernetes.
//
// The contract every strategy keeps: when it fails (a batch that never becomes
// healthy, an unreachable host, an interrupt), it puts every instance it touched
// back on the revision that ran there before, and says whether that worked:
//   succeeded          the new revision serves everywhere
//   rolled_back        it failed, and what ran before runs again (or, on a first
//                      release, nothing runs)
//   failed             it failed and could not restore everything: needs attention
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/backend/backend.hpp"
#include "core/strategy/settings.hpp"

namespace ecp::strategy {

struct Event {
  std::string type;     // batch, drain, stop, start, healthy, unhealthy, rollback, restored, lost
  std::string message;  // for people
  std::vector<backend::InstanceRef> instances;
  int batch = 0;        // 1-based batch number (rolling), 0 otherwise
  int batches = 0;
};
using EventSink = std::function<void(const Event&)>;

struct Verdict {
  bool ok = true;
  bool judged = false;  // enough requests to judge the rates
  std::string detail;   // "error rate 31% > 5% (93 of 300 requests)"
};

struct Input {
  Settings settings;                           // the type and its settings (rolling: max_unavailable caps batch)
  std::vector<backend::InstanceSpec> desired;  // the new revision's instances
  std::vector<backend::InstanceSpec> running;  // what runs now, each with its revision and port
  backend::HealthSpec health;
  EventSink on_event;
  // Polled between steps; true stops the rollout like a failed batch (lost lock).
  std::function<bool()> should_stop;

  // blue-green and canary: `desired` runs in the idle slot (see idle_slot()),
  // beside the live one; an instance of `desired` already running its revision
  // (a rollback inside the keep window) is kept, not restarted.
  bool manual = false;             // canary: pause after each step (ecp canary promote | abort)
  // canary: the metrics' judgement of a step beside the gateway's (the analysis
  // queries, run by ops against the target's Prometheus); unset = none.
  std::function<Verdict(const std::string& slot, int revision, std::int64_t since_ms)> metrics;
  int resume_step = -1;            // canary: continue a paused canary at this step index
  std::int64_t step_started_ms = 0;  // ... which began then (Unix ms)
};

enum class Outcome { succeeded, rolled_back, failed, paused };

struct Result {
  Outcome outcome = Outcome::succeeded;
  std::string message;  // what failed, naming instances and locations
  std::vector<backend::InstanceRef> touched;
  std::vector<std::string> lost;  // locations that went unreachable
  bool interrupted = false;       // SIGINT/SIGTERM stopped it
  // canary, Outcome::paused: waiting at steps[step], routed since step_started_ms.
  int step = -1;
  std::int64_t step_started_ms = 0;
};

// Throws Error(usage) for a strategy that `backend` (of target `target`) cannot do.
void check_supported(backend::Backend& backend, Type type, const std::string& target);
// Runs Input.type. Throws Error(usage) for a strategy this backend cannot do.
Result rollout(backend::Backend& backend, const Input& input);

// The strategies themselves (rollout() dispatches).
Result recreate(backend::Backend& backend, const Input& input);
Result rolling(backend::Backend& backend, const Input& input);
Result blue_green(backend::Backend& backend, const Input& input);
Result canary(backend::Backend& backend, const Input& input);
// recreate and rolling on a backend that replaces instances itself (backend::Replacer).
Result replace(backend::Backend& backend, backend::Replacer& replacer, const Input& input);
// Ends a paused canary: all traffic back on the live slot, the canary stopped.
Result canary_abort(backend::Backend& backend, const Input& input, const std::string& reason);

// The slot that serves now: the one with the most traffic at the gateway, else
// the slot of what runs; "" when nothing does.
std::string live_slot(const std::map<std::string, int>& weights, const std::vector<backend::InstanceSpec>& running);
// The slot a blue-green or canary release starts in: the other one ("a" <-> "b").
std::string idle_slot(const std::string& live);

// A canary step's traffic against the thresholds (pure).
Verdict judge(const backend::SlotTraffic& traffic, const Analysis& analysis);
// The gateway weights at a canary step of `percent` on `canary`.
std::map<std::string, int> step_weights(const std::string& live, const std::string& canary, int percent);

// The order rolling replaces instances in: index first, then location, so a batch
// of one takes one instance per host before a second one on any host.
std::vector<backend::InstanceSpec> rolling_order(std::vector<backend::InstanceSpec> desired);
// The batch size rolling uses: min(batch, max_unavailable), at least 1.
int rolling_step(int batch, int max_unavailable);

}  // namespace ecp::strategy
