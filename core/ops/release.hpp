#pragma once
// `ecp release --env E`: the one command for CI. Build (or reuse: an unchanged
// tree rebuilds from the layer cache in no time), push when the target pulls from
// a registry (host targets do not: ecp sends the layers itself), deploy, verify.
#include <chrono>
#include <string>

#include "core/ops/build.hpp"
#include "core/ops/deploy.hpp"

namespace ecp::ops {

struct ReleaseOptions {
  ValidateOptions project;
  std::string env;
  std::string tag;        // the image tag (default: as ecp build names it)
  std::string strategy;
  std::string change_id;
  std::string emergency;  // --emergency REASON
  bool force = false;
  bool manual = false;    // canary: pause after the first step (ecp canary promote | abort)
  ConfigOverrides overrides;  // --set, --values
  std::chrono::milliseconds lock_wait{0};
  std::chrono::milliseconds registry_timeout{0};  // --timeout of registry requests (base pull, push)
  DeployEventFn on_event;
};

struct ReleaseResult {
  BuildResult build;
  bool pushed = false;
  std::string pushed_to;
  DeployResult deploy;
  bool verified = false;   // every instance answered its health check after the release
  std::string verify_detail;
};

ReleaseResult release(const ReleaseOptions& options);

}  // namespace ecp::ops
