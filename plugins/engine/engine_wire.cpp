// What ecp sends to and reads from the engine, as pure functions: the container
// create body, a one-file tar for PUT /archive, the multiplexed log stream.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "plugins/engine/engine_backend.hpp"

namespace ecp::plugins::engine {

Json create_body(const ContainerPlan& plan) {
  Json labels = Json::object();
  for (const auto& [k, v] : plan.labels) labels[k] = v;
  Json exposed = Json::object();
  Json bindings = Json::object();
  auto publish = [&](int container_port, int host_port) {
    auto key = fmt::format("{}/tcp", container_port);
    exposed[key] = Json::object();
    bindings[key] = Json::array({{{"HostIp", ""}, {"HostPort", std::to_string(host_port)}}});
  };
  publish(plan.container_port, plan.host_port);
  for (int delta : plan.extra_ports) publish(plan.container_port + delta, plan.host_port + delta);
  Json host = {{"PortBindings", bindings}, {"RestartPolicy", {{"Name", "unless-stopped"}, {"MaximumRetryCount", 0}}}};
  if (plan.nano_cpus > 0) host["NanoCpus"] = plan.nano_cpus;
  if (plan.memory > 0) host["Memory"] = plan.memory;
  return {{"Image", plan.image},
          {"Labels", labels},
          {"Env", plan.env},
          {"ExposedPorts", exposed},
          {"HostConfig", host}};
}

std::string tar_entry(const std::string& name, std::string_view data, int mode, int uid, int gid) {
  char h[512] = {};
  std::memcpy(h, name.data(), std::min<std::size_t>(name.size(), 99));
  std::snprintf(h + 100, 8, "%07o", mode & 07777);
  std::snprintf(h + 108, 8, "%07o", uid);
  std::snprintf(h + 116, 8, "%07o", gid);
  std::snprintf(h + 124, 12, "%011llo", static_cast<unsigned long long>(data.size()));
  std::snprintf(h + 136, 12, "%011o", 0);
  h[156] = '0';
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);
  std::string out(h, sizeof h);
  out.append(data);
  out.append((512 - data.size() % 512) % 512, '\0');
  return out;
}

std::string tar_one_file(const std::string& name, std::string_view data, int mode, int uid, int gid) {
  return tar_entry(name, data, mode, uid, gid) + std::string(1024, '\0');
}

void demux_logs(std::string& pending, std::string& line_buf, std::string_view chunk,
                const std::function<void(std::string_view)>& on_line) {
  pending.append(chunk);
  std::size_t p = 0;
  while (pending.size() - p >= 8) {
    const auto* u = reinterpret_cast<const unsigned char*>(pending.data() + p);
    std::size_t size = std::size_t(u[4]) << 24 | std::size_t(u[5]) << 16 | std::size_t(u[6]) << 8 | u[7];
    if (pending.size() - p - 8 < size) break;
    line_buf.append(pending, p + 8, size);
    p += 8 + size;
    std::size_t start = 0;
    for (std::size_t nl; (nl = line_buf.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(line_buf.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      on_line(line);
    }
    line_buf.erase(0, start);
  }
  pending.erase(0, p);
}

}  // namespace ecp::plugins::engine
