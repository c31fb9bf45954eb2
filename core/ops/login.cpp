#include "core/ops/login.hpp"

#include "core/oci/reference.hpp"
#include "core/registry/client.hpp"
#include "core/registry/credentials.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

std::string registry_host(const std::string& server) {
  std::string_view s = server;
  if (auto p = s.find("://"); p != std::string_view::npos) s = s.substr(p + 3);
  s = s.substr(0, s.find('/'));
  if (s.empty()) fail(ErrorKind::usage, "name a registry: host[:port]");
  // Reuse the reference grammar's host rules: "HOST/x" must parse with HOST as the registry.
  auto ref = oci::parse_reference(std::string(s) + "/x");
  if (ref.registry != s && !(s == "index.docker.io" || s == "registry-1.docker.io"))
    fail(ErrorKind::usage, "'{}' is not a registry host[:port]", server);
  return ref.registry;
}

LoginResult login(const LoginOptions& o) {
  LoginResult r;
  r.registry = registry_host(o.server);
  if (o.username.empty()) fail(ErrorKind::usage, "ecp login {}: give the user name with -u USER", r.registry);
  if (o.password.empty()) fail(ErrorKind::usage, "ecp login {}: the password is empty", r.registry);
  Registries regs(o.registry);
  registry::Credentials creds{o.username, o.password, ""};
  registry::Client client(regs.endpoint(r.registry), creds);
  client.check_credentials();
  r.verified = !client.auth_scheme().empty();
  r.stored_in = registry::store_credentials(r.registry, creds);
  return r;
}

LogoutResult logout(const std::string& server) {
  LogoutResult r;
  r.registry = registry_host(server);
  r.removed = registry::erase_credentials(r.registry);
  return r;
}

}  // namespace ecp::ops
