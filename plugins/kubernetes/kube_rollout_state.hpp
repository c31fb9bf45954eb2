#pragma once
// Where a Deployment's rollout stands, read from its status as `kubectl rollout
// status` reads it (pure; unit-tested with the real controller's status shapes).
#include <nlohmann/json.hpp>
#include <string>

namespace ecp::plugins::kubernetes {

struct RolloutState {
  int revision = 0;  // the template's ecp.io/revision label
  int replicas = 0;  // wanted (spec)
  int updated = 0, ready = 0, available = 0, total = 0;
  bool observed = false;           // the controller has seen the latest generation
  bool complete = false;           // every replica updated and available, no old one left
  bool deadline_exceeded = false;  // Progressing=False, ProgressDeadlineExceeded
  std::string summary;             // "2 of 4 updated, 1 available"
};

// `applied_at`: the server's time of ecp's apply (applied_time()); a
// ProgressDeadlineExceeded condition from before it is stale: the controller
// keeps that condition until the next progress, so a re-apply right after a
// failed rollout would read as failed at once.
RolloutState rollout_state(const nlohmann::json& deployment, const std::string& applied_at = "");
// The time (RFC 3339, the server's clock) of the last apply by field manager ecp, from managedFields.
std::string applied_time(const nlohmann::json& deployment);

}  // namespace ecp::plugins::kubernetes
