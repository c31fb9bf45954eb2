#pragma once
// `ecp plan --out plan.json` and `ecp apply plan.json`: review a release before it
// happens. The plan names the revision it was made for; apply refuses it when the
// ledger has moved on since (someone released in between), when the rendered
// configuration is no longer the one planned, or when the image is not the same.
#include <filesystem>
#include <string>

#include "core/ops/deploy.hpp"

namespace ecp::ops {

// Computes the plan of `options` (as deploy --dry-run) and, with `out`, writes it.
DeployPlan plan(const DeployOptions& options, const std::filesystem::path& out);

struct ApplyOptions {
  ValidateOptions project;
  std::filesystem::path plan_file;
  std::string change_id;
  std::chrono::milliseconds lock_wait{0};
  DeployEventFn on_event;
};

DeployResult apply(const ApplyOptions& options);

}  // namespace ecp::ops
