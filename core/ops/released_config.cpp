#include "core/ops/released_config.hpp"

#include "core/util/error.hpp"

namespace ecp::ops {

DeployConfig released_config(TargetContext& ctx, const std::string& config_digest, int revision,
                             std::vector<std::string> secret_keys) {
  auto text = ctx.ledger->verified_config(config_digest, fmt::format("the configuration of revision {}", revision));
  if (!text)
    fail(ErrorKind::io, "the configuration of revision {} ({}) is not stored at target '{}'", revision, config_digest,
         ctx.target.name);
  return config_from_text(std::move(*text), config_digest, std::move(secret_keys));
}

}  // namespace ecp::ops
