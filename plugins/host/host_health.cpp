// The health checks of hosts' instances. An HTTP check runs on the instance's
// host, through the agent (curl or wget there), so that a firewall, a bastion or
// an ssh alias between ecp and the application port does not fail a healthy
// release; this machine (the local target) and TCP checks probe from here, with
// libcurl. A host with neither curl nor wget is probed from here too.
#include <fmt/format.h>

#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "core/util/error.hpp"
#include "core/util/parallel.hpp"
#include "plugins/host/host_backend.hpp"
#include "plugins/host/http_probe.hpp"

namespace ecp::plugins::host {

namespace {

// "PORT STATUS DETAIL" lines of the agent's probe verb -> port -> (status, detail).
std::map<int, std::pair<int, std::string>> parse_probe(const std::string& out) {
  std::map<int, std::pair<int, std::string>> r;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    int port = 0, status = 0, used = 0;
    if (std::sscanf(line.c_str(), "%d %d %n", &port, &status, &used) < 2) continue;
    r[port] = {status, line.substr(static_cast<std::size_t>(used))};
  }
  return r;
}

}  // namespace

void HostBackend::probe_here(const std::vector<backend::InstanceSpec>& instances, std::vector<backend::Probe>& probes,
                             const std::vector<std::size_t>& which) {
  // Probes are bounded like agent calls, by the target's `parallel` setting.
  parallel_for(which.size(), parallel_, [&](std::size_t k) {
    const auto& s = instances[which[k]];
    auto r = http_probe(host(s.ref.location).address, s.port + app_.health.port_delta, app_.health.path,
                        app_.health.timeout);
    probes[which[k]] = {s.ref, r.healthy, false, r.detail};
  });
}

void HostBackend::probe_on_hosts(const std::vector<backend::InstanceSpec>& instances,
                                 std::vector<backend::Probe>& probes, std::vector<std::size_t>& here) {
  std::map<std::string, std::vector<std::size_t>> on;
  for (std::size_t i = 0; i < instances.size(); ++i) {
    Host& h = host(instances[i].ref.location);
    if (app_.health.path.empty() || h.transport->local())
      here.push_back(i);
    else
      on[h.label].push_back(i);
  }
  std::vector<Host*> hosts;
  for (const auto& [label, idx] : on) {
    hosts.push_back(&host(label));
    // Failed until the host answers: a call that throws leaves them so.
    for (auto i : idx) probes[i] = {instances[i].ref, false, false, "the health check on " + label + " did not run"};
  }
  std::mutex mu;
  each(hosts, [&](Host& h) {
    const auto& idx = on.at(h.label);
    std::vector<int> ports;
    for (auto i : idx) ports.push_back(instances[i].port + app_.health.port_delta);
    auto r = h.agent->call(verbs::probe(app_.health.timeout, app_.health.path, h.address, ports), {},
                           app_.health.timeout * static_cast<int>(ports.size()) + std::chrono::seconds(30));
    auto answers = parse_probe(r.out);
    std::lock_guard l(mu);
    for (auto i : idx) {
      auto a = answers.find(instances[i].port + app_.health.port_delta);
      if (r.ok() && a != answers.end() && a->second.first < 0) {
        here.push_back(i);  // nothing to probe with on that host
        continue;
      }
      probes[i].ref = instances[i].ref;
      if (!r.ok() || a == answers.end()) {
        probes[i].detail = fmt::format("the health check on {} did not run: {}", h.label, r.last_line());
        continue;
      }
      probes[i].healthy = a->second.first >= 200 && a->second.first < 400;
      probes[i].detail = a->second.second + " on the host";
    }
  });
}

std::vector<backend::Probe> HostBackend::health(const std::vector<backend::InstanceSpec>& instances) {
  std::vector<backend::Probe> probes(instances.size());
  std::vector<std::size_t> here;
  probe_on_hosts(instances, probes, here);
  probe_here(instances, probes, here);
  // An instance that does not answer: is its process still there, is its host?
  std::set<std::string> sick;
  for (const auto& p : probes)
    if (!p.healthy) sick.insert(p.ref.location);
  std::vector<Host*> hosts;
  for (const auto& loc : sick) hosts.push_back(&host(loc));
  std::mutex mu;
  each(hosts, [&](Host& h) {
    auto r = h.agent->call(verbs::status(place()), {}, std::chrono::seconds(30));
    std::lock_guard l(mu);
    for (auto& p : probes) {
      if (p.healthy || p.ref.location != h.label) continue;
      if (!r.ok()) {
        p.gone = !h.transport->local() && ssh_failed(r);
        if (p.gone) p.detail = "host unreachable: " + h.transport->unreachable();
        continue;
      }
      auto st = parse_status(h.label, h.address, r.out);
      for (const auto& i : st.instances) {
        if (i.ref != p.ref) continue;
        if (i.state == backend::InstanceState::crashed || backend::is_down(i.state)) {
          p.gone = true;
          p.detail =
              fmt::format("the process exited ({} restart(s); see 'ecp logs'); last check: {}", i.restarts, p.detail);
        }
      }
    }
  });
  return probes;
}

}  // namespace ecp::plugins::host
