#include "plugins/engine/engine_settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "plugins/engine/docker_api.hpp"
#include "plugins/settings_reader.hpp"
#include "plugins/ssh/ssh_argv.hpp"
#include "plugins/ssh/ssh_config_key.hpp"

namespace ecp::plugins::engine {
namespace {

// ssh://[user@]host[:port][/socket/path]: the address, and the socket path when written.
std::optional<EngineHost> engine_host(SettingsReader& r, const Json& v, const std::string& field) {
  auto t = r.text(v, field);
  if (!t) return std::nullopt;
  std::string address = *t, path;
  if (t->starts_with("ssh://")) {
    if (auto slash = t->find('/', 6); slash != std::string::npos) {
      address = t->substr(0, slash);
      path = t->substr(slash);
    }
  }
  std::string why;
  auto e = ssh::parse_endpoint(address, &why);
  if (!e) {
    r.error(field, why + " (and optionally the engine's socket: ssh://host/run/podman/podman.sock)");
    return std::nullopt;
  }
  e->text = *t;
  if (!path.empty()) {
    if (auto p = ssh::forward_path_problem(path); !p.empty()) {
      r.error(field, fmt::format("the engine socket '{}' {}", path, p));
      return std::nullopt;
    }
  }
  return EngineHost{*e, path};
}

void read_hosts(SettingsReader& r, const Json& v, EngineSettings& s) {
  if (!r.is_list(v, "hosts", "e.g. [\"ssh://root@10.0.0.1\"]")) return;
  if (v.empty()) r.error("hosts", "lists no host; write at least one ssh://[user@]host[:port], or use socket:");
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string field = fmt::format("hosts[{}]", i);
    auto h = engine_host(r, v[i], field);
    if (!h) continue;
    bool twice = std::any_of(s.hosts.begin(), s.hosts.end(),
                             [&](const EngineHost& o) { return o.endpoint.text == h->endpoint.text; });
    if (twice)
      r.error(field, fmt::format("'{}' is listed twice", h->endpoint.text));
    else
      s.hosts.push_back(*h);
  }
}

}  // namespace

void read_engine_settings(const backend::Settings& section, EngineSettings& s, Diagnostics& out) {
  SettingsReader r(section, out);
  const Json& n = section.value();
  r.check_keys(n, "", {"socket", "hosts", "remote_socket", "gateway", "ssh_config"});
  if (auto f = ssh::ssh_config_key(r, n)) s.ssh_config_key = *f;
  const Json* socket = r.get(n, "socket");
  const Json* hosts = r.get(n, "hosts");
  const Json* remote = r.get(n, "remote_socket");
  if (socket && hosts)
    r.error("hosts", "a target names either socket: (one engine) or hosts: (engines over ssh), not both");
  if (const Json* g = r.get(n, "gateway")) {
    read_gateway_settings(r, *g, s);
    if (hosts) r.error("gateway", "a gateway runs on the target's one engine (socket:); not yet with hosts:");
  }
  if (socket) {
    if (auto text = r.text(*socket, "socket")) {
      try {
        parse_engine_address(*text);
        s.socket = *text;
      } catch (const Error& e) {
        r.error("socket", e.what());
      }
    }
  }
  if (hosts) read_hosts(r, *hosts, s);
  std::string remote_socket = default_remote_socket;
  if (remote) {
    if (!hosts) r.error("remote_socket", "is the engine socket on ssh hosts: it needs hosts:");
    if (auto text = r.text(*remote, "remote_socket")) {
      if (auto p = ssh::forward_path_problem(*text); !p.empty())
        r.error("remote_socket", fmt::format("{} {}", quote_value(*text), p));
      else
        remote_socket = *text;
    }
  }
  for (auto& h : s.hosts)
    if (h.remote_socket.empty()) h.remote_socket = remote_socket;
}

EngineSettings engine_settings(const backend::TargetSpec& target) {
  EngineSettings s;
  Diagnostics problems;
  read_engine_settings(target.settings, s, problems);
  backend::fail_on_errors(target.name, problems);
  s.ssh = ssh::ssh_environment();
  if (!s.ssh_config_key.empty()) s.ssh.config_file = s.ssh_config_key;
  const char* parallel = std::getenv("ECP_PARALLEL");
  s.parallel = std::max(1, parallel && *parallel ? std::atoi(parallel) : 8);
  s.run_dir = std::filesystem::absolute(fs::ecp_home() / "run").string();
  return s;
}

}  // namespace ecp::plugins::engine
