// `ecp top` on hosts: the agent's `top` verb samples /proc twice on each host
// (hosts in parallel), and parse_top reads what it printed.
#include <cstdlib>
#include <mutex>

#include "core/util/error.hpp"
#include "core/util/text.hpp"
#include "plugins/host/host_backend.hpp"

namespace ecp::plugins::host {

backend::Metrics parse_top(const std::string& location, const std::string& address, const std::string& out) {
  backend::Metrics m;
  for (const auto& line : text::split(out, '\n')) {
    auto f = text::split(line, '\t');
    if (f[0] == "host" && f.size() >= 6) {
      backend::LocationMetrics h;
      h.location = location;
      h.address = address;
      h.cpu_percent = std::atof(f[1].c_str());
      h.cpus = std::atoi(f[2].c_str());
      std::int64_t total = std::atoll(f[3].c_str()), available = std::atoll(f[4].c_str());
      if (total > 0) h.memory_total = total * 1024;
      // No MemAvailable (a kernel before 3.14): the use is not known, not 100%.
      if (total > 0 && available >= 0) h.memory_used = (total - std::min(available, total)) * 1024;
      h.load1 = std::atof(f[5].c_str());
      m.locations.push_back(h);
    } else if (f[0] == "instance" && f.size() >= 11) {
      backend::InstanceMetrics i;
      i.app = f[1];
      i.env = f[2];
      i.ref = {location, f[3], std::atoi(f[4].c_str())};
      i.pid = std::atoll(f[5].c_str());
      if (i.pid > 0) {
        i.cpu_percent = std::atof(f[6].c_str());
        i.rss = std::atoll(f[7].c_str()) * 1024;
      }
      i.restarts = std::atoi(f[8].c_str());
      if (long long since = std::atoll(f[9].c_str()); since > 0) i.since = text::rfc3339(since);
      i.state = backend::instance_state_from(f[10]);
      m.instances.push_back(i);
    }
  }
  return m;
}

backend::Metrics HostBackend::metrics(backend::Duration interval, bool every_app) {
  backend::Metrics total;
  std::mutex mu;
  const AgentPlace here = place();
  auto hosts = all();
  if (own_gateway_) hosts.push_back(own_gateway_.get());  // a host of the target too
  auto errors = each(hosts, [&](Host& h) {
    // The sample itself takes `interval`; the rest is the connection.
    auto r = h.agent->call(verbs::top(root_, interval, every_app ? nullptr : &here), {},
                           interval + std::chrono::seconds(60));
    if (!r.ok()) fail_call(*h.transport, "reading its CPU and memory", r);
    auto m = parse_top(h.label, h.address, r.out);
    std::lock_guard l(mu);
    total.locations.insert(total.locations.end(), m.locations.begin(), m.locations.end());
    total.instances.insert(total.instances.end(), m.instances.begin(), m.instances.end());
  });
  for (const auto& e : errors) {
    if (!e) continue;
    try {
      std::rethrow_exception(e);
    } catch (const Error& err) {
      if (err.kind() == ErrorKind::interrupted) throw;
      total.unreachable.push_back(err.what());
    }
  }
  return total;
}

}  // namespace ecp::plugins::host
