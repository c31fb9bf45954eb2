#include "plugins/host/host_settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "core/util/fs.hpp"
#include "plugins/settings_reader.hpp"

namespace ecp::plugins::host {
namespace {

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

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

std::optional<Endpoint> parse_endpoint(std::string_view text, std::string* why) {
  auto fail = [&](std::string_view what) -> std::optional<Endpoint> {
    if (why) *why = fmt::format("'{}' {}; write ssh://[user@]host[:port]", text, what);
    return std::nullopt;
  };
  if (!text.starts_with("ssh://")) return fail("is not an ssh address");
  Endpoint h;
  h.text = std::string(text);
  std::string_view rest = text.substr(6);
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    h.user = std::string(rest.substr(0, at));
    rest = rest.substr(at + 1);
    if (h.user.empty()) return fail("has an empty user before '@'");
    for (char c : h.user)
      if (!host_char(c) && c != '$') return fail("has an invalid user name");
  }
  std::string_view port;
  if (rest.starts_with("[")) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return fail("has an unclosed '['");
    h.host = std::string(rest.substr(1, close - 1));
    for (char c : h.host)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
        return fail("has an invalid IPv6 address");
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return fail("has text after the address");
      port = rest.substr(1);
      if (port.empty()) return fail("has an empty port");
    }
  } else {
    auto colon = rest.find(':');
    h.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) return fail("has an empty port");
    }
    for (char c : h.host)
      if (!host_char(c)) return fail(c == '/' ? "has a path; only a host is allowed" : "has an invalid host name");
  }
  if (h.host.empty()) return fail("has no host");
  if (!port.empty()) {
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535)
      return fail("has an invalid port (1..65535)");
    h.port = p;
  }
  return h;
}

void read_host_settings(const backend::Settings& section, HostSettings& s, Diagnostics& out) {
  SettingsReader r(section, out);
  const Json& n = section.value();
  r.check_keys(n, "", {"hosts", "root", "gateway"});
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
  s.checked_dir = (fs::ecp_home() / "cache" / "checked-layers").string();
  s.tmp_dir = (fs::ecp_home() / "tmp").string();
  s.ssh_program = env_or("ECP_SSH", "ssh");
  s.ssh_config = env_or("ECP_SSH_CONFIG", "");
  s.ssh_persist = env_or("ECP_SSH_PERSIST", "60s");
  if (s.ssh_persist == "0" || s.ssh_persist == "no") s.ssh_persist.clear();
  s.parallel = std::max(1, std::atoi(env_or("ECP_PARALLEL", "8").c_str()));
  return s;
}

}  // namespace ecp::plugins::host
