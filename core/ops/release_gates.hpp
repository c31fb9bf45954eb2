#pragma once
// When an environment may be released to: its change windows (the targets
// file's windows:) and its freeze (ecp freeze, kept at the target). Outside
// every window, or while frozen, a release is refused (exit 9) unless
// --emergency gives a reason, which the audit log and the ledger record.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/ops/deploy_context.hpp"

namespace ecp::ops {

struct Freeze {
  std::int64_t until_ms = 0;
  std::string reason;
  std::string who;  // the verified actor who froze it
};
inline constexpr const char* freeze_key = "governance/freeze.json";
std::optional<Freeze> read_freeze(KvStore& store);

// Why a release to ctx's environment may not go now ("" = it may): the freeze
// first, then the windows (pure but for the freeze's read and the clock).
std::string gate_problem(TargetContext& ctx, std::int64_t now_ms);
// Throws Error(permission) when gate_problem says why, unless `emergency`
// names a reason: then an audit entry `emergency` says what was overridden.
void check_release_gates(TargetContext& ctx, const std::string& emergency);

struct FreezeOptions {
  ValidateOptions project;
  std::string env;
  std::string until;  // RFC 3339, YYYY-MM-DD (UTC midnight) or a duration from now (48h)
  std::string reason;
};
struct FreezeResult {
  std::string app, env, target;
  Freeze freeze;
  bool was_frozen = false;  // unfreeze: there was one to lift
};
FreezeResult freeze(const FreezeOptions& options);
FreezeResult unfreeze(const FreezeOptions& options);

// --until: an absolute time in Unix ms (Error(usage) for what is not one).
std::int64_t until_arg(const std::string& text, std::int64_t now_ms);

}  // namespace ecp::ops
