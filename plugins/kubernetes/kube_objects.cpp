#include "plugins/kubernetes/kube_objects.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/util/text.hpp"

namespace ecp::plugins::kubernetes {
namespace {

std::string digest_hex(const std::string& digest) {
  auto colon = digest.find(':');
  return colon == std::string::npos ? digest : digest.substr(colon + 1);
}

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

Json probe(const backend::HealthSpec& h, int port) {
  Json p =
      h.path.empty() ? Json{{"tcpSocket", {{"port", port}}}} : Json{{"httpGet", {{"path", h.path}, {"port", port}}}};
  auto seconds = [](backend::Duration d) { return std::max<std::int64_t>(1, (d.count() + 999) / 1000); };
  p["periodSeconds"] = seconds(h.interval);
  p["timeoutSeconds"] = seconds(h.timeout);
  p["failureThreshold"] = std::max(1, h.retries);
  return p;
}

Json resources(const backend::ResourceSpec& r) {
  Json limits = Json::object();
  if (r.cpu_millis > 0) limits["cpu"] = fmt::format("{}m", r.cpu_millis);
  if (r.memory_bytes > 0) limits["memory"] = std::to_string(r.memory_bytes);
  if (limits.empty()) return Json::object();
  // Requests equal to the limits: the scheduler reserves what the app may use.
  return {{"requests", limits}, {"limits", limits}};
}

}  // namespace

std::string label_value(const std::string& s) {
  if (s.empty() || s.size() > 63 || !alnum(s.front()) || !alnum(s.back())) return {};
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return {};
  return s;
}

std::string Names::deployment(const std::string& slot) const {
  return slot == "a" || slot.empty() ? instance() : instance() + "-" + slot;
}

std::string Names::secret(const backend::ReleaseSpec& release) const {
  const auto& id = release.config_fingerprint.empty() ? release.config_digest : release.config_fingerprint;
  return instance() + "-config-" + digest_hex(id).substr(0, 8);
}

std::map<std::string, std::string> Names::labels() const {
  return {{"app.kubernetes.io/managed-by", "ecp"}, {"ecp.io/app", app}, {"ecp.io/env", env}};
}

std::string Names::selector() const {
  return text::url_encode(fmt::format("app.kubernetes.io/managed-by=ecp,ecp.io/app={},ecp.io/env={}", app, env));
}

std::string label_of(const Json& obj, const char* name) {
  return obj.value("metadata", Json::object()).value("labels", Json::object()).value(name, "");
}

std::map<std::string, std::string> slot_selector(const Names& n, const std::string& slot) {
  return {{"app.kubernetes.io/instance", n.instance()}, {"ecp.io/slot", slot}};
}

Json config_secret(const Names& n, const backend::ReleaseSpec& release) {
  Json labels = n.labels();
  labels["ecp.io/kind"] = "config";
  Json annotations = {{"ecp.io/config-digest", release.config_digest}};
  if (!release.config_fingerprint.empty()) annotations["ecp.io/config-fingerprint"] = release.config_fingerprint;
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata",
           {{"name", n.secret(release)}, {"namespace", n.ns}, {"labels", labels}, {"annotations", annotations}}},
          {"type", "Opaque"},
          {"immutable", true},
          {"data", {{"autoconfig.properties", text::base64_encode(release.config_text)}}}};
}

Json deployment(const Names& n, const Workload& w) {
  Json labels = n.labels();
  labels["app.kubernetes.io/name"] = n.app;
  labels["app.kubernetes.io/instance"] = n.instance();
  labels["ecp.io/slot"] = w.slot;
  labels["ecp.io/revision"] = std::to_string(w.revision);
  if (auto v = label_value(w.version); !v.empty()) labels["app.kubernetes.io/version"] = v;
  const int port = w.app.base_port;
  Json container = {{"name", "app"},
                    {"image", w.image},
                    {"ports", Json::array({{{"name", "http"}, {"containerPort", port}, {"protocol", "TCP"}}})},
                    {"env", Json::array({{{"name", "LISTEN_PORT"}, {"value", std::to_string(port)}}})},
                    {"readinessProbe", probe(w.app.health, port + w.app.health.port_delta)},
                    {"volumeMounts", Json::array({{{"name", "config"},
                                                   {"mountPath", "/app/conf/autoconfig.properties"},
                                                   {"subPath", "autoconfig.properties"},
                                                   {"readOnly", true}}})}};
  if (w.app.health.port_delta != 0)
    container["ports"].push_back(
        {{"name", "health"}, {"containerPort", port + w.app.health.port_delta}, {"protocol", "TCP"}});
  if (auto r = resources(w.app.resources); !r.empty()) container["resources"] = r;
  if (w.app.health.liveness) {
    // The kubelet restarts a container whose check fails `retries` times in a row;
    // a startup probe holds that off until the first pass, for as long as the
    // rollout may take, so a slow start is not killed as a hang.
    Json check = probe(w.app.health, port + w.app.health.port_delta);
    container["livenessProbe"] = check;
    auto period = check["periodSeconds"].get<std::int64_t>();
    check["failureThreshold"] =
        std::max<std::int64_t>(check["failureThreshold"].get<int>(), (w.progress_deadline_s + period - 1) / period);
    container["startupProbe"] = check;
  }
  Json pod = {
      {"containers", Json::array({container})},
      {"terminationGracePeriodSeconds", std::max<std::int64_t>(1, w.app.stop_grace.count() / 1000)},
      // 0444: the app reads its configuration, nobody in the pod writes it. Not
      // optional: a pod without its configuration must not start.
      {"volumes", Json::array({{{"name", "config"},
                                {"secret", {{"secretName", w.secret}, {"defaultMode", 0444}, {"optional", false}}}}})}};
  if (!w.pull_secrets.empty()) {
    pod["imagePullSecrets"] = Json::array();
    for (const auto& s : w.pull_secrets) pod["imagePullSecrets"].push_back({{"name", s}});
  }
  Json strategy = w.recreate
                      ? Json{{"type", "Recreate"}}
                      : Json{{"type", "RollingUpdate"},
                             {"rollingUpdate", {{"maxSurge", w.max_surge}, {"maxUnavailable", w.max_unavailable}}}};
  Json template_labels = labels;
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata",
           {{"name", n.deployment(w.slot)},
            {"namespace", n.ns},
            {"labels", labels},
            {"annotations",
             {{"ecp.io/config-digest", w.config_digest},
              {"ecp.io/replicas", std::to_string(w.full_replicas > 0 ? w.full_replicas : w.replicas)}}}}},
          {"spec",
           {{"replicas", w.replicas},
            {"selector", {{"matchLabels", slot_selector(n, w.slot)}}},
            {"strategy", strategy},
            {"progressDeadlineSeconds", w.progress_deadline_s},
            {"revisionHistoryLimit", w.history_limit},
            {"template",
             {{"metadata", {{"labels", template_labels}, {"annotations", {{"ecp.io/config-digest", w.config_digest}}}}},
              {"spec", pod}}}}}};
}

namespace {

Json service_named(const Names& n, const backend::AppSpec& app, const std::string& name, const std::string& slot) {
  Json labels = n.labels();
  labels["app.kubernetes.io/name"] = n.app;
  labels["app.kubernetes.io/instance"] = n.instance();
  return {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", name}, {"namespace", n.ns}, {"labels", labels}}},
      {"spec",
       {{"selector", slot_selector(n, slot)},
        {"ports",
         Json::array({{{"name", "http"}, {"port", app.base_port}, {"targetPort", "http"}, {"protocol", "TCP"}}})}}}};
}

}  // namespace

Json service(const Names& n, const backend::AppSpec& app, const std::string& slot) {
  return service_named(n, app, n.service(), slot);
}

Json canary_service(const Names& n, const backend::AppSpec& app, const std::string& slot) {
  return service_named(n, app, n.canary(), slot);
}

Json service_split(const Names& n, const backend::AppSpec& app, const Split& split) {
  Json s = service_named(n, app, n.service(), split.stable);
  s["spec"]["selector"].erase("ecp.io/slot");
  s["metadata"]["annotations"] = {{"ecp.io/stable-slot", split.stable},
                                  {"ecp.io/canary-slot", split.canary},
                                  {"ecp.io/canary-weight", std::to_string(split.weight)}};
  return s;
}

std::map<std::string, int> service_weights(const Json& service) {
  auto spec = service.value("spec", Json::object());
  std::string slot = spec.value("selector", Json::object()).value("ecp.io/slot", "");
  if (!slot.empty()) return {{slot, 100}};
  auto a = service.value("metadata", Json::object()).value("annotations", Json::object());
  std::string stable = a.value("ecp.io/stable-slot", ""), canary = a.value("ecp.io/canary-slot", "");
  int w = std::atoi(a.value("ecp.io/canary-weight", "0").c_str());
  if (stable.empty() || canary.empty() || stable == canary || w <= 0 || w >= 100) return {};
  return {{stable, 100 - w}, {canary, w}};
}

std::string serving_slot(const Json& service) {
  auto spec = service.value("spec", Json::object());
  std::string slot = spec.value("selector", Json::object()).value("ecp.io/slot", "");
  if (!slot.empty()) return slot;
  return service.value("metadata", Json::object()).value("annotations", Json::object()).value("ecp.io/stable-slot", "");
}

int full_replicas(const Json& deployment) {
  auto a = deployment.value("metadata", Json::object()).value("annotations", Json::object());
  int n = std::atoi(a.value("ecp.io/replicas", "0").c_str());
  return n > 0 ? n : deployment.value("spec", Json::object()).value("replicas", 0);
}

int split_replicas(int stable, int weight, int full) {
  // canary / (stable + canary) = weight / 100, rounded to a whole pod.
  weight = std::clamp(weight, 1, 99);
  auto c = static_cast<int>(std::lround(static_cast<double>(stable) * weight / (100 - weight)));
  return std::clamp(c, 1, std::max(1, full));
}

Json ingress(const Names& n, const IngressSpec& spec) {
  const bool canary = spec.canary_weight >= 0;
  Json annotations = Json::object();
  if (canary) {
    const std::string a = "nginx.ingress.kubernetes.io/";
    annotations[a + "canary"] = "true";
    annotations[a + "canary-weight"] = std::to_string(spec.canary_weight);
    if (!spec.preview_header.empty()) {
      annotations[a + "canary-by-header"] = spec.preview_header;
      annotations[a + "canary-by-header-value"] = "always";
    }
    annotations[a + "canary-by-cookie"] = "ecp_preview";
  }
  Json labels = n.labels();
  labels["app.kubernetes.io/instance"] = n.instance();
  Json to = {{"service", {{"name", canary ? n.canary() : n.service()}, {"port", {{"name", "http"}}}}}};
  Json path = {{"path", spec.path}, {"pathType", "Prefix"}, {"backend", to}};
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "Ingress"},
          {"metadata",
           {{"name", canary ? n.canary() : n.service()},
            {"namespace", n.ns},
            {"labels", labels},
            {"annotations", annotations}}},
          {"spec",
           {{"ingressClassName", spec.class_name},
            {"rules", Json::array({{{"host", spec.host}, {"http", {{"paths", Json::array({path})}}}}})}}}};
}

}  // namespace ecp::plugins::kubernetes
