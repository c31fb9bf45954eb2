#pragma once
// The settings of an engine target, parsed from the target's section of the
// targets file as JSON (pure; unit-tested).
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ecp::plugins::engine {

struct EngineSettings {
  std::string socket;  // unix:///path or tcp://host:port; empty: DOCKER_HOST or a well-known socket
};

// `where(field)` names a field's place in the targets file ("targets.yaml:12:5")
// for messages. Throws Error(validation) naming it.
EngineSettings parse_engine_settings(const nlohmann::json& section,
                                     const std::function<std::string(std::string_view field)>& where);

// TLS from the environment (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH): the folder of
// ca.pem, cert.pem and key.pem, or "" for plain tcp.
std::string tls_dir_from_environment();

}  // namespace ecp::plugins::engine
