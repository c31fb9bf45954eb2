// Where the engine is: the socket text of the targets file, DOCKER_HOST, or the
// first well-known socket that answers.
#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/util/text.hpp"
#include "plugins/engine/docker_api.hpp"
#include "plugins/engine/engine_settings.hpp"

namespace ecp::plugins::engine {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

EngineAddress parse_engine_address(std::string_view text, const std::string& tls_dir) {
  EngineAddress a;
  a.text = std::string(text);
  if (text.starts_with("unix://")) {
    a.unix_path = std::string(text.substr(7));
  } else if (text.starts_with("/")) {
    a.unix_path = std::string(text);
    a.text = "unix://" + a.text;
  } else if (text.starts_with("tcp://")) {
    auto host = text.substr(6);
    while (!host.empty() && host.back() == '/') host.remove_suffix(1);
    if (host.empty() || host.find('/') != std::string_view::npos)
      fail(ErrorKind::validation, "engine socket '{}': expected tcp://HOST:PORT", text);
    std::string h(host);
    if (h.find(':') == std::string::npos || h.back() == ']') h += tls_dir.empty() ? ":2375" : ":2376";
    a.base_url = (tls_dir.empty() ? "http://" : "https://") + h;
    if (!tls_dir.empty()) {
      a.ca = tls_dir + "/ca.pem";
      a.cert = tls_dir + "/cert.pem";
      a.key = tls_dir + "/key.pem";
    }
    return a;
  } else {
    fail(ErrorKind::validation, "engine socket '{}': expected unix:///PATH or tcp://HOST:PORT", text);
  }
  if (a.unix_path.empty() || a.unix_path.front() != '/')
    fail(ErrorKind::validation, "engine socket '{}': the socket path must be absolute", text);
  // Over a unix socket the host part of the URL is only the Host header.
  a.base_url = "http://localhost";
  return a;
}

std::string tls_dir_from_environment() {
  auto verify = env("DOCKER_TLS_VERIFY");
  if (verify.empty() || verify == "0") return "";
  auto dir = env("DOCKER_CERT_PATH");
  if (dir.empty()) dir = env("HOME") + "/.docker";
  return dir;
}

EngineAddress default_engine_address() {
  if (auto h = env("DOCKER_HOST"); !h.empty()) return parse_engine_address(h, tls_dir_from_environment());
  const std::vector<std::string> sockets = {"/var/run/docker.sock", "/run/podman/podman.sock"};
  for (const auto& p : sockets) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    auto a = parse_engine_address(p);
    DockerApi api(a);
    if (api.ping(std::chrono::seconds(5))) return a;
  }
  fail(ErrorKind::validation,
       "no container engine: the target names no socket, DOCKER_HOST is not set, and none of {} answers",
       text::join(sockets, ", "));
}

}  // namespace ecp::plugins::engine
