#pragma once
// Loading and checking the project files: the descriptor (ecp.yaml) and the targets
// file. Every other operation starts with load_project().
#include <filesystem>
#include <string>

#include "core/descriptor/model.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::ops {

struct ValidateOptions {
  std::filesystem::path descriptor = "ecp.yaml";
  // Empty: $ECP_TARGETS, else ecp-targets.yaml beside the descriptor if it exists,
  // else no targets file (only the built-in "local" target).
  std::filesystem::path targets;
  // Also look at the layout folder as `ecp build` would (ecp validate): what
  // build needs and is missing is a warning, so a descriptor can be checked
  // before the first build.
  bool check_layout = false;
};

struct ValidateResult {
  std::string descriptor_path;
  std::string targets_path;  // empty when no targets file is used
  descriptor::Descriptor descriptor;
  descriptor::TargetsFile targets;
  Diagnostics diagnostics;  // errors and warnings, the descriptor's first, each file in line order
  bool ok() const { return !has_errors(diagnostics); }
};

// Parses and validates both files and returns every problem. Throws only for internal
// failures; missing or broken files are diagnostics.
ValidateResult validate(const ValidateOptions& options);

// Which targets file `options` select (the rule above); empty = none.
std::filesystem::path resolve_targets_path(const ValidateOptions& options);

struct Project {
  descriptor::Descriptor descriptor;
  descriptor::TargetsFile targets;
  Diagnostics warnings;
};

// validate(), then: warnings go to ecp::log::warn, and any error throws
// Error(validation) whose message lists every problem as FILE:LINE:COL lines.
Project load_project(const ValidateOptions& options);

}  // namespace ecp::ops
