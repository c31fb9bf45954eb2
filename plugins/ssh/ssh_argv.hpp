#pragma once
// How ecp talks to a host over OpenSSH, as pure functions (Kamal's argv builders):
// each returns the argv vector ecp spawns, and the unit tests compare them.
//
// ssh joins the words after the destination with spaces and hands the result to
// the remote user's login shell, so a remote argv must be quoted for that shell.
// shell_quote() is strict: a word of only [A-Za-z0-9_@%+=:,./-] stays as it is,
// anything else is wrapped in single quotes with each ' written as '\'' - the
// one quoting a POSIX shell (sh, dash, bash, ksh, zsh) never interprets. A NUL
// byte cannot be passed at all and is refused.
#include <string>
#include <string_view>
#include <vector>

#include "plugins/ssh/endpoint.hpp"

namespace ecp::plugins::ssh {

std::string shell_quote(std::string_view word);
// The command string ssh sends for `argv` (each word quoted, joined by spaces).
std::string remote_command(const std::vector<std::string>& argv);

struct SshConfig {
  std::string program = "ssh";  // $ECP_SSH
  std::string config_file;      // -F (else the user's ~/.ssh/config)
  std::string control_path;     // the ControlMaster socket
  std::string persist;          // ControlPersist: how long a master outlives ecp ("60s"); empty: it does not
  Endpoint endpoint;
  int connect_timeout_s = 10;
  int alive_interval_s = 5;  // ServerAlive: a dead host is noticed in interval x count seconds
  int alive_count = 3;
};

// True when the endpoint's text names a port (else ssh's config decides).
bool explicit_port(const Endpoint& e);

// The options every invocation shares, without the destination.
std::vector<std::string> ssh_common_options(const SshConfig& c);
// The master: one authenticated connection that later commands share (-N: no
// command). With `persist` it goes to the background once connected (-f) and
// serves later ecp commands too, until it has been idle that long.
std::vector<std::string> ssh_master_argv(const SshConfig& c);
// Asks the master whether it is up (exit 0) / tells it to exit.
std::vector<std::string> ssh_check_argv(const SshConfig& c);
std::vector<std::string> ssh_exit_argv(const SshConfig& c);
// Runs `remote_argv` on the host through the master.
std::vector<std::string> ssh_command_argv(const SshConfig& c, const std::vector<std::string>& remote_argv);
// `ecp exec`: a connection of its own (ecp replaces itself with it, so no master
// of ecp's may be needed), with a terminal when `tty`.
std::vector<std::string> ssh_exec_argv(const SshConfig& c, const std::vector<std::string>& remote_argv, bool tty);
// Asks the master to forward the local unix socket `local` to the host's unix
// socket `remote` (-L local:remote), and to stop doing so. ssh splits the -L
// text at ':', so neither path may contain one (forward_path_problem()).
std::vector<std::string> ssh_forward_argv(const SshConfig& c, const std::string& local, const std::string& remote);
std::vector<std::string> ssh_cancel_argv(const SshConfig& c, const std::string& local, const std::string& remote);
// Why `path` cannot be one end of a socket forward ("" when it can): it must be
// absolute, without ':' or blanks or control characters.
std::string forward_path_problem(std::string_view path);

}  // namespace ecp::plugins::ssh
