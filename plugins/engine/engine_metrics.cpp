// `ecp top` on engines: each running container's CPU time and memory from the
// stats API (one-shot samples, `interval` apart: CPU time used over wall time
// passed), and the engine's CPU count and memory from /info. The Engine API
// gives no figure of the host's own CPU use or load, and top says so.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "plugins/engine/engine_backend.hpp"

namespace ecp::plugins::engine {

namespace {

struct Sample {
  std::int64_t cpu_ns = -1;
  std::int64_t memory = -1;
  std::chrono::steady_clock::time_point at;
};

std::int64_t number(const Json& j, std::initializer_list<const char*> path) {
  const Json* p = &j;
  for (const char* k : path) {
    if (!p->is_object() || !p->contains(k)) return -1;
    p = &(*p)[k];
  }
  return p->is_number() ? p->get<std::int64_t>() : -1;
}

// The memory a container uses as `docker stats` counts it: without the page
// cache it could give back (inactive_file on cgroup v2, total_inactive_file on v1).
std::int64_t memory_of(const Json& stats) {
  std::int64_t usage = number(stats, {"memory_stats", "usage"});
  if (usage < 0) return -1;
  std::int64_t cache = number(stats, {"memory_stats", "stats", "inactive_file"});
  if (cache < 0) cache = number(stats, {"memory_stats", "stats", "total_inactive_file"});
  return cache > 0 && cache < usage ? usage - cache : usage;
}

Sample sample(DockerApi& api, const std::string& id) {
  auto stats = api.json("GET", "/containers/" + id + "/stats?stream=false&one-shot=true");
  return {number(stats, {"cpu_stats", "cpu_usage", "total_usage"}), memory_of(stats), std::chrono::steady_clock::now()};
}

}  // namespace

backend::Metrics EngineBackend::metrics_at(Engine& at, backend::Duration interval, bool every_app) {
  backend::Metrics m;
  DockerApi& a = api(at.location);
  auto info = a.json("GET", "/info");
  backend::LocationMetrics l;
  l.location = at.location;
  l.address = at.address;
  l.cpus = info.value("NCPU", 0);
  l.memory_total = info.value("MemTotal", std::int64_t{-1});
  m.locations.push_back(l);
  std::vector<std::string> labels = {"ecp.app"};
  if (!every_app) labels = {"ecp.app=" + app_.app, "ecp.env=" + app_.env};
  auto list = a.json("GET", "/containers/json?" + filters_query({{"label", labels}}));
  std::vector<std::pair<std::string, Sample>> first;
  for (const auto& c : list) {
    auto id = c.value("Id", "");
    // A container that stopped meanwhile has no figures: it is left out.
    try {
      first.emplace_back(id, sample(a, id));
    } catch (const EngineError& e) {
      if (e.status() != 404) throw;
    }
  }
  if (!first.empty()) {
    auto until = std::chrono::steady_clock::now() + interval;
    while (std::chrono::steady_clock::now() < until && !process::interrupted())
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (process::interrupted()) fail(ErrorKind::interrupted, "interrupted");
  }
  for (const auto& [id, s1] : first) {
    Json inspect;
    Sample s2;
    try {
      inspect = a.json("GET", "/containers/" + id + "/json");
      s2 = sample(a, id);
    } catch (const EngineError& e) {
      if (e.status() != 404) throw;
      continue;
    }
    const auto& lab = inspect["Config"]["Labels"];
    backend::InstanceMetrics i;
    i.app = lab.value("ecp.app", "");
    i.env = lab.value("ecp.env", "");
    i.ref = {at.location, lab.value("ecp.slot", "a"), std::atoi(lab.value("ecp.index", "0").c_str())};
    i.pid = inspect["State"].value("Pid", 0);
    auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(s2.at - s1.at).count();
    if (s1.cpu_ns >= 0 && s2.cpu_ns >= s1.cpu_ns && wall > 0)
      i.cpu_percent = 100.0 * static_cast<double>(s2.cpu_ns - s1.cpu_ns) / static_cast<double>(wall);
    i.rss = s2.memory;
    i.restarts = inspect.value("RestartCount", 0);
    i.since = inspect["State"].value("StartedAt", "");
    if (i.since.starts_with("0001-")) i.since.clear();
    i.state = container_state(inspect["State"]);
    m.instances.push_back(i);
  }
  return m;
}

backend::Metrics EngineBackend::metrics(backend::Duration interval, bool every_app) {
  backend::Metrics total;
  total.notes.push_back("the Engine API gives no figure of a host's own CPU use, memory use or load");
  each_engine([&](Engine& e) {
    backend::Metrics m;
    try {  // an engine that cannot be reached throws here (api())
      m = metrics_at(e, interval, every_app);
    } catch (const Error& err) {
      if (err.kind() == ErrorKind::interrupted) throw;
      std::lock_guard l(mu_);
      total.unreachable.push_back(err.what());
      return;
    }
    std::lock_guard l(mu_);
    total.locations.insert(total.locations.end(), m.locations.begin(), m.locations.end());
    total.instances.insert(total.instances.end(), m.instances.begin(), m.instances.end());
  });
  return total;
}

}  // namespace ecp::plugins::engine
