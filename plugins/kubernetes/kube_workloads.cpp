// One Deployment per slot: applied whole every time (server-side apply keeps ecp
// the owner of every field it sets, so a scale is the same apply with another
// replica count), read back for health.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/util/error.hpp"
#include "core/util/text.hpp"
#include "plugins/kubernetes/kube_backend.hpp"
#include "plugins/kubernetes/kube_rollout_state.hpp"

namespace ecp::plugins::kubernetes {
namespace {

std::map<std::string, std::vector<backend::InstanceRef>> by_slot(const std::vector<backend::InstanceRef>& refs) {
  std::map<std::string, std::vector<backend::InstanceRef>> out;
  for (const auto& r : refs) out[r.slot].push_back(r);
  return out;
}

}  // namespace

std::optional<Json> KubeBackend::live_deployment(const std::string& slot) {
  return api_->find(apps_path(names_.ns, "deployments", names_.deployment(slot)));
}

Json KubeBackend::apply_slot(const std::string& slot, int revision, int replicas, const backend::Replacement* how,
                             int full) {
  bool recreate = false;
  Workload w = workload(revision_info(revision), slot, replicas, false);
  w.full_replicas = full;
  if (how) {
    w.recreate = how->recreate;
    w.max_surge = how->max_surge;
    w.max_unavailable = how->max_unavailable;
  } else if (auto live = live_deployment(slot)) {
    // Keep the strategy the Deployment has: a scale is not a change of strategy.
    auto s = (*live)["spec"].value("strategy", Json::object());
    recreate = s.value("type", "") == "Recreate";
    w.recreate = recreate;
    if (full <= 0) w.full_replicas = full_replicas(*live);
    if (!recreate) {
      auto ru = s.value("rollingUpdate", Json::object());
      if (ru.value("maxSurge", Json()).is_number()) w.max_surge = ru["maxSurge"].get<int>();
      if (ru.value("maxUnavailable", Json()).is_number()) w.max_unavailable = ru["maxUnavailable"].get<int>();
    }
  }
  std::string name = names_.deployment(slot);
  try {
    return api_->apply(apps_path(names_.ns, "deployments", name), deployment(names_, w), force_);
  } catch (const KubeError& e) {
    if (e.status() == 409)
      fail(ErrorKind::deploy_failed,
           "{}: deployment/{}: another field manager owns fields ecp sets: {} (ECP_FORCE_CONFLICTS=1 takes them over)",
           location_, name, e.what());
    fail(e.kind(), "{}: applying deployment/{}: {}", location_, name, e.what());
  }
}

void KubeBackend::apply_service(const std::string& slot) {
  try {
    saw_service(api_->apply(core_path(names_.ns, "services", names_.service()), service(names_, app_, slot), force_));
  } catch (const KubeError& e) {
    fail(e.kind(), "{}: applying service/{}: {}", location_, names_.service(), e.what());
  }
}

void KubeBackend::ensure_service(const std::string& slot) {
  if (find_service()) return;
  apply_service(slot);
  if (settings_.ingress)
    apply_object(ingress_path(names_.ns, names_.service()), ingress(names_, ingress_spec(-1, "")),
                 "ingress/" + names_.service());
}

std::vector<backend::Failure> KubeBackend::start(const std::vector<backend::InstanceSpec>& instances) {
  std::map<std::string, std::vector<backend::InstanceSpec>> slots;
  for (const auto& i : instances) slots[i.ref.slot].push_back(i);
  std::vector<backend::Failure> failures;
  for (const auto& [slot, specs] : slots) {
    try {
      ensure_service(slot);
      cancel_retire(slot);  // a start cancels the slot's pending scale-down
      int n = static_cast<int>(specs.size());
      apply_slot(slot, specs.front().revision, n, nullptr, n);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      for (const auto& s : specs) failures.push_back({s.ref, e.what(), false, false});
    }
  }
  return failures;
}

std::vector<backend::Probe> KubeBackend::health(const std::vector<backend::InstanceSpec>& instances) {
  std::map<std::string, std::vector<backend::InstanceSpec>> slots;
  for (const auto& i : instances) slots[i.ref.slot].push_back(i);
  std::vector<backend::Probe> out;
  for (const auto& [slot, specs] : slots) {
    auto live = live_deployment(slot);
    RolloutState st = live ? rollout_state(*live, applied_time(*live)) : RolloutState{};
    std::string trouble = st.deadline_exceeded ? pod_trouble(slot, specs.front().revision, true)
                                               : pod_trouble(slot, specs.front().revision, false);
    // A canary split by replica ratio runs fewer replicas than it has instances:
    // the ones it holds back are not judged.
    int running = live ? (*live)["spec"].value("replicas", 0) : 0;
    bool split = live && running > 0 && running < full_replicas(*live);
    for (const auto& s : specs) {
      backend::Probe p;
      p.ref = s.ref;
      bool held = split && s.ref.index >= running;
      p.healthy = live && st.complete && st.revision == s.revision && (s.ref.index < st.available || held);
      p.gone = !p.healthy && (!live || st.deadline_exceeded || !trouble.empty());
      p.detail = !p.healthy ? (!live              ? "no deployment"
                               : !trouble.empty() ? trouble
                                                  : st.summary)
                 : held     ? "held back by the replica split"
                            : "ready";
      out.push_back(p);
    }
  }
  return out;
}

std::vector<backend::Failure> KubeBackend::stop(const std::vector<backend::InstanceRef>& instances) {
  std::vector<backend::Failure> failures;
  for (const auto& [slot, refs] : by_slot(instances)) {
    try {
      auto live = live_deployment(slot);
      if (!live) continue;
      int replicas = (*live)["spec"].value("replicas", 0);
      int leaving =
          static_cast<int>(std::count_if(refs.begin(), refs.end(), [&](const auto& r) { return r.index < replicas; }));
      int revision = rollout_state(*live).revision;
      if (revision <= 0)
        fail(ErrorKind::deploy_failed, "deployment/{} has no ecp.io/revision label", names_.deployment(slot));
      apply_slot(slot, revision, std::max(0, replicas - leaving), nullptr);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      for (const auto& r : refs) failures.push_back({r, e.what(), false, false});
    }
  }
  return failures;
}

}  // namespace ecp::plugins::kubernetes
