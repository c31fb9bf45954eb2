#pragma once
// Four-eyes approvals of an environment (ecp.yaml's approvals:): `ecp approve`
// records, at the destination's target, that a verified identity approved one
// image digest with one configuration digest; a release or promotion there
// goes through only with enough unexpired approvals of both digests, by people
// of the approvals' groups other than the releaser.
#include <cstdint>
#include <string>
#include <vector>

#include "core/descriptor/model.hpp"
#include "core/ops/deploy_context.hpp"
#include "core/ops/release_engine.hpp"

namespace ecp::ops {

struct Approval {
  std::string approver;            // the verified name (a certificate principal, the SSH user, $USER)
  std::vector<std::string> names;  // every name the approver's identity answers to
  std::string method;              // how it was verified
  std::string image_digest, config_digest;
  std::int64_t when_ms = 0, expires_ms = 0;
  std::string comment;
};

// Why a release of (image, config) by `releaser` does not have the approvals
// `rule` asks for ("" = it does); counts each approver once (pure; unit-tested).
std::string approval_problem(const descriptor::Approvals& rule, const descriptor::Access& access,
                             const std::vector<Approval>& approvals, const std::string& image,
                             const std::string& config, const backend::Identity& releaser, std::int64_t now_ms);
// Before a release or promotion: throws Error(permission), after an audit entry
// `denied`, when the environment's approvals are not there.
void check_approvals(TargetContext& ctx, const ReleaseInput& in);

struct ApproveOptions {
  ValidateOptions project;
  std::string env;
  std::string revision_of;    // "staging:3" or "staging" (what serves there)
  std::string image, config;  // digests, instead of --revision-of and today's rendering
  std::string comment;
};
struct ApproveResult {
  std::string app, env, target;
  Approval approval;
};
ApproveResult approve(const ApproveOptions& options);

}  // namespace ecp::ops
