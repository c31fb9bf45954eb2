#include "core/backend/types.hpp"

#include <fmt/format.h>

#include "core/util/enum_names.hpp"
#include "core/util/error.hpp"

namespace ecp::backend {

std::string InstanceRef::name() const { return fmt::format("{}-{}@{}", slot, index, location); }

int instance_port(const AppSpec& app, const InstanceRef& ref) {
  int slot = 0;
  if (ref.slot.size() == 1 && ref.slot[0] >= 'a' && ref.slot[0] <= 'z') slot = ref.slot[0] - 'a';
  return app.base_port + 100 * slot + ref.index;
}

namespace {
constexpr text::EnumName<InstanceState> state_table[] = {
    {InstanceState::running, "running"}, {InstanceState::starting, "starting"}, {InstanceState::crashed, "crashed"},
    {InstanceState::stopped, "stopped"}, {InstanceState::degraded, "degraded"}, {InstanceState::unknown, "unknown"}};
}  // namespace

std::string_view to_string(InstanceState s) { return text::name_of(state_table, s, "unknown"); }

InstanceState instance_state_from(std::string_view s) {
  return text::value_of(state_table, s).value_or(InstanceState::unknown);
}

Json to_json(const TargetSpec& t) {
  return {{"name", t.name}, {"plugin", t.plugin}, {"registry", t.registry}, {"settings", t.settings.value()}};
}

Json to_json(const AppSpec& a) {
  return {{"app", a.app},
          {"env", a.env},
          {"type", a.type},
          {"base_port", a.base_port},
          {"keep_releases", a.keep_releases},
          {"stop_grace_ms", a.stop_grace.count()},
          {"preview_header", a.preview_header},
          {"health",
           {{"path", a.health.path},
            {"port_delta", a.health.port_delta},
            {"interval_ms", a.health.interval.count()},
            {"timeout_ms", a.health.timeout.count()},
            {"retries", a.health.retries},
            {"liveness", a.health.liveness}}},
          {"resources", {{"cpu_millis", a.resources.cpu_millis}, {"memory_bytes", a.resources.memory_bytes}}},
          {"user", a.user}};
}

Json to_json(const ReleaseSpec& r) {
  Json layers = Json::array();
  for (const auto& l : r.layers) {
    Json j = oci::layer_ref_json(l.layer);
    j["path"] = l.path;
    layers.push_back(std::move(j));
  }
  return {{"revision", r.revision},
          {"image", r.image},
          {"image_digest", r.image_digest},
          {"layers", layers},
          {"config_digest", r.config_digest},
          {"config_fingerprint", r.config_fingerprint},
          {"store", r.store},
          {"pull_reference", r.pull_reference}};
}

Json to_json(const InstanceRef& r) { return {{"location", r.location}, {"slot", r.slot}, {"index", r.index}}; }

Json to_json(const InstanceSpec& s) {
  Json j = to_json(s.ref);
  j["revision"] = s.revision;
  j["port"] = s.port;
  return j;
}

Json to_json(const InstanceStatus& s) {
  Json j = to_json(s.ref);
  j.update({{"revision", s.revision},
            {"port", s.port},
            {"pid", s.pid},
            {"state", to_string(s.state)},
            {"since", s.since},
            {"restarts", s.restarts},
            {"stops_at", s.stops_at},
            {"address", s.address},
            {"name", s.name},
            {"node", s.node},
            {"group", s.group},
            {"image_digest", s.image_digest},
            {"config_digest", s.config_digest}});
  return j;
}

Json to_json(const WorkloadStatus& w) {
  return {{"name", w.name},         {"slot", w.slot},   {"revision", w.revision},
          {"replicas", w.replicas}, {"ready", w.ready}, {"updated", w.updated}};
}

WorkloadStatus workload_status_from_json(const Json& j) {
  WorkloadStatus w;
  if (!j.is_object()) return w;
  w.name = j.value("name", "");
  w.slot = j.value("slot", "");
  w.revision = j.value("revision", 0);
  w.replicas = j.value("replicas", 0);
  w.ready = j.value("ready", 0);
  w.updated = j.value("updated", 0);
  return w;
}

InstanceRef instance_ref_from_json(const Json& j) {
  if (!j.is_object()) fail(ErrorKind::validation, "an instance must be a JSON object");
  InstanceRef r;
  r.location = j.value("location", "");
  r.slot = j.value("slot", "a");
  r.index = j.value("index", 0);
  return r;
}

InstanceStatus instance_status_from_json(const Json& j) {
  InstanceStatus s;
  s.ref = instance_ref_from_json(j);
  s.revision = j.value("revision", 0);
  s.port = j.value("port", 0);
  s.pid = j.value("pid", std::int64_t{0});
  s.state = instance_state_from(j.value("state", "unknown"));
  s.since = j.value("since", "");
  s.restarts = j.value("restarts", 0);
  s.stops_at = j.value("stops_at", "");
  s.address = j.value("address", "");
  s.name = j.value("name", "");
  s.node = j.value("node", "");
  s.group = j.value("group", "");
  s.image_digest = j.value("image_digest", "");
  s.config_digest = j.value("config_digest", "");
  return s;
}

Probe probe_from_json(const Json& j) {
  Probe p;
  p.ref = instance_ref_from_json(j);
  p.healthy = j.value("healthy", false);
  p.gone = j.value("gone", false);
  p.detail = j.value("detail", "");
  return p;
}

int priority_rank(std::string_view priority) {
  if (priority == "low") return 0;
  if (priority == "normal") return 1;
  if (priority == "core") return 2;
  return -1;
}

}  // namespace ecp::backend
