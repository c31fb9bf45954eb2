// EngineBackend: the engine as the target's one location; activate, cleanup, status.
#include "plugins/engine/engine_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>

#include "core/descriptor/values.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::plugins::engine {
namespace {

backend::InstanceState state_of(const Json& st) {
  std::string s = st.value("Status", "");
  if (s == "running") {
    auto h = st.contains("Health") && st["Health"].is_object() ? st["Health"].value("Status", "") : "";
    return h == "starting" ? backend::InstanceState::starting : backend::InstanceState::running;
  }
  if (s == "restarting") return backend::InstanceState::crashed;
  if (s == "exited" || s == "dead")
    return st.value("ExitCode", 0) != 0 ? backend::InstanceState::crashed : backend::InstanceState::stopped;
  if (s == "created" || s == "configured") return backend::InstanceState::stopped;
  return backend::InstanceState::unknown;
}

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
  auto address = settings_.socket.empty() ? default_engine_address()
                                          : parse_engine_address(settings_.socket, tls_dir_from_environment());
  location_ = address.text;
  if (address.unix_path.empty()) {
    // tcp://HOST:PORT: instances answer on HOST.
    auto rest = address.base_url.substr(address.base_url.find("://") + 3);
    host_address_ = rest.substr(0, rest.rfind(':'));
    if (host_address_.size() > 1 && host_address_.front() == '[')
      host_address_ = host_address_.substr(1, host_address_.size() - 2);
  } else {
    host_address_ = "127.0.0.1";
  }
  api_ = std::make_unique<DockerApi>(std::move(address));
  api_->set_restart_wait(restart_wait());
}

backend::Capabilities EngineBackend::capabilities() const {
  backend::Capabilities c;
  c.route = false;
  c.logs = true;
  c.needs_registry = false;  // ecp streams the image to the engine itself
  c.keeps_releases = true;   // images stay on the engine until cleanup()
  return c;
}

std::string EngineBackend::address(const std::string& location) {
  if (location != location_) fail(ErrorKind::internal, "target '{}' has no engine {}", target_.name, location);
  return host_address_;
}

std::string EngineBackend::step(const std::string& what) const { return fmt::format("engine {}: {}", location_, what); }

std::string EngineBackend::tag() const { return fmt::format("ecp-{}-{}", app_.app, app_.env); }

std::string EngineBackend::image_id(int revision) {
  if (auto it = prepared_.find(revision); it != prepared_.end()) return it->second;
  auto r = api_->call({"GET", fmt::format("/images/{}:r{}/json", tag(), revision)}, {404});
  if (r.status == 404) return "";
  auto j = Json::parse(r.body, nullptr, false);
  return j.is_object() ? j.value("Id", "") : "";
}

void EngineBackend::activate(int revision) { put("engine/current", std::to_string(revision)); }

void EngineBackend::cleanup(const std::vector<int>& keep) {
  // Each revision's tag; an image goes when its last tag does and no container uses it.
  auto images = api_->json("GET", "/images/json?" + filters_query({{"reference", {tag()}}}));
  for (const auto& img : images) {
    if (!img.contains("RepoTags") || !img["RepoTags"].is_array()) continue;
    for (const auto& t : img["RepoTags"]) {
      std::string name = t.get<std::string>();
      auto colon = name.rfind(":r");
      if (colon == std::string::npos) continue;
      int rev = std::atoi(name.c_str() + colon + 2);
      if (rev <= 0 || std::find(keep.begin(), keep.end(), rev) != keep.end()) continue;
      try {
        api_->call({"DELETE", "/images/" + name}, {404, 409});
        log::debug("{}", step("removed the image tag " + name));
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::interrupted) throw;
        log::warn("{}", e.what());
      }
    }
  }
}

backend::TargetStatus EngineBackend::status() {
  backend::TargetStatus total;
  try {
    auto list = api_->json(
        "GET", "/containers/json?all=1&" + filters_query({{"label", {"ecp.app=" + app_.app, "ecp.env=" + app_.env}}}));
    for (const auto& c : list) {
      auto id = c.value("Id", "");
      auto info = api_->json("GET", "/containers/" + id + "/json");
      const auto& labels = info["Config"]["Labels"];
      backend::InstanceStatus s;
      s.ref = {location_, labels.value("ecp.slot", "a"), std::atoi(labels.value("ecp.index", "0").c_str())};
      s.revision = std::atoi(labels.value("ecp.revision", "0").c_str());
      s.port = backend::instance_port(app_, s.ref);
      s.pid = info["State"].value("Pid", 0);
      s.state = state_of(info["State"]);
      s.since = info["State"].value("StartedAt", "");
      if (s.since.starts_with("0001-")) s.since.clear();
      s.restarts = info.value("RestartCount", 0);
      s.address = host_address_;
      total.instances.push_back(s);
    }
    auto cur = get("engine/current");
    total.current[location_] = cur ? std::atoi(cur->c_str()) : 0;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    total.unreachable.push_back(e.what());
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
