#pragma once
// The engine plugin's settings: its section of the targets file, checked here with
// file:line:col errors. core/ hands the section over as written (backend::Settings).
//
//   targets:
//     box:
//       plugin: engine
//       socket: unix:///run/podman/podman.sock   # or tcp://HOST:PORT; default: DOCKER_HOST,
//                                                # else the first well-known socket that answers
//       gateway: {image: REF, port: 8000, nginx: ["client_max_body_size 50m;"]}
//                # blue-green and canary: an nginx container on the engine (engine_gateway.hpp)
#include <optional>
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::plugins {
class SettingsReader;
}

namespace ecp::plugins::engine {

// The gateway container: nginx from an image ops name, on the engine host's network.
struct GatewaySettings {
  std::string image;               // a reference the engine has or can pull
  int port = 80;                   // where clients reach it on the engine's host
  std::vector<std::string> nginx;  // extra directives for its server block
};

struct EngineSettings {
  std::string socket;  // unix:///path or tcp://host:port; empty: DOCKER_HOST or a well-known socket
  std::optional<GatewaySettings> gateway;
};

// Reads the section into `s`; every problem goes to `out`. The validator of the
// built-in table (ecp validate) is this without the result.
void read_engine_settings(const backend::Settings& section, EngineSettings& s, Diagnostics& out);
// The `gateway` field: {image: REF, port: P, nginx: [...]} (engine_gateway_settings.cpp).
void read_gateway_settings(SettingsReader& r, const backend::Json& v, EngineSettings& s);
// The target's section; throws Error(validation) listing the problems.
EngineSettings engine_settings(const backend::TargetSpec& target);

// TLS from the environment (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH): the folder of
// ca.pem, cert.pem and key.pem, or "" for plain tcp.
std::string tls_dir_from_environment();

}  // namespace ecp::plugins::engine
