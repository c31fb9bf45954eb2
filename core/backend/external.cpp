// The client side of the plugin protocol (docs/plugin-protocol.md).
#include "core/backend/external.hpp"

#include <algorithm>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::backend {
namespace {

ErrorKind kind_from(std::string_view k) {
  if (k == "permission") return ErrorKind::permission;
  if (k == "validation" || k == "usage") return ErrorKind::validation;
  if (k == "lock") return ErrorKind::lock_held;
  return ErrorKind::io;
}

Json failures_json_refs(const std::vector<InstanceRef>& refs) {
  Json a = Json::array();
  for (const auto& r : refs) a.push_back(to_json(r));
  return a;
}

std::vector<Failure> failures_from(const Json& result) {
  std::vector<Failure> out;
  for (const auto& f : result.value("failures", Json::array()))
    out.push_back({instance_ref_from_json(f), f.value("message", "failed"), f.value("unreachable", false)});
  return out;
}

}  // namespace

ExternalBackend::ExternalBackend(const std::filesystem::path& program, const TargetSpec& target, const AppSpec& app)
    : name_(program.filename().string()) {
  process::Options o;
  o.env = {{"ECP_PLUGIN_PROTOCOL", std::to_string(plugin_protocol_version)}};
  child_ = std::make_unique<process::Child>(std::vector<std::string>{program.string()}, o);
  Json hello = call("hello", {{"protocol", plugin_protocol_version}, {"target", to_json(target)}, {"app", to_json(app)}},
                    std::chrono::seconds(30));
  int version = hello.value("protocol", 0);
  if (version != plugin_protocol_version)
    fail(ErrorKind::validation, "{} speaks plugin protocol {}, ecp speaks {}", name_, version,
         plugin_protocol_version);
  const Json caps = hello.value("capabilities", Json::object());
  caps_.route = caps.value("route", false);
  caps_.split = caps.value("split", true);
  caps_.logs = caps.value("logs", false);
  caps_.needs_registry = caps.value("needs_registry", false);
  caps_.keeps_releases = caps.value("keeps_releases", false);
  for (const auto& l : hello.value("locations", Json::array()))
    locations_.emplace_back(l.value("name", ""), l.value("address", "127.0.0.1"));
  if (locations_.empty()) fail(ErrorKind::validation, "{}: hello named no locations", name_);
}

ExternalBackend::~ExternalBackend() {
  try {
    process::Shield shield;  // say goodbye even while an interrupt is being handled
    if (child_ && child_->running()) {
      call("shutdown", Json::object(), std::chrono::seconds(5));
      child_->close_stdin();
      child_->wait(std::chrono::seconds(5));
    }
  } catch (...) {
    // A plugin that cannot say goodbye is killed by ~Child.
  }
}

Json ExternalBackend::call(const std::string& method, Json params, Duration timeout) {
  std::lock_guard lock(mu_);
  long id = next_id_++;
  Json req = {{"id", id}, {"method", method}, {"params", std::move(params)}};
  if (!child_->write(req.dump() + "\n"))
    fail(ErrorKind::io, "{} exited before '{}' ({})", name_, method, child_->stderr_text());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<Duration>(deadline - std::chrono::steady_clock::now());
    auto line = child_->read_line(std::max(left, Duration{1}));
    if (!line) {
      if (child_->timed_out()) fail(ErrorKind::io, "{}: no answer to '{}' within {} s", name_, method,
                                    timeout.count() / 1000);
      fail(ErrorKind::io, "{} exited during '{}': {}", name_, method, child_->stderr_text());
    }
    if (line->empty()) continue;
    Json msg = Json::parse(*line, nullptr, false);
    if (msg.is_discarded() || !msg.is_object())
      fail(ErrorKind::io, "{}: '{}' is not a protocol message (one JSON object per line)", name_, *line);
    if (msg.contains("log")) {
      std::string level = msg.value("level", "info");
      std::string text = fmt::format("{}: {}", name_, msg["log"].is_string() ? msg["log"].get<std::string>() : "");
      if (level == "warn") log::warn("{}", text);
      else if (level == "debug") log::debug("{}", text);
      else log::info("{}", text);
      continue;
    }
    if (msg.value("id", -1L) != id) fail(ErrorKind::io, "{}: answer for id {} while waiting for {}", name_,
                                         msg.value("id", -1L), id);
    if (msg.contains("error")) {
      const Json& e = msg["error"];
      fail(kind_from(e.value("kind", "")), "{}: {}", name_, e.value("message", "failed"));
    }
    return msg.value("result", Json::object());
  }
}

std::vector<std::string> ExternalBackend::locations() {
  std::vector<std::string> out;
  for (const auto& [n, a] : locations_) out.push_back(n);
  return out;
}

std::string ExternalBackend::address(const std::string& location) {
  for (const auto& [n, a] : locations_)
    if (n == location) return a;
  return "127.0.0.1";
}

void ExternalBackend::prepare(const ReleaseSpec& release) {
  Json r = to_json(release);
  r["config_b64"] = text::base64_encode(release.config_text);
  call("prepare", {{"release", r}}, std::chrono::minutes(30));
}

std::vector<Failure> ExternalBackend::start(const std::vector<InstanceSpec>& instances) {
  Json a = Json::array();
  for (const auto& i : instances) a.push_back(to_json(i));
  return failures_from(call("start", {{"instances", a}}, std::chrono::minutes(10)));
}

std::vector<Probe> ExternalBackend::health(const std::vector<InstanceSpec>& instances) {
  Json a = Json::array();
  for (const auto& i : instances) a.push_back(to_json(i));
  Json r = call("health", {{"instances", a}});
  std::vector<Probe> out;
  for (const auto& p : r.value("probes", Json::array())) out.push_back(probe_from_json(p));
  return out;
}

std::vector<Failure> ExternalBackend::stop(const std::vector<InstanceRef>& instances) {
  return failures_from(call("stop", {{"instances", failures_json_refs(instances)}}, std::chrono::minutes(10)));
}

void ExternalBackend::activate(int revision) { call("activate", {{"revision", revision}}); }

void ExternalBackend::cleanup(const std::vector<int>& keep) { call("cleanup", {{"keep", keep}}); }

TargetStatus ExternalBackend::status() {
  Json r = call("status", Json::object());
  TargetStatus s;
  for (const auto& i : r.value("instances", Json::array())) s.instances.push_back(instance_status_from_json(i));
  for (const auto& w : r.value("workloads", Json::array())) s.workloads.push_back(workload_status_from_json(w));
  for (const auto& u : r.value("unreachable", Json::array()))
    if (u.is_string()) s.unreachable.push_back(u.get<std::string>());
  for (const auto& l : r.value("lost", Json::array()))
    if (l.is_string()) s.lost.push_back(l.get<std::string>());
  const Json current = r.value("current", Json::object());  // items() must not outlive it
  for (const auto& [k, v] : current.items())
    if (v.is_number_integer()) s.current[k] = v.get<int>();
  return s;
}

void ExternalBackend::logs(const LogOptions& options, const LineSink& sink) {
  if (!caps_.logs) fail(ErrorKind::usage, "{} does not provide logs", name_);
  Json r = call("logs", {{"lines", options.lines}, {"follow", false},
                         {"instances", failures_json_refs(options.instances)}});
  for (const auto& l : r.value("lines", Json::array())) sink(instance_ref_from_json(l), l.value("text", ""));
}

std::optional<std::string> ExternalBackend::get(const std::string& key) {
  Json r = call("state_get", {{"key", key}});
  if (!r.contains("data_b64") || r["data_b64"].is_null()) return std::nullopt;
  return text::base64_decode(r["data_b64"].get<std::string>());
}

std::vector<std::pair<std::string, std::string>> ExternalBackend::list(const std::string& prefix) {
  Json r = call("state_list", {{"prefix", prefix}});
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : r.value("entries", Json::array()))
    out.emplace_back(e.value("key", ""), text::base64_decode(e.value("data_b64", "")));
  std::sort(out.begin(), out.end());
  return out;
}

void ExternalBackend::put(const std::string& key, std::string_view data) {
  call("state_put", {{"key", key}, {"data_b64", text::base64_encode(data)}});
}

bool ExternalBackend::put_if(const std::string& key, std::string_view data, const std::optional<std::string>& expected) {
  Json p = {{"key", key}, {"data_b64", text::base64_encode(data)}};
  p["expected_b64"] = expected ? Json(text::base64_encode(*expected)) : Json(nullptr);
  return call("state_put_if", p).value("ok", false);
}

bool ExternalBackend::remove_if(const std::string& key, const std::string& expected) {
  return call("state_remove_if", {{"key", key}, {"expected_b64", text::base64_encode(expected)}}).value("ok", false);
}

std::int64_t ExternalBackend::route(const std::map<std::string, int>& weights, const std::string& preview,
                                    const std::vector<InstanceRef>& leaving) {
  Json p = {{"weights", weights}, {"preview", preview}};
  if (!leaving.empty()) p["leaving"] = failures_json_refs(leaving);
  return call("route", p).value("applied_ms", std::int64_t{0});
}

std::map<std::string, int> ExternalBackend::weights() {
  Json r = call("weights", Json::object());
  std::map<std::string, int> out;
  const Json weights = r.value("weights", Json::object());
  for (const auto& [k, v] : weights.items())
    if (v.is_number_integer()) out[k] = v.get<int>();
  return out;
}

std::map<std::string, SlotTraffic> ExternalBackend::traffic(std::int64_t since_ms) {
  Json r = call("traffic", {{"since_ms", since_ms}});
  std::map<std::string, SlotTraffic> out;
  for (const auto& [slot, t] : r.value("slots", Json::object()).items()) {
    if (!t.is_object()) continue;
    out[slot] = {t.value("requests", 0), t.value("errors", 0), Duration(t.value("p95_ms", std::int64_t{0}))};
  }
  return out;
}

std::string ExternalBackend::url() { return call("url", Json::object()).value("url", ""); }

}  // namespace ecp::backend
