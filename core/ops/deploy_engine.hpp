#pragma once
// Internal to core/ops: the release engine deploy, rollback and apply share, and
// where their images come from.
#include <optional>
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/ledger/record.hpp"
#include "core/ops/deploy.hpp"
#include "core/ops/deploy_context.hpp"

namespace ecp::ops {

struct ResolvedImage {
  std::string reference;
  std::string digest;
  std::vector<backend::LayerBlob> layers;  // the app layers (paths into ecp's store, when it has them)
};

// An image of ecp's store by tag or digest; its app layers are those `ecp build`
// made (by the image config's history), else every layer.
ResolvedImage resolve_image(const std::string& reference);
// The reference `ecp build` gives the project's image now (APP:TAG).
std::string default_image_reference(const ValidateOptions& files, const Project& project);
// The image a ledger record ran; layer paths are filled where the store has them.
ResolvedImage image_of(const ledger::Record& r);

struct ReleaseInput {
  std::string kind = "deploy";  // deploy | rollback
  int rollback_to = 0;
  ResolvedImage image;
  DeployConfig config;
  std::string strategy;
  int batch = 1, max_unavailable = 1;
  std::string change_id;
  std::optional<int> expect_next_revision;  // apply: refuse when the ledger moved since the plan
};

// The strategy settings of the environment, with --strategy applied.
void set_strategy(ReleaseInput& in, const TargetContext& ctx, const std::string& override_type);

// `probe`: run the health checks to tell whether an unchanged release still serves
// everywhere (a forced release does not need to know).
DeployPlan make_plan(TargetContext& ctx, const ReleaseInput& in, bool probe = true);

// Runs a release end to end (lock, ledger record, prepare, strategy, activate,
// record the outcome, prune, unlock). Never leaves the lock behind; an interrupt
// is reported in the result after the target is back where it was.
DeployResult execute(TargetContext& ctx, const ReleaseInput& in, bool force, std::chrono::milliseconds lock_wait,
                     const DeployEventFn& on_event);

// The base port the rendered configuration asks for (LISTEN_PORT), 0 when none.
int configured_port(const DeployConfig& c);

}  // namespace ecp::ops
