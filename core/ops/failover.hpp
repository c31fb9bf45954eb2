#pragma once
// `ecp failover`: the instances of the current revision that ran on locations
// that no longer answer start again on the locations that do, within their
// memory, recorded as a revision of kind failover. Run again once a location
// is back, it stops the instances still running there that the ledger no
// longer counts (stale ones), so nothing runs twice.
#include <chrono>
#include <string>

#include "core/ops/deploy.hpp"

namespace ecp::ops {

struct FailoverOptions {
  ValidateOptions project;
  std::string env;
  std::string change_id;
  std::string emergency;  // --emergency REASON
  bool dry_run = false;
  std::chrono::milliseconds lock_wait{0};
  DeployEventFn on_event;
};

DeployResult failover(const FailoverOptions& options);

// Where the instances of the lost locations go (pure; unit-tested): `kept`
// are the instances of the serving slot on locations that answer; each moved
// instance goes to the answering location with the fewest instances that has
// room for `need` more bytes (free: location -> bytes; absent: no limit), at
// the next index there. Returns the instances it placed; `unplaced` counts the rest.
struct Placement {
  std::string location;
  int index = 0;
};
std::vector<Placement> place_instances(const std::vector<std::string>& answering,
                                       const std::vector<backend::InstanceRef>& kept, int moving, std::int64_t need,
                                       std::map<std::string, std::int64_t> free, int& unplaced);

}  // namespace ecp::ops
