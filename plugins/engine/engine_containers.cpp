// start, stop and health: one container per instance, replaced as a whole.
#include <fmt/format.h>

#include "core/ledger/ledger.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "plugins/engine/engine_backend.hpp"
#include "plugins/host/http_probe.hpp"

namespace ecp::plugins::engine {
namespace {

// "UID[:GID]" of the image's Config.User; a name (or nothing) counts as root.
std::pair<int, int> numeric_user(const std::string& user) {
  auto colon = user.find(':');
  std::string u = user.substr(0, colon), g = colon == std::string::npos ? u : user.substr(colon + 1);
  auto num = [](const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; };
  if (!num(u)) return {0, 0};
  return {std::atoi(u.c_str()), num(g) ? std::atoi(g.c_str()) : std::atoi(u.c_str())};
}

}  // namespace

void EngineBackend::remove_container(const std::string& name, bool graceful) {
  if (graceful) {
    auto grace = std::chrono::duration_cast<std::chrono::seconds>(app_.stop_grace).count();
    Request r{"POST", fmt::format("/containers/{}/stop?t={}", name, grace)};
    r.timeout = app_.stop_grace + std::chrono::seconds(30);
    api_->call(std::move(r), {304, 404});
  }
  api_->call({"DELETE", fmt::format("/containers/{}?force=true&v=true", name)}, {404});
}

void EngineBackend::start_one(const backend::InstanceSpec& spec) {
  std::string name = container_name(app_, spec.ref);
  std::string id = image_id(spec.revision);
  if (id.empty()) fail(ErrorKind::deploy_failed, "the image of revision {} is not on the engine", spec.revision);
  auto it = configs_.find(spec.revision);
  if (it == configs_.end()) {
    ledger::Ledger ledger(*this);
    auto rec = ledger.get(spec.revision);
    auto text = rec ? ledger.config(rec->config_digest) : std::nullopt;
    if (!text) fail(ErrorKind::deploy_failed, "the ledger has no configuration for revision {}", spec.revision);
    it = configs_.emplace(spec.revision, RevisionConfig{*text, rec->config_digest}).first;
  }
  const auto& config = it->second;
  auto image = api_->json("GET", "/images/" + id + "/json");
  auto user = image.contains("Config") && image["Config"].is_object() ? image["Config"].value("User", "") : "";

  ContainerPlan plan;
  plan.name = name;
  plan.image = id;
  plan.labels = {{"ecp.app", app_.app},
                 {"ecp.env", app_.env},
                 {"ecp.slot", spec.ref.slot},
                 {"ecp.index", std::to_string(spec.ref.index)},
                 {"ecp.revision", std::to_string(spec.revision)},
                 {"ecp.config-digest", config.digest}};
  plan.host_port = spec.port;
  plan.container_port = app_.base_port;
  if (app_.health.port_delta != 0) plan.extra_ports.push_back(app_.health.port_delta);
  plan.env = {fmt::format("LISTEN_PORT={}", app_.base_port)};

  remove_container(name, true);
  Request create{"POST", "/containers/create?name=" + name};
  create.body = create_body(plan).dump();
  create.content_type = "application/json";
  auto created = api_->call(create, {409, 500});
  if (name_conflict(created)) {  // created again meanwhile (another ecp): replace that one too
    remove_container(name, false);
    created = api_->call(create);
  } else if (created.status == 500) {
    fail(ErrorKind::deploy_failed, "creating {}: {}", name, engine_message(created.body));
  }
  std::string cid = Json::parse(created.body).value("Id", "");
  try {
    auto [uid, gid] = numeric_user(user);
    Request put{"PUT", "/containers/" + cid + "/archive?path=%2F"};
    put.body = tar_one_file("app/conf/autoconfig.properties", config.text, 0600, uid, gid);
    put.content_type = "application/x-tar";
    api_->call(std::move(put));
    Request st{"POST", "/containers/" + cid + "/start"};
    api_->call(std::move(st), {304});
  } catch (const EngineError& e) {
    // A container that never ran is of no use to anyone (e.g. its port is taken).
    try {
      remove_container(cid, false);
    } catch (const Error&) {
    }
    if (e.status() == 0) throw;
    fail(ErrorKind::deploy_failed, "{}", e.engine_message());
  }
}

std::vector<backend::Failure> EngineBackend::start(const std::vector<backend::InstanceSpec>& instances) {
  std::vector<backend::Failure> failures;
  for (const auto& spec : instances) {
    try {
      start_one(spec);
    } catch (const EngineError& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      failures.push_back({spec.ref, step(fmt::format("starting {}: {}", spec.ref.name(), e.what())), e.status() == 0});
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      failures.push_back({spec.ref, step(fmt::format("starting {}: {}", spec.ref.name(), e.what())), false});
    }
  }
  return failures;
}

std::vector<backend::Failure> EngineBackend::stop(const std::vector<backend::InstanceRef>& instances) {
  std::vector<backend::Failure> failures;
  for (const auto& ref : instances) {
    try {
      remove_container(container_name(app_, ref), true);
    } catch (const EngineError& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      failures.push_back({ref, step(fmt::format("stopping {}: {}", ref.name(), e.what())), e.status() == 0});
    }
  }
  return failures;
}

std::vector<backend::Probe> EngineBackend::health(const std::vector<backend::InstanceSpec>& instances) {
  std::vector<backend::Probe> probes;
  for (const auto& spec : instances) {
    backend::Probe p;
    p.ref = spec.ref;
    Request get{"GET", "/containers/" + container_name(app_, spec.ref) + "/json"};
    get.wait_for_restart = false;  // an engine that restarts under a new revision fails its health check
    Response r;
    try {
      r = api_->call(std::move(get), {404});
    } catch (const EngineError& e) {
      if (e.kind() == ErrorKind::interrupted || e.status() != 0) throw;
      std::string_view why = e.what();
      if (auto prefix = "engine " + location_ + ": "; why.starts_with(prefix)) why.remove_prefix(prefix.size());
      throw EngineError(
          ErrorKind::io,
          step(fmt::format("checking the health of {}: the engine stopped answering ({})", spec.ref.name(), why)), 0,
          "");
    }
    if (r.status == 404) {
      p.gone = true;
      p.detail = "no container";
      probes.push_back(p);
      continue;
    }
    auto info = Json::parse(r.body, nullptr, false);
    auto status = info["State"].value("Status", "");
    int restarts = info.value("RestartCount", 0);
    if (status != "running" || restarts > 0) {
      p.gone = true;
      p.detail = restarts > 0
                     ? fmt::format("the container restarted {} time(s) (exit code {})", restarts,
                                   info["State"].value("ExitCode", 0))
                     : fmt::format("the container is {} (exit code {})", status, info["State"].value("ExitCode", 0));
      probes.push_back(p);
      continue;
    }
    auto res =
        host::http_probe(host_address_, spec.port + app_.health.port_delta, app_.health.path, app_.health.timeout);
    p.healthy = res.healthy;
    p.detail = res.detail;
    probes.push_back(p);
  }
  return probes;
}

}  // namespace ecp::plugins::engine
