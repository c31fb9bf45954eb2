#include "plugins/ssh/ssh_argv.hpp"

#include <fmt/format.h>

#include "core/util/error.hpp"

namespace ecp::plugins::ssh {

std::string shell_quote(std::string_view word) {
  if (word.find('\0') != std::string_view::npos)
    fail(ErrorKind::validation, "a remote argument contains a NUL byte, which no shell can receive");
  auto safe = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '@' ||
           c == '%' || c == '+' || c == '=' || c == ':' || c == ',' || c == '.' || c == '/' || c == '-';
  };
  bool plain = !word.empty();
  for (char c : word) plain = plain && safe(c);
  // "=" alone or leading could read as an assignment only in the command position;
  // ecp's remote commands always start with a fixed program name, so words are arguments.
  if (plain) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += "'";
  return out;
}

std::string remote_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& w : argv) {
    if (!out.empty()) out += ' ';
    out += shell_quote(w);
  }
  return out;
}

bool explicit_port(const Endpoint& e) {
  std::string_view t = e.text;
  if (t.starts_with("ssh://")) t.remove_prefix(6);
  if (auto at = t.rfind('@'); at != std::string_view::npos) t.remove_prefix(at + 1);
  if (auto slash = t.find('/'); slash != std::string_view::npos) t = t.substr(0, slash);
  if (t.starts_with("[")) {
    auto close = t.find(']');
    return close != std::string_view::npos && close + 1 < t.size() && t[close + 1] == ':';
  }
  return t.find(':') != std::string_view::npos;
}

std::vector<std::string> ssh_common_options(const SshConfig& c) {
  std::vector<std::string> a;
  if (!c.config_file.empty()) a.insert(a.end(), {"-F", c.config_file});
  a.insert(a.end(),
           {"-o", "BatchMode=yes",  // never prompt: ecp runs unattended
            "-o", fmt::format("ConnectTimeout={}", c.connect_timeout_s), "-o",
            fmt::format("ServerAliveInterval={}", c.alive_interval_s), "-o",
            fmt::format("ServerAliveCountMax={}", c.alive_count), "-o", "LogLevel=ERROR",
            // AES-GCM first: with AES-NI it moves layers several times faster than chacha20
            "-o", "Ciphers=^aes128-gcm@openssh.com,aes256-gcm@openssh.com", "-o", "ControlPath=" + c.control_path});
  if (explicit_port(c.endpoint)) a.insert(a.end(), {"-p", std::to_string(c.endpoint.port)});
  if (!c.endpoint.user.empty()) a.insert(a.end(), {"-l", c.endpoint.user});
  return a;
}

namespace {
std::vector<std::string> with(const SshConfig& c, std::vector<std::string> head, std::vector<std::string> tail) {
  std::vector<std::string> a = {c.program};
  a.insert(a.end(), head.begin(), head.end());
  auto common = ssh_common_options(c);
  a.insert(a.end(), common.begin(), common.end());
  // "--" ends the options: a host can never be read as one.
  a.push_back("--");
  a.push_back(c.endpoint.host);
  a.insert(a.end(), tail.begin(), tail.end());
  return a;
}
}  // namespace

std::vector<std::string> ssh_master_argv(const SshConfig& c) {
  if (!c.persist.empty())
    return with(c, {"-M", "-N", "-f", "-T", "-o", "ControlMaster=yes", "-o", "ControlPersist=" + c.persist}, {});
  return with(c, {"-M", "-N", "-T", "-o", "ControlMaster=yes", "-o", "ControlPersist=no"}, {});
}

std::vector<std::string> ssh_check_argv(const SshConfig& c) { return with(c, {"-O", "check"}, {}); }

std::vector<std::string> ssh_exit_argv(const SshConfig& c) { return with(c, {"-O", "exit"}, {}); }

std::vector<std::string> ssh_command_argv(const SshConfig& c, const std::vector<std::string>& remote_argv) {
  return with(c, {"-T", "-o", "ControlMaster=no"}, {remote_command(remote_argv)});
}

std::vector<std::string> ssh_exec_argv(const SshConfig& c, const std::vector<std::string>& remote_argv, bool tty) {
  return with(c, {tty ? "-t" : "-T", "-o", "ControlMaster=no", "-o", "ControlPath=none"},
              {remote_command(remote_argv)});
}

std::vector<std::string> ssh_forward_argv(const SshConfig& c, const std::string& local, const std::string& remote) {
  return with(c, {"-O", "forward", "-L", local + ":" + remote}, {});
}

std::vector<std::string> ssh_cancel_argv(const SshConfig& c, const std::string& local, const std::string& remote) {
  return with(c, {"-O", "cancel", "-L", local + ":" + remote}, {});
}

std::string forward_path_problem(std::string_view path) {
  if (!path.starts_with("/")) return "must be an absolute path";
  for (char c : path) {
    if (c == ':') return "must not contain ':' (ssh -L splits at it)";
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return "must not contain blanks or control characters";
  }
  // sockaddr_un.sun_path holds 108 bytes with the NUL.
  if (path.size() > 107) return "is longer than a unix socket path may be (107 bytes)";
  return "";
}

}  // namespace ecp::plugins::ssh
