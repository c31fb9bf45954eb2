#pragma once
// The host plugin's settings: its section of the targets file, checked here with
// file:line:col errors, plus what it takes from this machine's environment. core/
// hands the section over as written (backend::Settings) and never reads it.
//
//   targets:
//     web:
//       plugin: host
//       hosts: [ssh://deploy@10.0.0.1, ssh://10.0.0.2:2222]   # none: this machine
//       root: /srv/ecp                                       # where releases go on the hosts
//       gateway: {host: ssh://10.0.0.9 | local, port: 80, nginx: ["client_max_body_size 8m;"]}
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/types.hpp"
#include "core/util/diagnostic.hpp"
#include "plugins/ssh/endpoint.hpp"

namespace ecp::plugins::host {

// The hosts' ssh:// addresses (plugins/ssh, shared with the engine plugin).
using ssh::Endpoint;
using ssh::parse_endpoint;

struct HostSettings {
  // From the targets file.
  std::vector<Endpoint> hosts;      // empty = this machine
  std::string root;                 // the folder on the hosts; "" = local_root here, /srv/ecp over ssh
  std::optional<Endpoint> gateway;  // the traffic gateway (route capability)
  int gateway_port = 80;
  std::vector<std::string> gateway_nginx;  // extra directives for the gateway's server block
  // From this machine: ECP_HOME's folders and ECP_SSH, ECP_SSH_CONFIG, ECP_SSH_PERSIST, ECP_PARALLEL.
  std::string local_root;   // ROOT when the target is this machine: ECP_HOME/targets/NAME
  std::string checked_dir;  // markers of layers already checked: ECP_HOME/cache/checked-layers
  std::string tmp_dir;      // layers decompressed on their way to ssh hosts: ECP_HOME/tmp
  std::string ssh_program = "ssh";
  std::string ssh_config;           // -F; "" = the user's ~/.ssh/config
  std::string ssh_persist = "60s";  // how long connections outlive the command; "" = not at all
  int parallel = 8;                 // hosts worked on at once
};

// Reads the section into `s`; every problem goes to `out`. The validator of the
// built-in table (ecp validate) is this without the result.
void read_host_settings(const backend::Settings& section, HostSettings& s, Diagnostics& out);
// The section plus the environment; throws Error(validation) listing the problems.
HostSettings host_settings(const backend::TargetSpec& target);

}  // namespace ecp::plugins::host
