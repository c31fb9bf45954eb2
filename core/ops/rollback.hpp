#pragma once
// `ecp rollback`: back to an earlier revision - its image AND its configuration -
// recorded as a new revision of its own (kind rollback). By default the last
// successful revision before the current one that differs from it. When that
// release is still installed on the hosts, nothing is transferred: it is copied
// with hard links, switched to and restarted.
#include <chrono>
#include <string>

#include "core/ops/deploy.hpp"

namespace ecp::ops {

struct RollbackOptions {
  ValidateOptions project;
  std::string env;
  int to = 0;  // --to N; 0: the previous successful revision
  std::string strategy;  // --strategy: overrides ecp.yaml's type
  std::string change_id;
  std::string emergency;  // --emergency REASON
  bool dry_run = false;
  std::chrono::milliseconds lock_wait{0};
  DeployEventFn on_event;
};

DeployResult rollback(const RollbackOptions& options);

}  // namespace ecp::ops
