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

// The remote argv that prints `marker`, then "user NAME" (the kernel's uid, by
// the system's own id), then "principal P" for each principal of the accepted
// certificate: a fixed POSIX sh script, the marker its only argument. What the
// account's shell startup files print comes before the marker and is ignored.
// The principals are read from what sshd exposes to the session
// (SSH_USER_AUTH), which the account itself could point elsewhere: they are as
// trustworthy as the account's own startup files.
struct WhoAmI {
  std::vector<std::string> argv;
  std::string marker;  // random, per call
};
WhoAmI whoami_command();
// The identity in that output after the marker, verified (method "ssh user"
// or "ssh certificate"); throws Error(io) naming `label` when it names no user.
backend::Identity identity_from_whoami(std::string_view out, const std::string& marker, const std::string& label);

}  // namespace ecp::plugins::ssh
