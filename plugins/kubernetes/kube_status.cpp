// status() and logs(): the slots' Deployments and their pods. Instance i of a
// slot is its i-th pod, the pods of the Deployment's own revision first, so a
// replica keeps its index while older pods terminate.
#include <fmt/format.h>

#include <algorithm>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/parallel.hpp"
#include "core/util/text.hpp"
#include "plugins/kubernetes/kube_backend.hpp"
#include "plugins/kubernetes/kube_rollout_state.hpp"

namespace ecp::plugins::kubernetes {
namespace {

constexpr std::size_t max_log_line = std::size_t(1) << 20;

int label_int(const Json& obj, const char* label) {
  auto labels = obj.value("metadata", Json::object()).value("labels", Json::object());
  return std::atoi(labels.value(label, "0").c_str());
}

backend::InstanceState pod_state(const Json& pod, int& restarts) {
  auto status = pod.value("status", Json::object());
  bool ready = false, crashed = false;
  restarts = 0;
  for (const auto& cs : status.value("containerStatuses", Json::array())) {
    restarts += cs.value("restartCount", 0);
    ready = cs.value("ready", false);
    auto reason = cs.value("state", Json::object()).value("waiting", Json::object()).value("reason", "");
    crashed = crashed || reason == "CrashLoopBackOff" || reason == "ErrImagePull" || reason == "ImagePullBackOff";
  }
  if (pod["metadata"].contains("deletionTimestamp")) return backend::InstanceState::stopped;
  if (ready) return backend::InstanceState::running;
  return crashed ? backend::InstanceState::crashed : backend::InstanceState::starting;
}

}  // namespace

std::vector<KubeBackend::PodInstance> KubeBackend::pod_instances(backend::TargetStatus& total) {
  std::vector<PodInstance> out;
  auto deployments = api_->get(apps_path(names_.ns, "deployments") + "?labelSelector=" + names_.selector());
  auto pods = api_->get(core_path(names_.ns, "pods") +
                        "?labelSelector=" + text::url_encode("app.kubernetes.io/instance=" + names_.instance()));
  auto svc = find_service();
  std::string serving = svc ? serving_slot(*svc) : "";
  total.current[location_] = 0;
  for (const auto& d : deployments.value("items", Json::array())) {
    std::string slot = label_of(d, "ecp.io/slot");
    auto st = rollout_state(d);
    if (slot == serving && st.replicas > 0) total.current[location_] = st.revision;
    total.workloads.push_back(
        {"deployment/" + d["metadata"].value("name", ""), slot, st.revision, st.replicas, st.ready, st.updated});
    std::vector<Json> mine;
    for (const auto& p : pods.value("items", Json::array()))
      if (label_of(p, "ecp.io/slot") == slot) mine.push_back(p);
    std::stable_sort(mine.begin(), mine.end(), [&](const Json& a, const Json& b) {
      bool ca = label_int(a, "ecp.io/revision") == st.revision, cb = label_int(b, "ecp.io/revision") == st.revision;
      if (ca != cb) return ca;
      return a["metadata"].value("name", "") < b["metadata"].value("name", "");
    });
    for (int i = 0; i < st.replicas; ++i) {
      PodInstance pi;
      auto& s = pi.status;
      s.ref = {location_, slot, i};
      s.revision = st.revision;
      s.port = app_.base_port;
      s.address = address(location_);
      s.state = backend::InstanceState::starting;
      if (i < static_cast<int>(mine.size())) {
        const auto& p = mine[i];
        pi.pod = p["metadata"].value("name", "");
        s.revision = label_int(p, "ecp.io/revision");
        s.state = pod_state(p, s.restarts);
        s.name = "pod/" + pi.pod;
        s.node = p.value("spec", Json::object()).value("nodeName", "");
        for (const auto& o : p["metadata"].value("ownerReferences", Json::array()))
          if (o.value("controller", false) && o.value("kind", "") == "ReplicaSet")
            s.group = "replicaset/" + o.value("name", "");
        s.since = p.value("status", Json::object()).value("startTime", "");
        if (auto ip = p.value("status", Json::object()).value("podIP", ""); !ip.empty()) s.address = ip;
      }
      out.push_back(pi);
    }
  }
  return out;
}

backend::TargetStatus KubeBackend::status() {
  backend::TargetStatus total;
  try {
    auto pending = retire_due();
    for (auto& pi : pod_instances(total)) {
      if (auto it = pending.find(pi.status.ref.slot); it != pending.end())
        pi.status.stops_at = text::rfc3339_ms(it->second);
      total.instances.push_back(pi.status);
    }
  } catch (const KubeError& e) {
    if (e.status() != 0) throw;
    total.unreachable.push_back(fmt::format("{}: {}", location_, e.what()));
  }
  return total;
}

void KubeBackend::logs(const backend::LogOptions& options, const backend::LineSink& sink) {
  backend::TargetStatus ignored;
  auto all = pod_instances(ignored);
  std::vector<PodInstance> chosen;
  for (const auto& pi : all) {
    if (pi.pod.empty()) continue;
    if (options.instances.empty() ||
        std::find(options.instances.begin(), options.instances.end(), pi.status.ref) != options.instances.end())
      chosen.push_back(pi);
  }
  if (chosen.empty()) {
    log::info("no pods of {}/{} in {}", app_.app, app_.env, location_);
    return;
  }
  // Following streams never end, so every pod needs its own thread then.
  int jobs = options.follow ? static_cast<int>(chosen.size()) : default_jobs();
  auto errors = parallel_try(chosen.size(), jobs, [&](std::size_t i) {
    const auto& pi = chosen[i];
    std::string path = core_path(names_.ns, "pods", pi.pod) +
                       fmt::format("/log?tailLines={}{}", options.lines, options.follow ? "&follow=true" : "");
    std::string pending;
    try {
      api_->stream(path, options.follow ? std::chrono::milliseconds(0) : std::chrono::minutes(2),
                   [&](std::string_view chunk) {
                     pending.append(chunk);
                     std::size_t nl;
                     while ((nl = pending.find('\n')) != std::string::npos) {
                       sink(pi.status.ref, std::string_view(pending).substr(0, nl));
                       pending.erase(0, nl + 1);
                     }
                     if (pending.size() > max_log_line) {  // a line without end: shown in pieces
                       sink(pi.status.ref, pending);
                       pending.clear();
                     }
                   });
      if (!pending.empty()) sink(pi.status.ref, pending);
    } catch (const KubeError& e) {
      if (e.status() != 404 && e.status() != 400) throw;  // gone meanwhile, or not started yet
    }
  });
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace ecp::plugins::kubernetes
