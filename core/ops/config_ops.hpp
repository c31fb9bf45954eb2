#pragma once
// Configuration of an application per environment: ecp.yaml and the files beside
// it turned into core/config's layers, then rendered, checked or compared.
//
// Precedence, later wins:
//   1. config: defaults in ecp.yaml;
//   2. environments.<env>.config, then env/<env>.yaml, then env/<env>.properties
//      (beside ecp.yaml);
//   3. the config of the environment's target in the targets file (only keys the
//      application declares: a target serves many applications);
//   4. --values FILE (each in order; .yaml/.yml is YAML, anything else properties),
//      then --set KEY=VALUE (each in order).
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/check.hpp"
#include "core/config/diff.hpp"
#include "core/config/model.hpp"
#include "core/config/render.hpp"
#include "core/config/secrets.hpp"
#include "core/ops/validate.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::ops {

// Keys config::mask() with this user's own key, $ECP_HOME/fingerprint.key (0600),
// read or made only when a command first shows a masked secret (issue 13 §4).
// The CLI calls it once at startup.
void key_masks_with_home_key();

struct ConfigOptions {
  ValidateOptions project;
  std::vector<std::filesystem::path> values_files;
  std::vector<std::string> set;  // KEY=VALUE
};

// The keys ecp.yaml declares under config:.
std::vector<config::KeySpec> config_keys(const descriptor::Descriptor& d);

// One environment's inputs and the problems found reading its files (values files
// that are folders, missing, or malformed: errors with FILE:LINE:COL).
struct ConfigInputs {
  config::Inputs inputs;
  Diagnostics diagnostics;
};

// Throws Error(validation) for an environment ecp.yaml does not define (naming the
// closest one) and Error(usage) for a malformed --set.
ConfigInputs config_inputs(const Project& project, const ConfigOptions& options, std::string_view env);

struct RenderConfigResult {
  std::string app;
  config::Rendered rendered;
};

// Loads the project, layers the environment's values and resolves every secret.
// Warnings go to ecp::log::warn; any error throws Error(validation).
RenderConfigResult render_config(const ConfigOptions& options, std::string_view env);
RenderConfigResult render_config(const ConfigOptions& options, std::string_view env,
                                 const config::SecretResolver& secrets);

// The same for a project already loaded (deploy, plan and rollback load it once).
config::Rendered render_config(const Project& project, const ConfigOptions& options, std::string_view env,
                               const config::SecretResolver& secrets);

// Writes the deployable file: real values (secrets included), mode 0600, atomically.
void write_rendered(const config::Rendered& rendered, const std::filesystem::path& path);

struct CheckConfigResult {
  std::string app;
  std::string conf_dir;  // the layout's conf folder that was scanned
  config::CheckReport report;
};

// Checks the named environments (empty: all of them). Secrets are not resolved:
// only their references are checked. Files under env/ that no environment reads
// are warnings.
CheckConfigResult check_config(const ConfigOptions& options, const std::vector<std::string>& envs);

struct DiffConfigResult {
  std::string app;
  config::Diff diff;
};

// Renders both environments (secrets resolved, to compare them) and compares.
DiffConfigResult diff_config(const ConfigOptions& options, std::string_view env_a, std::string_view env_b);
// `--against deployed`: the configuration of the revision serving ENV at its target
// (from the ledger there) against what ENV gets now. Error(usage) when nothing is.
DiffConfigResult diff_deployed(const ConfigOptions& options, std::string_view env);

}  // namespace ecp::ops
