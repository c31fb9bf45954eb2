#pragma once
// `ecp status`: what runs for an (app, env) right now, instance by instance (host,
// revision, pid, state, health, since when), next to what the ledger says and who
// holds the lock.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ledger/lock.hpp"
#include "core/ledger/record.hpp"
#include "core/ops/validate.hpp"

namespace ecp::ops {

struct StatusOptions {
  ValidateOptions project;
  std::string env;
  bool probe = true;  // run each instance's health check
};

struct InstanceReport {
  std::string location, slot;
  int index = 0;
  int revision = 0;
  int port = 0;
  long long pid = 0;
  std::string state;   // running | starting | crashed | stopped | unknown
  std::string since;   // RFC 3339
  int restarts = 0;
  std::string health;  // healthy | unhealthy | not checked
  std::string health_detail;
  std::string url;
};

struct StatusResult {
  std::string app, env, target;
  std::optional<ledger::Record> current;  // the last succeeded revision
  std::optional<ledger::Record> latest;   // the last revision, whatever its outcome
  std::optional<ledger::Lease> lock;
  std::vector<InstanceReport> instances;
  std::vector<std::string> unreachable;
  std::map<std::string, int> current_links;  // location -> revision its `current` points to
};

StatusResult status(const StatusOptions& options);

}  // namespace ecp::ops
