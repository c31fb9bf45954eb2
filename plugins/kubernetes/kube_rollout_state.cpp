#include "plugins/kubernetes/kube_rollout_state.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace ecp::plugins::kubernetes {

std::string applied_time(const nlohmann::json& d) {
  std::string at;
  for (const auto& f : d.value("metadata", nlohmann::json::object()).value("managedFields", nlohmann::json::array()))
    if (f.value("manager", "") == "ecp" && f.value("operation", "") == "Apply") at = f.value("time", "");
  return at;
}

RolloutState rollout_state(const nlohmann::json& d, const std::string& applied_at) {
  using Json = nlohmann::json;
  RolloutState s;
  const Json meta = d.value("metadata", Json::object());
  const Json spec = d.value("spec", Json::object());
  const Json status = d.value("status", Json::object());
  auto tpl_labels =
      spec.value("template", Json::object()).value("metadata", Json::object()).value("labels", Json::object());
  s.revision = std::atoi(tpl_labels.value("ecp.io/revision", "0").c_str());
  s.replicas = spec.value("replicas", 1);
  s.updated = status.value("updatedReplicas", 0);
  s.ready = status.value("readyReplicas", 0);
  s.available = status.value("availableReplicas", 0);
  s.total = status.value("replicas", 0);
  s.observed = status.value("observedGeneration", std::int64_t(0)) >= meta.value("generation", std::int64_t(0));
  for (const auto& c : status.value("conditions", Json::array()))
    if (c.value("type", "") == "Progressing" && c.value("reason", "") == "ProgressDeadlineExceeded" &&
        c.value("lastUpdateTime", "") > applied_at)  // the same RFC 3339 form: text order is time order
      s.deadline_exceeded = true;
  if (!s.observed) {
    s.summary = "waiting for the controller to see the change";
  } else if (s.updated < s.replicas) {
    s.summary = fmt::format("{} of {} updated, {} available", s.updated, s.replicas, s.available);
  } else if (s.total > s.updated) {
    s.summary = fmt::format("{} old replica(s) terminating", s.total - s.updated);
  } else if (s.available < s.updated) {
    s.summary = fmt::format("{} of {} updated replicas available", s.available, s.updated);
  } else {
    s.complete = true;
    s.summary = fmt::format("{} of {} available", s.available, s.replicas);
  }
  return s;
}

}  // namespace ecp::plugins::kubernetes
