// ecp exec on Kubernetes: kubectl exec into the instance's pod, with the
// target's kubeconfig, context and namespace. ecp replaces itself with it, so
// the terminal, the signals and the exit status are the command's (as on hosts
// and engines); kubectl speaks the exec stream (WebSocket, else SPDY).
#include <fmt/format.h>

#include <filesystem>

#include "core/util/error.hpp"
#include "plugins/kubernetes/kube_backend.hpp"

namespace ecp::plugins::kubernetes {

std::vector<std::string> KubeBackend::exec_argv(const backend::InstanceRef& instance,
                                                const std::vector<std::string>& command, bool tty) {
  backend::TargetStatus ignored;
  std::string pod;
  for (const auto& pi : pod_instances(ignored))
    if (pi.status.ref == instance && pi.status.state == backend::InstanceState::running) pod = pi.pod;
  if (pod.empty()) fail(ErrorKind::usage, "{}: {} has no running pod (see ecp status)", location_, instance.name());
  std::vector<std::string> argv = {"kubectl"};
  if (!settings_.kubeconfig.empty()) {
    std::filesystem::path p = settings_.kubeconfig;
    if (p.is_relative() && !settings_.base_dir.empty()) p = std::filesystem::path(settings_.base_dir) / p;
    argv.insert(argv.end(), {"--kubeconfig", p.string()});
  }
  if (!context_.empty()) argv.insert(argv.end(), {"--context", context_});
  argv.insert(argv.end(), {"--namespace", names_.ns, "exec", "-i"});
  if (tty) argv.push_back("-t");
  argv.insert(argv.end(), {pod, "-c", "app", "--"});
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

}  // namespace ecp::plugins::kubernetes
