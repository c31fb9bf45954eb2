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
#include <functional>
#include <string>
#include <vector>

#include "core/backend/backend.hpp"

namespace ecp::strategy {

struct Event {
  std::string type;     // batch, stop, start, healthy, unhealthy, rollback, restored, lost
  std::string message;  // for people
  std::vector<backend::InstanceRef> instances;
  int batch = 0;        // 1-based batch number (rolling), 0 otherwise
  int batches = 0;
};
using EventSink = std::function<void(const Event&)>;

struct Input {
  std::string type = "recreate";  // recreate | rolling (blue-green, canary: with a router)
  int batch = 1;                  // rolling: instances replaced per step
  int max_unavailable = 1;        // rolling: instances down at once (caps batch)
  std::vector<backend::InstanceSpec> desired;  // the new revision's instances
  std::vector<backend::InstanceSpec> running;  // what runs now, each with its revision and port
  backend::HealthSpec health;
  EventSink on_event;
  // Polled between steps; true stops the rollout like a failed batch (lost lock).
  std::function<bool()> should_stop;
};

enum class Outcome { succeeded, rolled_back, failed };

struct Result {
  Outcome outcome = Outcome::succeeded;
  std::string message;  // what failed, naming instances and locations
  std::vector<backend::InstanceRef> touched;
  std::vector<std::string> lost;  // locations that went unreachable
  bool interrupted = false;       // SIGINT/SIGTERM stopped it
};

// The strategy names ecp knows, and whether a target must have a router for them.
bool known_strategy(const std::string& type);
bool needs_router(const std::string& type);

// Runs Input.type. Throws Error(usage) for a strategy this backend cannot do.
Result rollout(backend::Backend& backend, const Input& input);

// The strategies themselves (rollout() dispatches).
Result recreate(backend::Backend& backend, const Input& input);
Result rolling(backend::Backend& backend, const Input& input);

// The order rolling replaces instances in: index first, then location, so a batch
// of one takes one instance per host before a second one on any host.
std::vector<backend::InstanceSpec> rolling_order(std::vector<backend::InstanceSpec> desired);
// The batch size rolling uses: min(batch, max_unavailable), at least 1.
int rolling_step(int batch, int max_unavailable);

}  // namespace ecp::strategy
