#pragma once
// `ecp audit`: the audit logs of an application's environments, each read from
// its target and its hash chain checked (ledger/audit.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "core/ledger/audit.hpp"
#include "core/ops/validate.hpp"

namespace ecp::ops {

struct AuditOptions {
  ValidateOptions project;
  std::string env;            // "": every environment of ecp.yaml
  std::int64_t since_ms = 0;  // only entries from then on (Unix ms); 0: all
};

struct EnvironmentAudit {
  std::string env, target;
  std::vector<ledger::AuditEntry> entries;  // by sequence, from since_ms on
  std::vector<std::string> problems;        // the whole chain's, whatever since_ms says
};

std::vector<EnvironmentAudit> read_audit(const AuditOptions& options);

// "30d", "12h", "90m": how far back --since reaches (Error(usage) otherwise).
std::int64_t since_arg(const std::string& text, std::int64_t now_ms);

}  // namespace ecp::ops
