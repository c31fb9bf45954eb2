#pragma once
// `ecp promote --from staging --to prod [--revision N]`: releases to the
// destination exactly the image digest that serves (or served at revision N)
// in the source environment, with the destination's own configuration, and
// records where it came from. A revision that did not succeed, a pair of
// environments out of ecp.yaml's `pipeline:` order, and an image whose digest
// is not the source record's are refused before anything changes.
#include <chrono>
#include <string>

#include "core/ledger/record.hpp"
#include "core/ops/deploy.hpp"

namespace ecp::ops {

struct PromoteOptions {
  ValidateOptions project;
  std::string from, to;
  int revision = 0;  // 0: the revision that serves in `from`
  std::string strategy;
  std::string change_id;
  std::string emergency;  // --emergency REASON
  bool force = false;
  bool dry_run = false;       // the plan only: no copy, nothing released
  ConfigOverrides overrides;  // --set, --values: the destination's top layer
  std::chrono::milliseconds lock_wait{0};
  std::chrono::milliseconds registry_timeout{0};
  DeployEventFn on_event;
};

struct PromoteResult {
  ledger::Promotion source;  // env, revision, image digest
  std::string image;         // the reference the destination pulls (or the store's, for hosts)
  bool copied = false;       // the image went from the source's registry to the destination's
  DeployResult deploy;
};

PromoteResult promote(const PromoteOptions& options);

// The pipeline rule alone (pure; unit-tested): "" when `to` may take revisions
// from `from`, else why not.
std::string pipeline_problem(const std::vector<std::string>& pipeline, const std::string& from, const std::string& to);

}  // namespace ecp::ops
