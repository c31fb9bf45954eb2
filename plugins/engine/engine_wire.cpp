// What ecp sends to and reads from the engine, as pure functions: the container
// create body, a one-file tar for PUT /archive, the multiplexed log stream.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "plugins/engine/engine_backend.hpp"

namespace ecp::plugins::engine {
namespace {

// The container's own health check, so that `docker ps` and `podman ps` show what
// ecp's probe sees. Images carry no common HTTP client (a Debian base has neither
// curl nor wget; a busybox one has `wget`), so the check asks the health URL with
// curl, wget or `busybox wget`, whichever the image has; with none, or with no
// health path, it counts a listening socket on the health port in the container's
// own /proc/net/tcp{,6} as healthy (state 0A), which needs nothing but /bin/sh.
// The URL and the port come in as arguments: user data is never shell text.
// The script travels as a file (health_script_path, written beside the
// configuration before the container starts), not as `sh -c` text: podman 4.3
// joins the Test array and splits it again on white space, which would cut an
// inline script into words.
constexpr std::string_view health_script_text = R"(u=$1 p=$2
if [ -n "$u" ]; then
  if command -v curl >/dev/null 2>&1; then exec curl -fsS -o /dev/null "$u"; fi
  if command -v wget >/dev/null 2>&1; then exec wget -q -O /dev/null "$u"; fi
  if command -v busybox >/dev/null 2>&1; then exec busybox wget -q -O /dev/null "$u"; fi
fi
for f in /proc/net/tcp6 /proc/net/tcp; do
  [ -r "$f" ] || continue
  while read -r _ a _ s _; do
    case "$a:$s" in *:"$p":0A) echo "port $p is listening${u:+ (no curl or wget to ask $u)}"; exit 0 ;; esac
  done <"$f"
done
echo "nothing listens on port $p"
exit 1
)";

std::int64_t nanoseconds(Duration d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

}  // namespace

std::string_view health_script() { return health_script_text; }

Json health_test(const backend::HealthSpec& health, int container_port) {
  int port = container_port + health.port_delta;
  std::string url = health.path.empty() ? "" : fmt::format("http://127.0.0.1:{}{}", port, health.path);
  return Json::array({"CMD", "/bin/sh", std::string("/") + std::string(health_script_path), url,
                      fmt::format("{:04X}", port)});
}

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
  Json health = {{"Test", health_test(plan.health, plan.container_port)},
                 {"Interval", nanoseconds(plan.health.interval)},
                 {"Timeout", nanoseconds(plan.health.timeout)},
                 {"Retries", plan.health.retries}};
  return {{"Image", plan.image},     {"Labels", labels},      {"Env", plan.env},
          {"ExposedPorts", exposed}, {"Healthcheck", health}, {"HostConfig", host}};
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

std::string tar_files(const std::vector<TarFile>& files, int uid, int gid) {
  std::string out;
  for (const auto& f : files) out += tar_entry(f.name, f.data, f.mode, uid, gid);
  return out + std::string(1024, '\0');  // the end of the archive: two zero blocks
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
