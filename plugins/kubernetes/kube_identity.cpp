// Who the cluster says ecp acts as: a SelfSubjectReview (authentication.k8s.io/v1,
// Kubernetes 1.28 and later) answers the user and the groups the API server
// authenticated, whatever the credential (token, client certificate, exec
// plugin). An API server without it (404) leaves the kubeconfig's user entry:
// the client's own claim, unverified.
#include <fmt/format.h>

#include "core/util/log.hpp"
#include "plugins/kubernetes/kube_api.hpp"
#include "plugins/kubernetes/kube_backend.hpp"

namespace ecp::plugins::kubernetes {

backend::Identity KubeBackend::identity() {
  if (identity_) return *identity_;
  backend::Identity id;
  try {
    auto answer = api_->call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                             Json{{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}});
    const Json* info = answer.is_object() && answer.contains("status") ? &answer["status"] : nullptr;
    if (info && info->contains("userInfo")) info = &(*info)["userInfo"];
    auto user = info && info->is_object() ? info->value("username", "") : std::string();
    if (user.empty()) fail(ErrorKind::deploy_failed, "a SelfSubjectReview without status.userInfo.username");
    id.user = user;
    // The user first (the audit log's verified name), then its groups: an
    // access group may list either.
    id.principals.push_back(user);
    if (info->contains("groups") && (*info)["groups"].is_array())
      for (const auto& g : (*info)["groups"])
        if (g.is_string()) id.principals.push_back(g.get<std::string>());
    id.method = "kubernetes SelfSubjectReview";
    id.verified = true;
  } catch (const KubeError& e) {
    if (e.status() != 404) throw;
    // An API server older than 1.28: the kubeconfig's user, as the client claims it.
    log::warn(
        "the API server has no SelfSubjectReview (Kubernetes before 1.28): acting as kubeconfig user '{}', "
        "unverified",
        kubeconfig_user_);
    id = Backend::identity();
    if (!kubeconfig_user_.empty()) id.user = kubeconfig_user_;
    id.method = "kubeconfig user (unverified)";
  }
  identity_ = id;
  return id;
}

}  // namespace ecp::plugins::kubernetes
