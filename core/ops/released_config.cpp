#include "core/ops/released_config.hpp"

#include "core/util/error.hpp"

namespace ecp::ops {

DeployConfig released_config(TargetContext& ctx, const ledger::Record& revision, std::vector<std::string> secret_keys) {
  auto text = ctx.ledger->exact_config(revision, fmt::format("the configuration of revision {}", revision.revision));
  if (!text)
    fail(ErrorKind::io, "the configuration of revision {} ({}) is not stored at target '{}'", revision.revision,
         revision.config_digest, ctx.target.name);
  auto c = config_from_text(std::move(*text), revision.config_digest, std::move(secret_keys));
  c.from_target = true;
  c.fingerprint = revision.config_fingerprint;
  return c;
}

std::string fingerprint_at(TargetContext& ctx, const DeployConfig& c) {
  return c.from_target ? c.fingerprint : ctx.ledger->fingerprint(c.text, false);
}

bool same_config(TargetContext& ctx, const ledger::Record& record, const DeployConfig& c) {
  if (record.config_digest != c.digest) return false;  // decided without the fingerprint
  ledger::Record released;
  released.config_digest = c.digest;
  released.config_fingerprint = fingerprint_at(ctx, c);
  return ledger::same_config(record, released);
}

}  // namespace ecp::ops
