#pragma once
// The configuration a recorded revision released, read back from its target for
// a release that deploys it again: ecp rollback, and ecp apply of a rollback plan.
// Every such read goes through released_config(): whichever copy it reads (the
// ledger's, today), its bytes are checked against the digest recorded for them
// (ledger::check_config) before anything changes, so a file edited on a host or
// a state entry changed on an engine is refused, never deployed as the recorded one.
#include <string>
#include <vector>

#include "core/ops/deploy_config.hpp"
#include "core/ops/deploy_context.hpp"

namespace ecp::ops {

// Error(io) when the target does not store it; Error(deploy_failed) naming where
// it is stored and both digests when its bytes are not the recorded ones.
DeployConfig released_config(TargetContext& ctx, const std::string& config_digest, int revision,
                             std::vector<std::string> secret_keys);

}  // namespace ecp::ops
