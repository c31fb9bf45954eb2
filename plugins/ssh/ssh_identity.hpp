#pragma once
// Who an SSH session is, as the host's sshd authenticated it: the user the
// session runs as and, where sshd exposes the authentication to the session
// (ExposeAuthInfo), the principals of the certificate it accepted. The host
// plugin (agent hosts) and the engine plugin (engines over ssh://) both ask
// this way, so both vouch for the same identity.
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/backend.hpp"

namespace ecp::plugins::ssh {

// The remote argv that prints "user NAME", then "principal P" for each
// principal of the accepted certificate: a fixed POSIX sh script, no user data.
std::vector<std::string> whoami_argv();
// The identity in that output, verified (method "ssh user" or "ssh
// certificate"); throws Error(io) naming `label` when it names no user.
backend::Identity identity_from_whoami(std::string_view out, const std::string& label);

}  // namespace ecp::plugins::ssh
