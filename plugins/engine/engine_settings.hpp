#pragma once
// The engine plugin's settings: its section of the targets file, checked here with
// file:line:col errors. core/ hands the section over as written (backend::Settings).
//
//   targets:
//     box:
//       plugin: engine
//       socket: unix:///run/podman/podman.sock   # or tcp://HOST:PORT; default: DOCKER_HOST,
//                                                # else the first well-known socket that answers
#include <string>

#include "core/backend/types.hpp"
#include "core/util/diagnostic.hpp"

namespace ecp::plugins::engine {

struct EngineSettings {
  std::string socket;  // unix:///path or tcp://host:port; empty: DOCKER_HOST or a well-known socket
};

// Reads the section into `s`; every problem goes to `out`. The validator of the
// built-in table (ecp validate) is this without the result.
void read_engine_settings(const backend::Settings& section, EngineSettings& s, Diagnostics& out);
// The target's section; throws Error(validation) listing the problems.
EngineSettings engine_settings(const backend::TargetSpec& target);

// TLS from the environment (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH): the folder of
// ca.pem, cert.pem and key.pem, or "" for plain tcp.
std::string tls_dir_from_environment();

}  // namespace ecp::plugins::engine
