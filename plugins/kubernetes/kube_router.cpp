// The traffic capability. The Service <app>-<env> selects the serving slot, so
// blue-green's switch (and its rollback inside the keep window) is one apply of
// it. With an ingress (the target's `ingress:`), an Ingress sends clients to that
// Service, and a canary's share goes through a second, canary Ingress that
// ingress-nginx splits by weight (nginx.ingress.kubernetes.io/canary-weight) to
// the Service <app>-<env>-canary, which selects the canary slot; the preview
// header ("HEADER: always") and the cookie ecp_preview=always reach it too.
#include <fmt/format.h>

#include <chrono>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "plugins/kubernetes/kube_backend.hpp"

namespace ecp::plugins::kubernetes {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

IngressSpec KubeBackend::ingress_spec(int canary_weight, const std::string& preview_header) const {
  IngressSpec spec;
  spec.class_name = settings_.ingress->class_name;
  spec.host = settings_.ingress->host;
  spec.path = settings_.ingress->path;
  spec.canary_weight = canary_weight;
  spec.preview_header = preview_header;
  return spec;
}

void KubeBackend::apply_object(const std::string& path, const Json& object, const std::string& what) {
  try {
    api_->apply(path, object, force_);
  } catch (const KubeError& e) {
    fail(e.kind(), "{}: applying {}: {}", location_, what, e.what());
  }
}

void KubeBackend::delete_if_there(const std::string& path) {
  try {
    api_->call("DELETE", path);
  } catch (const KubeError& e) {
    if (e.status() != 404) throw;
  }
}

std::int64_t KubeBackend::route(const std::map<std::string, int>& weights, const std::string& preview,
                                const std::vector<backend::InstanceRef>&) {
  std::string full, canary;
  int canary_weight = 0;
  auto live = this->weights();
  std::string serving = live.empty() ? "" : live.begin()->first;
  for (const auto& [slot, w] : weights) {
    if (w == 100) full = slot;
    if (w > 0 && w < 100 && slot != serving) {
      canary = slot;
      canary_weight = w;
    }
  }
  if (!full.empty()) {
    apply_service(full);
    if (settings_.ingress) {
      apply_object(ingress_path(names_.ns, names_.service()), ingress(names_, ingress_spec(-1, "")),
                   "ingress/" + names_.service());
      delete_if_there(ingress_path(names_.ns, names_.canary()));
      delete_if_there(core_path(names_.ns, "services", names_.canary()));
    }
    return now_ms();
  }
  if (!settings_.ingress || canary.empty())
    fail(ErrorKind::usage, "{}: splitting traffic between slots needs an ingress (the target's ingress:)", location_);
  // The Service keeps the serving slot; the canary's share goes through its own Ingress.
  apply_object(core_path(names_.ns, "services", names_.canary()), canary_service(names_, app_, canary),
               "service/" + names_.canary());
  std::string header = preview == canary ? app_.preview_header : "";
  apply_object(ingress_path(names_.ns, names_.canary()), ingress(names_, ingress_spec(canary_weight, header)),
               "ingress/" + names_.canary());
  log::debug("{}: {}% of the traffic to slot {} through ingress/{}", location_, canary_weight, canary, names_.canary());
  return now_ms();
}

std::map<std::string, int> KubeBackend::weights() {
  auto svc = api_->find(core_path(names_.ns, "services", names_.service()));
  if (!svc) return {};
  std::string slot = (*svc)["spec"].value("selector", Json::object()).value("ecp.io/slot", "");
  if (slot.empty()) return {};
  if (settings_.ingress) {
    auto ing = api_->find(ingress_path(names_.ns, names_.canary()));
    auto canary = api_->find(core_path(names_.ns, "services", names_.canary()));
    if (ing && canary) {
      auto a = (*ing)["metadata"].value("annotations", Json::object());
      int w = std::atoi(a.value("nginx.ingress.kubernetes.io/canary-weight", "0").c_str());
      std::string other = (*canary)["spec"].value("selector", Json::object()).value("ecp.io/slot", "");
      if (w > 0 && w < 100 && !other.empty() && other != slot) return {{slot, 100 - w}, {other, w}};
    }
  }
  return {{slot, 100}};
}

std::map<std::string, backend::SlotTraffic> KubeBackend::traffic(std::int64_t) { return {}; }

std::string KubeBackend::url() {
  if (settings_.ingress) return fmt::format("http://{}{}", settings_.ingress->host, settings_.ingress->path);
  return fmt::format("http://{}:{}/", address(location_), app_.base_port);
}

}  // namespace ecp::plugins::kubernetes
