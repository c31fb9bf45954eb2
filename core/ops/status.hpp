#pragma once
// `ecp status`: what runs for an (app, env) right now, instance by instance (host,
// revision, pid, state, health, since when), next to what the ledger says and who
// holds the lock.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/ledger/lock.hpp"
#include "core/ledger/record.hpp"
#include "core/ops/deploy.hpp"
#include "core/ops/validate.hpp"

namespace ecp::ops {

struct StatusOptions {
  ValidateOptions project;
  std::string env;
  bool probe = true;   // run each instance's health check
  bool drift = false;  // compare what runs with the ledger
  // failover: auto: what the failover it runs does (release events), if it runs one.
  DeployEventFn on_event;
};

// One way what runs differs from what the ledger says should run.
struct Drift {
  std::string what;      // image | config | revision | stray | missing | count
  std::string instance;  // "a-0@HOST"; "" for count
  std::string expected, actual;
};

struct InstanceReport {
  std::string location, slot;
  int index = 0;
  int revision = 0;
  int port = 0;
  long long pid = 0;
  // running | starting | crashed | stopped | unknown | lost (the current revision
  // runs it on a location that does not answer)
  std::string state;
  std::string since;   // RFC 3339
  int restarts = 0;
  std::string health;  // healthy | unhealthy | not checked
  std::string health_detail;
  std::string url;
  std::string stops_at;  // RFC 3339: a pending stop (the blue-green keep window)
  std::string name, node, group;  // the platform's names (kubernetes: pod, node, replicaset/NAME)
  int traffic = -1;      // percent of the gateway's traffic its slot gets; -1: no gateway
  bool out_of_rotation = false;  // the gateway took it out for failing (run.circuit)
  // It runs in the slot the current revision runs in, but that revision does not
  // count it: left on a location that came back after a failover.
  bool stale = false;
};

struct StatusResult {
  std::string app, env, target;
  std::optional<ledger::Record> current;  // the last succeeded revision
  std::optional<ledger::Record> latest;   // the last revision, whatever its outcome
  std::optional<ledger::Lease> lock;
  std::vector<InstanceReport> instances;
  std::vector<backend::WorkloadStatus> workloads;  // kubernetes: the slots' Deployments
  std::vector<std::string> unreachable;
  std::map<std::string, int> current_links;  // location -> revision its `current` points to
  std::string gateway;                       // where clients reach the app ("" = no gateway)
  std::map<std::string, int> weights;        // slot -> percent at the gateway
  std::vector<Drift> drift;                  // with StatusOptions::drift
  int canary_revision = 0;                   // a paused canary (0: none)
  int canary_percent = 0;
  // failover: auto ran `ecp failover` before this status was read: what it did.
  std::string failover;
};

StatusResult status(const StatusOptions& options);

// What runs against the ledger (pure; unit-tested): each running instance the
// current revision counts must run its image and configuration, by the ledger
// and by what its location says it installed; one it does not count is a
// stray (unless its stop is pending or its slot has traffic: a canary); one it
// counts that does not run is missing. Lost locations are status's own news.
std::vector<Drift> drift_of(const std::vector<ledger::Record>& records, const ledger::Record& current,
                            const backend::TargetStatus& status, const std::map<std::string, int>& weights);

}  // namespace ecp::ops
