#pragma once
// The configuration a recorded revision released, read back from its target for
// a release that deploys it again: ecp rollback, and ecp apply of a rollback plan.
// Every such read goes through released_config(): the exact bytes, kept apart
// from the ledger's reference form, are checked against the fingerprint recorded
// for them (ledger::Ledger::exact_config) before anything changes, so a file
// edited on a host or a state entry changed on an engine is refused, never
// deployed as the recorded one.
#include <string>
#include <vector>

#include "core/ops/deploy_config.hpp"
#include "core/ops/deploy_context.hpp"

namespace ecp::ops {

// Error(io) when the target does not store it; Error(deploy_failed) naming where
// it is stored and both sums when its bytes are not the recorded ones.
DeployConfig released_config(TargetContext& ctx, const ledger::Record& revision, std::vector<std::string> secret_keys);

// `c`'s fingerprint at this target: the record's when read back from one, else
// the target's keyed hash of its exact bytes ("" while the target has no key).
std::string fingerprint_at(TargetContext& ctx, const DeployConfig& c);

// Whether `record` released configuration `c` (ledger::same_config): a secret
// that changed behind the same reference is a change.
bool same_config(TargetContext& ctx, const ledger::Record& record, const DeployConfig& c);

}  // namespace ecp::ops
