#pragma once
// `ecp unlock --force`: removes the (app, env) lock whoever holds it (a release
// that crashed on a machine that is gone), and records that in the ledger.
#include <optional>
#include <string>

#include "core/ledger/lock.hpp"
#include "core/ops/validate.hpp"

namespace ecp::ops {

struct UnlockOptions {
  ValidateOptions project;
  std::string env;
  bool force = false;
};

struct UnlockResult {
  std::string app, env, target;
  std::optional<ledger::Lease> removed;  // nullopt: it was not locked
};

UnlockResult unlock(const UnlockOptions& options);

}  // namespace ecp::ops
