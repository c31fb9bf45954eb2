#pragma once
// The configuration a release ships: one environment's values rendered as the
// autoconfig.properties text (core/ops/config_ops.hpp does the rendering), its
// digest, and a comparison with what is deployed (secrets masked as `ecp config
// diff` masks them).
#include <string>
#include <utility>
#include <vector>

#include "core/config/diff.hpp"
#include "core/config/render.hpp"
#include "core/ops/validate.hpp"

namespace ecp::ops {

struct DeployConfig {
  std::string text;  // KEY=VALUE lines as autoconfig.sh reads them (secrets in clear: for the target only)
  // The same with each secret as its reference (config::reference_text): what
  // the ledger keeps.
  std::string reference_text;
  std::string digest;  // config::config_digest: sha256:<hex> of reference_text
  // Read back from a record at the target (released_config): kept there already,
  // with the record's fingerprint ("" for a record from before fingerprints).
  bool from_target = false;
  std::string fingerprint;
  std::vector<std::pair<std::string, std::string>> values;  // key -> real value
  std::vector<std::string> secret_keys;
  // The --set and --values a release was given, as the ledger records them:
  // "--set KEY=VALUE" (a secret's value masked) and "--values PATH".
  std::vector<std::string> overrides;
};

// --set KEY=VALUE and --values FILE of a release (deploy, release, plan): the top
// layer of the configuration, above every other source, as for `ecp config render`.
struct ConfigOverrides {
  std::vector<std::string> values_files;
  std::vector<std::string> set;  // KEY=VALUE
  bool empty() const { return values_files.empty() && set.empty(); }
};

// Renders environment `env` of the project (its targets file included; secret
// references resolved).
DeployConfig render_deploy_config(const ValidateOptions& project_files, const Project& project, const std::string& env,
                                  const ConfigOverrides& overrides = {});

// A configuration as stored at the target (a rollback's): values parsed back from the text.
DeployConfig config_from_text(std::string text, std::string digest, std::vector<std::string> secret_keys);

// The keys ecp.yaml declares secret. A stored configuration (a rollback's, the
// deployed one) is masked by them: the ledger keeps values, not which were secret.
std::vector<std::string> declared_secrets(const Project& project);

// A configuration as config::diff compares it; `label` names its side.
config::Rendered as_rendered(const DeployConfig& c, std::string label);

struct ConfigChange {
  std::string key;
  config::Change change = config::Change::changed;  // added, removed or changed
  std::string before;  // shown values ("" when absent); secrets masked
  std::string after;
};

// What changes from `deployed` to `next`, masked by config::diff's rules: what
// `ecp config diff ENV --against deployed` shows, without the unchanged keys.
std::vector<ConfigChange> config_changes(const DeployConfig& deployed, const DeployConfig& next);

}  // namespace ecp::ops
