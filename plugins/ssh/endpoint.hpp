#pragma once
// An SSH destination as the targets file writes it: ssh://[user@]host[:port].
// Shared by the plugins that reach machines over OpenSSH (host, engine).
#include <optional>
#include <string>
#include <string_view>

namespace ecp::plugins::ssh {

// ssh://[user@]host[:port] of a host (text "local", host 127.0.0.1: this machine, for a gateway).
struct Endpoint {
  std::string text;  // as written, also the host's label in messages and the ledger
  std::string user;  // empty = the ssh default
  std::string host;  // without [] for IPv6
  int port = 22;
};

// ssh://[user@]host[:port]; IPv6 hosts in brackets. nullopt (and `why`) when it is not one.
std::optional<Endpoint> parse_endpoint(std::string_view text, std::string* why = nullptr);

}  // namespace ecp::plugins::ssh
