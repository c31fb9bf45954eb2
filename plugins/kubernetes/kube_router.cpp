// The traffic capability. The Service <app>-<env> selects the serving slot, so
// blue-green's switch (and its rollback inside the keep window) is one apply of
// it. With an ingress (the target's `ingress:`), an Ingress sends clients to that
// Service, and a canary's share goes through a second, canary Ingress that
// ingress-nginx splits by weight (nginx.ingress.kubernetes.io/canary-weight) to
// the Service <app>-<env>-canary, which selects the canary slot; the preview
// header ("HEADER: always") and the cookie ecp_preview=always reach it too.
// Without an ingress, a canary splits by replica ratio, as Argo Rollouts does
// without traffic routing: the Service selects both slots' pods, and the canary
// runs the replica count nearest its share beside the stable slot's full count.
#include <fmt/format.h>

#include <chrono>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "plugins/kubernetes/kube_backend.hpp"
#include "plugins/kubernetes/kube_rollout_state.hpp"

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

Json KubeBackend::apply_object(const std::string& path, const Json& object, const std::string& what) {
  try {
    return api_->apply(path, object, force_);
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

void KubeBackend::scale_slot(const std::string& slot, int replicas, int full) {
  auto live = live_deployment(slot);
  if (!live)
    fail(ErrorKind::deploy_failed, "{}: slot {} has no deployment/{}", location_, slot, names_.deployment(slot));
  if (full <= 0) full = full_replicas(*live);
  if ((*live)["spec"].value("replicas", 0) == replicas && full_replicas(*live) == full) return;
  int revision = rollout_state(*live).revision;
  Json applied = apply_slot(slot, revision, replicas, nullptr, full);
  auto progress = [&](const std::string& line) { log::debug("{}: {}", location_, line); };
  if (auto why = watch_rollout(slot, applied, revision, progress, [] { return false; }); !why.empty())
    fail(ErrorKind::deploy_failed, "{}: scaling slot {} to {} replica(s): {}", location_, slot, replicas, why);
}

std::int64_t KubeBackend::route(const std::map<std::string, int>& weights, const std::string& preview,
                                const std::vector<backend::InstanceRef>&) {
  std::string full, canary;
  int canary_weight = 0;
  auto svc = find_service();
  std::string serving = svc ? serving_slot(*svc) : "";
  for (const auto& [slot, w] : weights) {
    if (w == 100) full = slot;
    if (w > 0 && w < 100 && slot != serving) {
      canary = slot;
      canary_weight = w;
    }
  }
  if (!full.empty()) {
    // A slot that a replica split held back serves with all its replicas again,
    // ready, before the Service sends it everything.
    if (auto live = live_deployment(full); live && (*live)["spec"].value("replicas", 0) < full_replicas(*live))
      scale_slot(full, full_replicas(*live), 0);
    apply_service(full);
    if (settings_.ingress) {
      apply_object(ingress_path(names_.ns, names_.service()), ingress(names_, ingress_spec(-1, "")),
                   "ingress/" + names_.service());
      delete_if_there(ingress_path(names_.ns, names_.canary()));
      delete_if_there(core_path(names_.ns, "services", names_.canary()));
    }
    return now_ms();
  }
  if (canary.empty() || serving.empty())
    fail(ErrorKind::usage, "{}: no slot serves yet, so there is nothing to split traffic with", location_);
  if (!settings_.ingress) return split_by_replicas({serving, canary, canary_weight});
  // The Service keeps the serving slot; the canary's share goes through its own Ingress.
  apply_object(core_path(names_.ns, "services", names_.canary()), canary_service(names_, app_, canary),
               "service/" + names_.canary());
  std::string header = preview == canary ? app_.preview_header : "";
  apply_object(ingress_path(names_.ns, names_.canary()), ingress(names_, ingress_spec(canary_weight, header)),
               "ingress/" + names_.canary());
  log::debug("{}: {}% of the traffic to slot {} through ingress/{}", location_, canary_weight, canary, names_.canary());
  return now_ms();
}

std::int64_t KubeBackend::split_by_replicas(const Split& split) {
  // The stable slot keeps all its replicas; the canary runs the count nearest the
  // asked share beside them, and the Service selects both.
  auto stable = live_deployment(split.stable);
  int stable_n = stable ? (*stable)["spec"].value("replicas", 0) : 0;
  auto canary = live_deployment(split.canary);
  if (!canary)
    fail(ErrorKind::deploy_failed, "{}: slot {} has no deployment/{}", location_, split.canary,
         names_.deployment(split.canary));
  int full = full_replicas(*canary);
  int n = split_replicas(stable_n, split.weight, full);
  scale_slot(split.canary, n, full);
  saw_service(apply_object(core_path(names_.ns, "services", names_.service()), service_split(names_, app_, split),
                           "service/" + names_.service()));
  log::info("{}: service/{} selects both slots: {} pod(s) of slot {} beside {} of slot {} ({}% of the pods, {}% asked)",
            location_, names_.service(), n, split.canary, stable_n, split.stable, 100 * n / std::max(1, n + stable_n),
            split.weight);
  return now_ms();
}

std::map<std::string, int> KubeBackend::weights() {
  auto svc = find_service();
  if (!svc) return {};
  auto out = service_weights(*svc);
  if (out.size() != 1 || !settings_.ingress) return out;
  std::string slot = out.begin()->first;
  auto ing = api_->find(ingress_path(names_.ns, names_.canary()));
  auto canary = api_->find(core_path(names_.ns, "services", names_.canary()));
  if (ing && canary) {
    auto a = (*ing)["metadata"].value("annotations", Json::object());
    int w = std::atoi(a.value("nginx.ingress.kubernetes.io/canary-weight", "0").c_str());
    std::string other = (*canary)["spec"].value("selector", Json::object()).value("ecp.io/slot", "");
    if (w > 0 && w < 100 && !other.empty() && other != slot) return {{slot, 100 - w}, {other, w}};
  }
  return out;
}

std::map<std::string, backend::SlotTraffic> KubeBackend::traffic(std::int64_t) { return {}; }

std::string KubeBackend::url() {
  if (settings_.ingress) return fmt::format("http://{}{}", settings_.ingress->host, settings_.ingress->path);
  return fmt::format("http://{}:{}/", address(location_), app_.base_port);
}

}  // namespace ecp::plugins::kubernetes
