// The traffic capability: the Service selects one slot, so blue-green's switch
// (and its rollback inside the keep window) is one apply of the Service.
#include <fmt/format.h>

#include <chrono>

#include "core/util/error.hpp"
#include "plugins/kubernetes/kube_backend.hpp"

namespace ecp::plugins::kubernetes {

std::int64_t KubeBackend::route(const std::map<std::string, int>& weights, const std::string&,
                                const std::vector<backend::InstanceRef>&) {
  std::string slot;
  int split = 0;
  for (const auto& [s, w] : weights) {
    if (w > 0) ++split;
    if (w == 100) slot = s;
  }
  if (split > 1 || slot.empty())
    fail(ErrorKind::usage,
         "{}: splitting traffic between slots (canary) is not built for kubernetes targets yet; use blue-green, "
         "rolling or recreate",
         location_);
  apply_service(slot);
  // The Service's endpoints follow the selector within the API server's own
  // time; the old slot's pods keep serving until they are scaled down.
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::map<std::string, int> KubeBackend::weights() {
  auto svc = api_->find(core_path(names_.ns, "services", names_.service()));
  if (!svc) return {};
  std::string slot = (*svc)["spec"].value("selector", Json::object()).value("ecp.io/slot", "");
  if (slot.empty()) return {};
  return {{slot, 100}};
}

std::map<std::string, backend::SlotTraffic> KubeBackend::traffic(std::int64_t) { return {}; }

std::string KubeBackend::url() { return fmt::format("http://{}:{}/", address(location_), app_.base_port); }

}  // namespace ecp::plugins::kubernetes
