#pragma once
// `ecp login` and `ecp logout`: docker's credential store (config.json, or the
// credential helper it names), so docker, podman, skopeo and ecp share logins.
#include <string>

#include "core/ops/push.hpp"

namespace ecp::ops {

struct LoginOptions {
  RegistryOptions registry;
  std::string server;    // host[:port] (a URL or a reference's registry part is accepted)
  std::string username;
  std::string password;  // read by the CLI from stdin
};

struct LoginResult {
  std::string registry;  // host[:port]
  std::string stored_in; // the config.json path or docker-credential-<name>
  bool verified = false; // false when the registry asks for no credentials at all
};

// Verifies the credentials against the registry first (Error(auth) naming the
// registry when they are rejected), then stores them.
LoginResult login(const LoginOptions& options);

struct LogoutResult {
  std::string registry;
  bool removed = false;  // false: there were no credentials for it
};

LogoutResult logout(const std::string& server);

// "https://host:5000/v2/" -> "host:5000"; validates the host.
std::string registry_host(const std::string& server);

}  // namespace ecp::ops
