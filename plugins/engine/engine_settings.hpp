#pragma once
// The engine plugin's settings: its section of the targets file, checked here with
// file:line:col errors. core/ hands the section over as written (backend::Settings).
//
//   targets:
//     box:
//       plugin: engine
//       socket: unix:///run/podman/podman.sock   # or tcp://HOST:PORT; default: DOCKER_HOST,
//                                                # else the first well-known socket that answers
//     fleet:
//       plugin: engine
//       hosts: [ssh://deploy@10.0.0.1, "ssh://10.0.0.2:2222/run/podman/podman.sock"]
//       remote_socket: /var/run/docker.sock      # the default; a path after a host wins
//
// With hosts, each host's engine socket is forwarded over the host's ControlMaster
// (plugins/ssh) to a local socket, and each engine is one location.
//
//       gateway: {image: REF, port: 8000, nginx: ["client_max_body_size 50m;"]}
//                # blue-green and canary: an nginx container on the engine (engine_gateway.hpp);
//                # with socket: only (one engine)
#include <optional>
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/util/diagnostic.hpp"
#include "plugins/ssh/endpoint.hpp"
#include "plugins/ssh/ssh_master.hpp"

namespace ecp::plugins {
class SettingsReader;
}

namespace ecp::plugins::engine {

// An engine on a host reached over SSH.
struct EngineHost {
  ssh::Endpoint endpoint;     // text: as written (the location's label)
  std::string remote_socket;  // the engine's unix socket on the host
};

// The gateway container: nginx from an image ops name, on the engine host's network.
struct GatewaySettings {
  std::string image;               // a reference the engine has or can pull
  int port = 80;                   // where clients reach it on the engine's host
  std::vector<std::string> nginx;  // extra directives for its server block
};

struct EngineSettings {
  // From the targets file.
  std::string socket;             // unix:///path or tcp://host:port; empty: DOCKER_HOST or a well-known socket
  std::vector<EngineHost> hosts;  // engines over SSH (instead of socket); the first holds the ledger
  std::optional<GatewaySettings> gateway;
  // From this machine (hosts only): ECP_SSH*, ECP_PARALLEL, ECP_HOME/run.
  ssh::SshEnvironment ssh;
  std::string ssh_config_key;  // the target's ssh_config: (over ECP_SSH_CONFIG)
  int parallel = 8;     // engines worked on at once
  std::string run_dir;  // where the forwarded sockets go (a private folder inside)
};

inline constexpr const char* default_remote_socket = "/var/run/docker.sock";

// Reads the section into `s`; every problem goes to `out`. The validator of the
// built-in table (ecp validate) is this without the result.
void read_engine_settings(const backend::Settings& section, EngineSettings& s, Diagnostics& out);
// The `gateway` field: {image: REF, port: P, nginx: [...]} (engine_gateway_settings.cpp).
void read_gateway_settings(SettingsReader& r, const backend::Json& v, EngineSettings& s);
// The target's section plus the environment; throws Error(validation) listing the problems.
EngineSettings engine_settings(const backend::TargetSpec& target);

// TLS from the environment (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH): the folder of
// ca.pem, cert.pem and key.pem, or "" for plain tcp.
std::string tls_dir_from_environment();

}  // namespace ecp::plugins::engine
