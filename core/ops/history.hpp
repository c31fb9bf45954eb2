#pragma once
// `ecp history`: the ledger of an (app, env) as its target stores it, newest first,
// with the audit events (forced unlocks) beside the revisions.
#include <string>
#include <vector>

#include "core/ledger/record.hpp"
#include "core/ops/validate.hpp"

namespace ecp::ops {

struct HistoryOptions {
  ValidateOptions project;
  std::string env;
  int limit = 0;  // the newest N revisions; 0: all
};

struct HistoryResult {
  std::string app, env, target;
  std::vector<ledger::Record> records;  // newest first
  std::vector<ledger::Event> events;    // newest first
};

HistoryResult history(const HistoryOptions& options);

}  // namespace ecp::ops
