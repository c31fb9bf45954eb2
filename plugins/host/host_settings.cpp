#include "plugins/host/host_settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "core/util/fs.hpp"
#include "plugins/settings_reader.hpp"
#include "plugins/ssh/ssh_config_key.hpp"
#include "plugins/ssh/ssh_master.hpp"

namespace ecp::plugins::host {
namespace {

std::optional<Endpoint> endpoint_at(SettingsReader& r, const Json& v, const std::string& field) {
  auto t = r.text(v, field);
  if (!t) return std::nullopt;
  std::string why;
  auto e = parse_endpoint(*t, &why);
  if (!e) r.error(field, why);
  return e;
}

// gateway: ssh://HOST (nginx on port 80), local, or {host: ssh://HOST | local, port: N, nginx: [...]}.
std::optional<Endpoint> gateway_host(SettingsReader& r, const Json& v, const std::string& field) {
  if (v.is_string() && v.get<std::string>() == "local") return Endpoint{"local", "", "127.0.0.1", 0};
  return endpoint_at(r, v, field);
}

void read_nginx(SettingsReader& r, const Json& d, HostSettings& s) {
  if (!r.is_list(d, "gateway.nginx", "nginx directives, e.g. [\"client_max_body_size 50m;\"]")) return;
  for (std::size_t i = 0; i < d.size(); ++i) {
    std::string item = fmt::format("gateway.nginx[{}]", i);
    auto text = r.text(d[i], item);
    if (!text) continue;
    // One simple directive a line: blocks and several lines would be a second
    // configuration language in the targets file. nginx -t judges the rest.
    if (text->empty() || text->find_first_of("{}\n\r#") != std::string::npos)
      r.error(item, fmt::format("{} must be one nginx directive on one line, without {{, }} or #", quote_value(*text)));
    else
      s.gateway_nginx.push_back(text->back() == ';' ? *text : *text + ";");
  }
}

void read_gateway(SettingsReader& r, const Json& v, HostSettings& s) {
  if (!v.is_object() && !v.is_array()) {
    s.gateway = gateway_host(r, v, "gateway");
    return;
  }
  if (!r.is_map(v, "gateway", "ssh://HOST, or {host: ssh://HOST | local, port: 8000}")) return;
  r.check_keys(v, "gateway", {"host", "port", "nginx"});
  if (const Json* h = r.get(v, "host"))
    s.gateway = gateway_host(r, *h, "gateway.host");
  else
    r.error("gateway", "missing 'host' (ssh://[user@]host[:port], or local)");
  if (const Json* p = r.get(v, "port"))
    if (auto i = r.integer(*p, "gateway.port", 1, 65535)) s.gateway_port = static_cast<int>(*i);
  if (const Json* d = r.get(v, "nginx")) read_nginx(r, *d, s);
}

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

}  // namespace

void read_host_settings(const backend::Settings& section, HostSettings& s, Diagnostics& out) {
  SettingsReader r(section, out);
  const Json& n = section.value();
  r.check_keys(n, "", {"hosts", "root", "gateway", "ssh_config"});
  if (auto f = ssh::ssh_config_key(r, n)) s.ssh_config = *f;
  if (const Json* v = r.get(n, "hosts"); v && r.is_list(*v, "hosts", "e.g. [\"ssh://root@10.0.0.1\"]")) {
    for (std::size_t i = 0; i < v->size(); ++i)
      if (auto h = endpoint_at(r, (*v)[i], fmt::format("hosts[{}]", i))) s.hosts.push_back(*h);
  }
  if (const Json* v = r.get(n, "root")) {
    if (auto t = r.text(*v, "root")) {
      if (!t->starts_with("/") || t->find("/../") != std::string::npos || t->ends_with("/.."))
        r.error("root", fmt::format("{} must be an absolute folder without '..'", quote_value(*t)));
      else
        s.root = *t;
    }
  }
  if (const Json* v = r.get(n, "gateway")) read_gateway(r, *v, s);
}

HostSettings host_settings(const backend::TargetSpec& target) {
  HostSettings s;
  Diagnostics problems;
  read_host_settings(target.settings, s, problems);
  backend::fail_on_errors(target.name, problems);
  s.local_root = (fs::ecp_home() / "targets" / target.name).string();
  s.checked_dir = (fs::ecp_cache() / "checked-layers").string();
  s.tmp_dir = (fs::ecp_home() / "tmp").string();
  auto ssh = ssh::ssh_environment();
  s.ssh_program = ssh.program;
  if (s.ssh_config.empty()) s.ssh_config = ssh.config_file;
  s.ssh_persist = ssh.persist;
  s.parallel = std::max(1, std::atoi(env_or("ECP_PARALLEL", "8").c_str()));
  return s;
}

}  // namespace ecp::plugins::host
