#include "plugins/ssh/ssh_identity.hpp"

#include <fmt/format.h>

#include <random>

#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::plugins::ssh {
namespace {

// SSH_USER_AUTH names a file with the methods that authenticated the session;
// a certificate appears there as "publickey TYPE-cert-v01@openssh.com BASE64",
// and ssh-keygen -L lists its principals.
constexpr const char* whoami_script = R"sh(printf '%s\n' "$1"
printf 'user %s\n' "$(command -p id -un)"
f=${SSH_USER_AUTH:-}
if [ -n "$f" ] && [ -r "$f" ] && command -v ssh-keygen >/dev/null 2>&1; then
  sed -n 's/^publickey \([^ ]*-cert-v01@openssh\.com [^ ]*\).*/\1/p' "$f" | head -n 1 |
    ssh-keygen -L -f - 2>/dev/null |
    awk '/^ *Principals:/ { p = 1; next } /^ *[A-Z][A-Za-z ]*:/ { p = 0 } p && NF { print "principal " $1 }'
fi
)sh";

}  // namespace

WhoAmI whoami_command() {
  std::random_device rd;
  std::string marker = fmt::format("ecp-whoami-{:08x}{:08x}", rd(), rd());
  return {{"sh", "-c", whoami_script, "sh", marker}, marker};
}

backend::Identity identity_from_whoami(std::string_view out, const std::string& marker, const std::string& label) {
  backend::Identity id;
  bool after = false;
  for (const auto& line : text::split(out, '\n')) {
    if (!after) {
      after = line == marker;
      continue;
    }
    if (line.starts_with("user ")) id.user = line.substr(5);
    if (line.starts_with("principal ")) id.principals.push_back(line.substr(10));
  }
  if (id.user.empty()) fail(ErrorKind::io, "{}: the host did not say who this SSH session is", label);
  id.method = id.principals.empty() ? "ssh user" : "ssh certificate";
  id.verified = true;
  return id;
}

}  // namespace ecp::plugins::ssh
