// start, stop and health: one container per instance, replaced as a whole.
#include <fmt/format.h>

#include <map>
#include <thread>

#include "core/ledger/ledger.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/parallel.hpp"
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

const backend::InstanceRef& ref_of(const backend::InstanceSpec& s) { return s.ref; }
const backend::InstanceRef& ref_of(const backend::InstanceRef& r) { return r; }

// Runs fn for each item, the items of one location in order, the locations in
// parallel (at most `jobs` at once); rethrows the first error fn let through.
template <class T, class Fn>
void by_location(const std::vector<T>& items, int jobs, const Fn& fn) {
  std::vector<std::vector<const T*>> groups;
  std::map<std::string, std::size_t> index;
  for (const auto& item : items) {
    auto [it, added] = index.emplace(ref_of(item).location, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(&item);
  }
  auto errors = parallel_try(groups.size(), jobs, [&](std::size_t g) {
    for (const T* item : groups[g]) fn(*item);
  });
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace

void EngineBackend::remove_container(const std::string& location, const std::string& name, bool graceful) {
  if (graceful) {
    auto grace = std::chrono::duration_cast<std::chrono::seconds>(app_.stop_grace).count();
    Request r{"POST", fmt::format("/containers/{}/stop?t={}", name, grace)};
    r.timeout = app_.stop_grace + std::chrono::seconds(30);
    api(location).call(std::move(r), {304, 404});
  }
  // podman answers 500 "container state improper" when the container exits
  // while it is being killed (a crash loop): once it has settled, the same
  // DELETE removes it. A few tries, a short wait between them.
  for (int attempt = 1;; ++attempt) {
    try {
      api(location).call({"DELETE", fmt::format("/containers/{}?force=true&v=true", name)}, {404});
      return;
    } catch (const EngineError& e) {
      if (e.status() != 500 || e.engine_message().find("state improper") == std::string::npos || attempt == 5) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
}

void EngineBackend::start_one(const backend::InstanceSpec& spec) {
  const std::string& location = spec.ref.location;
  std::string name = container_name(app_, spec.ref);
  std::string id = image_id(location, spec.revision);
  if (id.empty()) fail(ErrorKind::deploy_failed, "the image of revision {} is not on the engine", spec.revision);
  RevisionConfig config;
  {
    std::unique_lock l(mu_);
    auto it = configs_.find(spec.revision);
    if (it == configs_.end()) {
      l.unlock();  // the ledger is at an engine: no lock held over a request
      ledger::Ledger ledger(*this);
      auto rec = ledger.get(spec.revision);
      // Checked against the record, as a rollback checks it: never a changed state entry.
      auto text = rec ? ledger.exact_config(*rec, fmt::format("the configuration of revision {}", spec.revision))
                      : std::nullopt;
      if (!text) fail(ErrorKind::deploy_failed, "the ledger has no configuration for revision {}", spec.revision);
      l.lock();
      it = configs_.emplace(spec.revision, RevisionConfig{*text, rec->config_digest}).first;
    }
    config = it->second;
  }
  auto image = api(location).json("GET", "/images/" + id + "/json");
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
  // What the app's process sees on hosts too (agent.sh), for logs and ecp exec.
  plan.env = {fmt::format("LISTEN_PORT={}", app_.base_port), "ECP_APP=" + app_.app, "ECP_ENV=" + app_.env,
              fmt::format("ECP_REVISION={}", spec.revision),
              fmt::format("ECP_INSTANCE={}-{}", spec.ref.slot, spec.ref.index)};
  plan.nano_cpus = app_.resources.cpu_millis * 1'000'000;  // 1000 millicores = 1e9 nano-CPUs
  plan.memory = app_.resources.memory_bytes;
  plan.health = app_.health;

  remove_container(location, name, true);
  Request create{"POST", "/containers/create?name=" + name};
  create.body = create_body(plan).dump();
  create.content_type = "application/json";
  auto created = api(location).call(create, {409, 500});
  if (name_conflict(created)) {  // created again meanwhile (another ecp): replace that one too
    remove_container(location, name, false);
    created = api(location).call(create);
  } else if (created.status == 500) {
    fail(ErrorKind::deploy_failed, "creating {}: {}", name, engine_message(created.body));
  }
  std::string cid = Json::parse(created.body).value("Id", "");
  try {
    auto [uid, gid] = numeric_user(user);
    Request put{"PUT", "/containers/" + cid + "/archive?path=%2F"};
    // The configuration (secrets: 0600) and the Healthcheck's script, before the first start.
    put.body = tar_files({{"app/conf/autoconfig.properties", config.text, 0600},
                          {std::string(health_script_path), health_script(), 0555}},
                         uid, gid);
    put.content_type = "application/x-tar";
    api(location).call(std::move(put));
    Request st{"POST", "/containers/" + cid + "/start"};
    api(location).call(std::move(st), {304});
  } catch (const EngineError& e) {
    // A container that never ran is of no use to anyone (e.g. its port is taken).
    try {
      remove_container(location, cid, false);
    } catch (const Error&) {
    }
    if (e.status() == 0) throw;
    fail(ErrorKind::deploy_failed, "{}", e.engine_message());
  }
}

std::vector<backend::Failure> EngineBackend::start(const std::vector<backend::InstanceSpec>& instances) {
  std::vector<backend::Failure> failures;
  by_location(instances, settings_.parallel, [&](const backend::InstanceSpec& spec) {
    const auto& loc = spec.ref.location;
    try {
      start_one(spec);
    } catch (const EngineError& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      std::lock_guard l(mu_);
      failures.push_back(
          {spec.ref, step(loc, fmt::format("starting {}: {}", spec.ref.name(), e.what())), e.status() == 0});
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      std::lock_guard l(mu_);
      failures.push_back({spec.ref, step(loc, fmt::format("starting {}: {}", spec.ref.name(), e.what())), false});
    }
  });
  return failures;
}

std::vector<backend::Failure> EngineBackend::stop(const std::vector<backend::InstanceRef>& instances) {
  std::vector<backend::Failure> failures;
  by_location(instances, settings_.parallel, [&](const backend::InstanceRef& ref) {
    try {
      remove_container(ref.location, container_name(app_, ref), true);
    } catch (const EngineError& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      std::lock_guard l(mu_);
      failures.push_back(
          {ref, step(ref.location, fmt::format("stopping {}: {}", ref.name(), e.what())), e.status() == 0});
    }
  });
  return failures;
}

std::vector<backend::Probe> EngineBackend::health(const std::vector<backend::InstanceSpec>& instances) {
  std::vector<backend::Probe> probes;
  by_location(instances, settings_.parallel, [&](const backend::InstanceSpec& spec) {
    auto p = probe(spec);
    std::lock_guard l(mu_);
    probes.push_back(p);
  });
  return probes;
}

backend::Probe EngineBackend::probe(const backend::InstanceSpec& spec) {
  backend::Probe p;
  p.ref = spec.ref;
  Request get{"GET", "/containers/" + container_name(app_, spec.ref) + "/json"};
  get.wait_for_restart = false;  // an engine that restarts under a new revision fails its health check
  Response r;
  try {
    r = api(spec.ref.location).call(std::move(get), {404});
  } catch (const EngineError& e) {
    if (e.kind() == ErrorKind::interrupted || e.status() != 0) throw;
    std::string_view why = e.what();
    if (auto prefix = "engine " + spec.ref.location + ": "; why.starts_with(prefix)) why.remove_prefix(prefix.size());
    throw EngineError(
        ErrorKind::io,
        step(spec.ref.location,
             fmt::format("checking the health of {}: the engine stopped answering ({})", spec.ref.name(), why)),
        0, "");
  }
  if (r.status == 404) {
    p.gone = true;
    p.detail = "no container";
    return p;
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
    return p;
  }
  // The instance answers on its engine's host: over SSH, the remote host's address.
  auto res = host::http_probe(address(spec.ref.location), spec.port + app_.health.port_delta, app_.health.path,
                              app_.health.timeout);
  p.healthy = res.healthy;
  p.detail = res.detail;
  // The engine's own verdict (the container's Healthcheck) beside ecp's probe,
  // which alone gates a rollout: the engine's first check can lag by an interval.
  const auto& h = info["State"].contains("Health") ? info["State"]["Health"] : Json();
  if (h.is_object() && !h.value("Status", "").empty()) p.detail += "; engine: " + h.value("Status", "");
  return p;
}

}  // namespace ecp::plugins::engine
