// EngineBackend: its engines (one location each); activate, cleanup, status.
#include "plugins/engine/engine_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>

#include "core/descriptor/values.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/parallel.hpp"
#include "core/util/text.hpp"

namespace ecp::plugins::engine {

backend::InstanceState container_state(const Json& st) {
  std::string s = st.value("Status", "");
  if (s == "running") {
    // "starting" while the engine's checks ran and none passed yet. Before its
    // first check (and for ever on podman without systemd, which runs none) the
    // Health says "starting" with an empty log: that is running, and ecp's own
    // probe tells its health.
    const Json& h = st.contains("Health") && st["Health"].is_object() ? st["Health"] : Json::object();
    bool checked = h.contains("Log") && h["Log"].is_array() && !h["Log"].empty();
    return h.value("Status", "") == "starting" && checked ? backend::InstanceState::starting
                                                          : backend::InstanceState::running;
  }
  if (s == "restarting") return backend::InstanceState::crashed;
  if (s == "exited" || s == "dead")
    return st.value("ExitCode", 0) != 0 ? backend::InstanceState::crashed : backend::InstanceState::stopped;
  if (s == "created" || s == "configured") return backend::InstanceState::stopped;
  return backend::InstanceState::unknown;
}

namespace {

// ECP_ENGINE_WAIT: how long a request waits for an engine that restarts.
Duration restart_wait() {
  const char* v = std::getenv("ECP_ENGINE_WAIT");
  if (!v || !*v) return std::chrono::seconds(60);
  std::string why;
  auto d = descriptor::parse_duration(v, &why);
  if (!d) fail(ErrorKind::usage, "ECP_ENGINE_WAIT='{}': {}", v, why);
  return std::chrono::duration_cast<Duration>(*d);
}

}  // namespace

std::string filters_query(const std::map<std::string, std::vector<std::string>>& filters) {
  Json f = Json::object();
  for (const auto& [k, v] : filters) f[k] = v;
  return "filters=" + text::url_encode(f.dump());
}

std::string container_name(const backend::AppSpec& app, const backend::InstanceRef& ref) {
  return fmt::format("ecp-{}-{}-{}-{}", app.app, app.env, ref.slot, ref.index);
}

EngineBackend::EngineBackend(const backend::TargetSpec& target, const backend::AppSpec& app, EngineSettings settings)
    : target_(target), app_(app), settings_(std::move(settings)) {
  if (settings_.hosts.empty()) {
    engines_.push_back(socket_engine(settings_));
    set_restart_waits();
    // The gateway runs on the target's one engine (settings refuse it with hosts:).
    if (settings_.gateway)
      gateway_ = std::make_unique<EngineGateway>(*engines_.front()->api, app_, *settings_.gateway,
                                                 engines_.front()->address, [this] { return status(); });
    return;
  }
  forward_dir_ = forward_dir(settings_.run_dir);
  engines_ = ssh_engines(settings_, forward_dir_->path());
  set_restart_waits();
}

void EngineBackend::set_restart_waits() {
  auto wait = restart_wait();
  for (auto& e : engines_)
    if (e->api) e->api->set_restart_wait(wait);
}

backend::Capabilities EngineBackend::capabilities() const {
  backend::Capabilities c;
  c.route = gateway_ != nullptr;
  c.logs = true;
  // With a registry the engine pulls (so `ecp release` pushes first); without one
  // ecp streams the image to the engine itself.
  c.needs_registry = !target_.registry.empty();
  c.keeps_releases = true;  // images stay on the engine until cleanup()
  c.metrics = true;         // the stats API (engine_metrics.cpp)
  return c;
}

std::vector<std::string> EngineBackend::locations() {
  std::vector<std::string> out;
  for (const auto& e : engines_) out.push_back(e->location);
  return out;
}

Engine& EngineBackend::engine(const std::string& location) {
  for (auto& e : engines_)
    if (e->location == location) return *e;
  fail(ErrorKind::internal, "target '{}' has no engine {}", target_.name, location);
}

DockerApi& EngineBackend::api(const std::string& location) {
  Engine& e = engine(location);
  if (!e.unreachable.empty())
    throw EngineError(ErrorKind::io, fmt::format("engine {}: unreachable: {}", location, e.unreachable), 0, "");
  return *e.api;
}

void EngineBackend::each_engine(const std::function<void(Engine&)>& fn) {
  auto errors = parallel_try(engines_.size(), settings_.parallel, [&](std::size_t i) { fn(*engines_[i]); });
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

std::string EngineBackend::address(const std::string& location) { return engine(location).address; }

std::string EngineBackend::step(const std::string& location, const std::string& what) const {
  return fmt::format("engine {}: {}", location, what);
}

std::string EngineBackend::tag() const { return fmt::format("ecp-{}-{}", app_.app, app_.env); }

std::string EngineBackend::image_id(const std::string& location, int revision) {
  {
    std::lock_guard l(mu_);
    if (auto it = prepared_.find(revision); it != prepared_.end()) return it->second;
  }
  auto r = api(location).call({"GET", fmt::format("/images/{}:r{}/json", tag(), revision)}, {404});
  if (r.status == 404) return "";
  auto j = Json::parse(r.body, nullptr, false);
  return j.is_object() ? j.value("Id", "") : "";
}

void EngineBackend::activate(int revision) { put("engine/current", std::to_string(revision)); }

void EngineBackend::cleanup(const std::vector<int>& keep) {
  each_engine([&](Engine& e) { cleanup_at(e.location, keep); });
}

void EngineBackend::cleanup_at(const std::string& location, const std::vector<int>& keep) {
  // Each revision's tag; an image goes when its last tag does and no container uses it.
  auto images = api(location).json("GET", "/images/json?" + filters_query({{"reference", {tag()}}}));
  for (const auto& img : images) {
    if (!img.contains("RepoTags") || !img["RepoTags"].is_array()) continue;
    for (const auto& t : img["RepoTags"]) {
      std::string name = t.get<std::string>();
      auto colon = name.rfind(":r");
      if (colon == std::string::npos) continue;
      int rev = std::atoi(name.c_str() + colon + 2);
      if (rev <= 0 || std::find(keep.begin(), keep.end(), rev) != keep.end()) continue;
      try {
        api(location).call({"DELETE", "/images/" + name}, {404, 409});
        log::debug("{}", step(location, "removed the image tag " + name));
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::interrupted) throw;
        log::warn("{}", e.what());
      }
    }
  }
}

void EngineBackend::status_at(const Engine& at, const std::map<std::string, std::int64_t>& stops,
                              backend::TargetStatus& total) {
  const std::string& location = at.location;
  std::vector<backend::InstanceStatus> found;
  try {
    auto list = api(location).json(
        "GET", "/containers/json?all=1&" + filters_query({{"label", {"ecp.app=" + app_.app, "ecp.env=" + app_.env}}}));
    for (const auto& c : list) {
      auto id = c.value("Id", "");
      auto info = api(location).json("GET", "/containers/" + id + "/json");
      const auto& labels = info["Config"]["Labels"];
      backend::InstanceStatus s;
      s.ref = {location, labels.value("ecp.slot", "a"), std::atoi(labels.value("ecp.index", "0").c_str())};
      s.revision = std::atoi(labels.value("ecp.revision", "0").c_str());
      s.port = backend::instance_port(app_, s.ref);
      s.pid = info["State"].value("Pid", 0);
      s.state = container_state(info["State"]);
      s.since = info["State"].value("StartedAt", "");
      if (s.since.starts_with("0001-")) s.since.clear();
      s.restarts = info.value("RestartCount", 0);
      s.address = at.address;
      if (auto when = stops.find(retire_key_of(location, container_name(app_, s.ref))); when != stops.end())
        s.stops_at = text::rfc3339_ms(when->second);
      found.push_back(s);
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    std::lock_guard l(mu_);
    total.unreachable.push_back(e.what());
    total.lost.push_back(location);
    return;
  }
  std::lock_guard l(mu_);
  total.instances.insert(total.instances.end(), found.begin(), found.end());
}

backend::TargetStatus EngineBackend::status() {
  backend::TargetStatus total;
  // The keep windows that ended are closed first (engine_retire.cpp).
  std::map<std::string, std::int64_t> stops;
  if (engine(ledger_location()).unreachable.empty()) {
    try {
      stops = retire_due();
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      total.unreachable.push_back(e.what());
    }
  }
  each_engine([&](Engine& e) { status_at(e, stops, total); });
  // Every engine serves the revision the ledger's engine records as current.
  if (engine(ledger_location()).unreachable.empty()) {
    try {
      auto cur = get("engine/current");
      for (const auto& e : engines_) total.current[e->location] = cur ? std::atoi(cur->c_str()) : 0;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      total.unreachable.push_back(e.what());
    }
  }
  std::sort(total.instances.begin(), total.instances.end(), [](const auto& a, const auto& b) { return a.ref < b.ref; });
  return total;
}

void register_engine_backend(backend::Table& table) {
  table.add(
      "engine",
      [](const backend::TargetSpec& t, const backend::AppSpec& a) {
        return std::unique_ptr<backend::Backend>(std::make_unique<EngineBackend>(t, a, engine_settings(t)));
      },
      [](const backend::Settings& section, Diagnostics& out) {
        EngineSettings ignored;
        read_engine_settings(section, ignored, out);
      });
}

}  // namespace ecp::plugins::engine
