// start / stop / health of instances, grouped by host, hosts in parallel.
#include <fmt/format.h>

#include <map>
#include <mutex>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "plugins/host/host_backend.hpp"
#include "plugins/host/http_probe.hpp"

namespace ecp::plugins::host {

namespace {
template <typename T, typename Key>
std::map<std::string, std::vector<T>> by_location(const std::vector<T>& items, Key key) {
  std::map<std::string, std::vector<T>> out;
  for (const auto& i : items) out[key(i).location].push_back(i);
  return out;
}

std::string why(const process::Result& r) {
  std::string s = r.last_line();
  if (r.timed_out) s = "timed out" + (s.empty() ? "" : " (" + s + ")");
  return s.empty() ? fmt::format("exit status {}", r.exit_code) : s;
}

long grace_seconds(const backend::AppSpec& a) { return std::max<long>(1, (a.stop_grace.count() + 999) / 1000); }
}  // namespace

std::vector<backend::Failure> HostBackend::start(const std::vector<backend::InstanceSpec>& instances) {
  auto groups = by_location(instances, [](const backend::InstanceSpec& s) { return s.ref; });
  std::vector<Host*> hosts;
  for (const auto& [loc, specs] : groups) hosts.push_back(&host(loc));
  std::vector<backend::Failure> failures;
  std::mutex mu;
  auto errors = each(hosts, [&](Host& h) {
    for (const auto& s : groups[h.label]) {
      // Strategies stop an instance before they start it again, so whatever
      // answers on its port now is not ours (another environment, another program):
      // its health checks would lie.
      if (http_probe(h.address, s.port, "", std::chrono::milliseconds(500)).healthy) {
        std::lock_guard l(mu);
        failures.push_back({s.ref,
                            fmt::format("{}: starting {}: port {} is in use by another program (another environment "
                                        "on this host? give it its own LISTEN_PORT)",
                                        h.label, s.ref.name(), s.port),
                            false});
        continue;
      }
      auto r = h.agent->call(verbs::start(place(), s.ref, s.revision, s.port, grace_seconds(app_)), {},
                             std::chrono::seconds(grace_seconds(app_) + 60));
      if (r.ok()) {
        // "runs as U, limited by cgroup v1 (...)": which mechanism the host used.
        for (const auto& line : text::split(r.out, '\n'))
          if (line.starts_with("runs ")) log::info("{}: {} {}", h.label, s.ref.name(), line);
        continue;
      }
      bool unreachable = !h.transport->local() && ssh_failed(r);
      std::lock_guard l(mu);
      failures.push_back({s.ref,
                          fmt::format("{}: starting {} on revision {}: {}", h.label, s.ref.name(), s.revision,
                                      unreachable ? "host unreachable: " + h.transport->unreachable() : why(r)),
                          unreachable});
    }
  });
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return failures;
}

std::vector<backend::Failure> HostBackend::per_instance(
    const std::vector<backend::InstanceRef>& instances, const std::string& step,
    const std::function<AgentCommand(const backend::InstanceRef&)>& command, int stopped_code) {
  auto groups = by_location(instances, [](const backend::InstanceRef& r) { return r; });
  std::vector<Host*> hosts;
  for (const auto& [loc, refs] : groups) hosts.push_back(&host(loc));
  std::vector<backend::Failure> failures;
  std::mutex mu;
  auto errors = each(hosts, [&](Host& h) {
    for (const auto& ref : groups[h.label]) {
      auto r = h.agent->call(command(ref), {}, std::chrono::seconds(grace_seconds(app_) + 60));
      if (r.ok()) continue;
      bool unreachable = !h.transport->local() && ssh_failed(r);
      std::lock_guard l(mu);
      failures.push_back({ref,
                          fmt::format("{}: {} {}: {}", h.label, step, ref.name(),
                                      unreachable ? "host unreachable: " + h.transport->unreachable() : why(r)),
                          unreachable, !unreachable && r.exit_code == stopped_code});
    }
  });
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return failures;
}

std::vector<backend::Failure> HostBackend::stop(const std::vector<backend::InstanceRef>& instances) {
  return per_instance(instances, "stopping",
                      [&](const backend::InstanceRef& ref) { return verbs::stop(place(), ref, grace_seconds(app_)); });
}

std::vector<backend::Failure> HostBackend::stop_after(const std::vector<backend::InstanceRef>& instances,
                                                      backend::Duration delay) {
  if (delay.count() <= 0) return stop(instances);
  auto seconds = (delay.count() + 999) / 1000;
  return per_instance(instances, "scheduling the stop of", [&](const backend::InstanceRef& ref) {
    return verbs::retire(place(), ref, seconds, grace_seconds(app_));
  });
}

std::vector<backend::Failure> HostBackend::keep_running(const std::vector<backend::InstanceRef>& instances) {
  constexpr int gone = 3;  // agent.sh keep: the instance no longer runs, or is stopping
  return per_instance(
      instances, "cancelling the stop of", [&](const backend::InstanceRef& ref) { return verbs::keep(place(), ref); },
      gone);
}

}  // namespace ecp::plugins::host
