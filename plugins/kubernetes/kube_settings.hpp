#pragma once
// The kubernetes plugin's settings: its section of the targets file, checked with
// file:line:col errors.
//
//   targets:
//     cluster:
//       plugin: kubernetes
//       registry: main              # where `ecp release` pushes; pods pull by digest
//       kubeconfig: ~/.kube/prod    # optional: this file alone (else KUBECONFIG, ~/.kube/config, in-cluster)
//       context: prod               # optional: else the kubeconfig's current-context
//       namespace: shop             # optional: else the context's, else "default"
//       image_pull_secrets: [regcred]
//       progress_deadline: 120      # seconds without progress before a rollout fails
//       ingress: {class: nginx, host: shop.example.com}   # an Ingress to the Service; with an
//                                   # ingress-nginx class, canary splits traffic by its annotations
#include <optional>
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::plugins::kubernetes {

struct IngressSettings {
  std::string class_name;  // ingressClassName
  std::string host;
  std::string path = "/";
};

struct KubeSettings {
  std::string kubeconfig;  // "" = the default chain
  std::string context;
  std::string ns;
  std::vector<std::string> pull_secrets;
  int progress_deadline_s = 120;
  std::optional<IngressSettings> ingress;
  std::string base_dir;  // the targets file's folder: what a relative kubeconfig: is relative to
};

void read_kube_settings(const backend::Settings& section, KubeSettings& s, Diagnostics& out);
// Throws Error(validation) listing the problems.
KubeSettings kube_settings(const backend::TargetSpec& target);

}  // namespace ecp::plugins::kubernetes
