// `ecp top` on Kubernetes: the metrics API (metrics.k8s.io/v1beta1, which
// metrics-server serves and `kubectl top` reads). Instances: the PodMetrics of
// the pods ecp manages in the namespace (this (app, env)'s, or every app's),
// with the pods' restarts, start times and states; locations: the nodes those
// pods run on, their NodeMetrics against their allocatable CPU and memory. A
// cluster without metrics-server, or a user the nodes are forbidden to, gets
// a note saying so instead of figures. The API gives figures averaged over its
// own window, so no second sample is taken.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/util/error.hpp"
#include "core/util/text.hpp"
#include "plugins/kubernetes/kube_backend.hpp"
#include "plugins/kubernetes/kube_objects.hpp"

namespace ecp::plugins::kubernetes {

std::optional<double> parse_quantity(std::string_view q) {
  static const std::pair<std::string_view, double> suffixes[] = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"n", 1e-9},    {"u", 1e-6},       {"m", 1e-3},          {"k", 1e3},
      {"M", 1e6},     {"G", 1e9},        {"T", 1e12}};
  double scale = 1;
  for (const auto& [s, f] : suffixes)
    if (q.size() > s.size() && q.ends_with(s)) {
      q.remove_suffix(s.size());
      scale = f;
      break;
    }
  if (q.empty() || q.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
  try {
    return std::stod(std::string(q)) * scale;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

constexpr const char* metrics_api = "/apis/metrics.k8s.io/v1beta1";

// The CPU (cores) and memory (bytes) of a usage map; -1 where it says nothing readable.
std::pair<double, double> usage_of(const Json& usage) {
  auto cpu = parse_quantity(usage.value("cpu", "")), mem = parse_quantity(usage.value("memory", ""));
  return {cpu.value_or(-1), mem.value_or(-1)};
}

}  // namespace

backend::Metrics KubeBackend::metrics(backend::Duration, bool every_app) {
  backend::Metrics m;
  std::string selector = text::url_encode(every_app ? std::string("app.kubernetes.io/managed-by=ecp")
                                                    : "app.kubernetes.io/instance=" + names_.instance());
  auto pods = api_->get(core_path(names_.ns, "pods") + "?labelSelector=" + selector);
  std::map<std::string, Json> usage;  // pod -> its PodMetrics
  bool have_metrics = true;
  try {
    auto pm = api_->find(fmt::format("{}/namespaces/{}/pods?labelSelector={}", metrics_api, names_.ns, selector));
    if (!pm) {
      have_metrics = false;
      m.notes.push_back(
          "the cluster serves no metrics API (metrics.k8s.io): install metrics-server for CPU and memory figures");
    } else {
      for (const auto& item : pm->value("items", Json::array())) usage[item["metadata"].value("name", "")] = item;
    }
  } catch (const KubeError& e) {
    have_metrics = false;
    m.notes.push_back(fmt::format("the pods' metrics cannot be read: {}", e.what()));
  }
  // Instance i of a slot: its i-th pod by name, per (app, env, slot).
  std::map<std::tuple<std::string, std::string, std::string>, int> next_index;
  std::set<std::string> nodes;
  auto items = pods.value("items", Json::array());
  std::sort(items.begin(), items.end(), [](const Json& a, const Json& b) {
    return a["metadata"].value("name", "") < b["metadata"].value("name", "");
  });
  for (const auto& p : items) {
    if (p["metadata"].contains("deletionTimestamp")) continue;
    backend::InstanceMetrics i;
    i.app = label_of(p, "ecp.io/app");
    i.env = label_of(p, "ecp.io/env");
    std::string slot = label_of(p, "ecp.io/slot");
    i.ref = {location_, slot, next_index[{i.app, i.env, slot}]++};
    auto status = p.value("status", Json::object());
    i.since = status.value("startTime", "");
    bool ready = false;
    for (const auto& cs : status.value("containerStatuses", Json::array())) {
      i.restarts += cs.value("restartCount", 0);
      ready = ready || cs.value("ready", false);
    }
    i.state = ready ? backend::InstanceState::running : backend::InstanceState::starting;
    if (auto it = usage.find(p["metadata"].value("name", "")); it != usage.end()) {
      double cpu = 0, mem = 0;
      for (const auto& c : it->second.value("containers", Json::array())) {
        auto [cc, cm] = usage_of(c.value("usage", Json::object()));
        cpu += std::max(cc, 0.0);
        mem += std::max(cm, 0.0);
      }
      i.cpu_percent = cpu * 100;
      i.rss = static_cast<std::int64_t>(mem);
    }
    if (auto node = p.value("spec", Json::object()).value("nodeName", ""); !node.empty()) nodes.insert(node);
    m.instances.push_back(i);
  }
  if (have_metrics) node_metrics(nodes, m);
  return m;
}

// The nodes the pods run on: their usage against what they can allocate.
void KubeBackend::node_metrics(const std::set<std::string>& nodes, backend::Metrics& m) {
  for (const auto& name : nodes) {
    backend::LocationMetrics l;
    l.location = "node/" + name;
    l.address = name;
    try {
      auto node = api_->get(fmt::format("/api/v1/nodes/{}", name));
      auto usage = api_->get(fmt::format("{}/nodes/{}", metrics_api, name));
      auto [cpu, mem] = usage_of(usage.value("usage", Json::object()));
      auto [cores, total] = usage_of(node.value("status", Json::object()).value("allocatable", Json::object()));
      l.cpus = cores > 0 ? static_cast<int>(std::ceil(cores)) : 0;
      if (cpu >= 0 && cores > 0) l.cpu_percent = std::min(100.0, cpu / cores * 100);
      if (mem >= 0) l.memory_used = static_cast<std::int64_t>(mem);
      if (total > 0) l.memory_total = static_cast<std::int64_t>(total);
      m.locations.push_back(l);
    } catch (const KubeError& e) {
      m.notes.push_back(fmt::format("node {}: {}", name, e.what()));
    }
  }
}

}  // namespace ecp::plugins::kubernetes
