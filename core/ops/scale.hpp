#pragma once
// `ecp scale`: another instance count for an environment, same image and
// configuration, recorded as a revision of kind scale. The instances that run
// keep running; the new ones start a batch at a time, each batch gated on
// health as a rolling release's is, and the ones no longer wanted leave the
// gateway before they stop. The next release runs ecp.yaml's replicas again.
#include <chrono>
#include <string>

#include "core/ops/deploy.hpp"

namespace ecp::ops {

struct ScaleOptions {
  ValidateOptions project;
  std::string env;
  int replicas = -1;  // per location
  std::string change_id;
  std::string emergency;  // --emergency REASON
  bool dry_run = false;
  std::chrono::milliseconds lock_wait{0};
  DeployEventFn on_event;
};

DeployResult scale(const ScaleOptions& options);

}  // namespace ecp::ops
