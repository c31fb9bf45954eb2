#include "plugins/host/transport.hpp"

#include <fmt/format.h>

#include <csignal>
#include <thread>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"

namespace ecp::plugins::host {

namespace {
process::Options options_for(const Input& in, backend::Duration timeout) {
  process::Options o;
  o.stdin_data = in.data;
  o.stdin_file = in.file;
  o.timeout = timeout;
  if (in.on_line) {
    o.on_line = in.on_line;
    o.capture_lines = false;
  }
  return o;
}
}  // namespace

process::Result LocalTransport::run(const std::vector<std::string>& argv, const Input& in, backend::Duration timeout) {
  return process::run(argv, options_for(in, timeout));
}

SshTransport::SshTransport(SshConfig config, const std::filesystem::path& control_dir, int n,
                           const std::filesystem::path& persist_dir)
    : config_(std::move(config)) {
  // %C: a hash of the local host, host, port and user, so every ecp command to
  // this host finds the same persistent master.
  config_.control_path =
      config_.persist.empty() ? (control_dir / std::to_string(n)).string() : (persist_dir / "%C").string();
  log_ = control_dir / (std::to_string(n) + ".log");
}

SshTransport::~SshTransport() {
  std::lock_guard l(mu_);
  if (!master_) return;
  // SIGTERM ends the master at once (it removes its socket); "-O exit" makes it
  // linger over a second for the server's goodbye.
  master_->kill(SIGTERM);
  master_->wait(std::chrono::seconds(2));
}

std::string SshTransport::log_tail() const {
  std::string why;
  try {
    why = fs::read_file(log_, 1 << 16);
  } catch (...) {
  }
  while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
  if (auto nl = why.rfind('\n'); nl != std::string::npos) why = why.substr(nl + 1);
  return why;
}

bool SshTransport::connect_persistent() {
  if (connected_) return true;
  process::Options o;
  o.cancellable = false;
  o.timeout = std::chrono::seconds(10);
  if (process::run(ssh_check_argv(config_), o).ok()) {
    log::debug("{}: reusing the ControlMaster of an earlier command", label());
    reused_ = true;
    return connected_ = true;
  }
  // -f: ssh returns once it is connected and leaves the master running; its output
  // goes to a file, so no pipe of ours stays open behind it.
  o.stdout_file = log_;
  o.merge_stderr = true;
  o.timeout = std::chrono::seconds(config_.connect_timeout_s + 10);
  auto r = process::run(ssh_master_argv(config_), o);
  if (r.ok()) {
    log::debug("{}: connected (ControlMaster {}, kept {})", label(), config_.control_path, config_.persist);
    return connected_ = true;
  }
  unreachable_ = log_tail();
  if (unreachable_.empty()) unreachable_ = r.timed_out ? "no connection within the timeout" : "ssh exited";
  return false;
}

bool SshTransport::connect() {
  if (!unreachable_.empty()) return false;  // a host that went away stays away for this command
  if (!config_.persist.empty()) return connect_persistent();
  if (master_ && master_->running()) return true;
  std::error_code ec;
  std::filesystem::remove(config_.control_path, ec);
  process::Options o;
  o.cancellable = false;
  master_ = std::make_unique<process::Child>(ssh_master_argv(config_), o, log_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(config_.connect_timeout_s + 5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(config_.control_path, ec)) {
      log::debug("{}: connected (ControlMaster {})", label(), config_.control_path);
      return true;
    }
    if (!master_->running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string why = log_tail();
  if (why.empty()) why = master_->running() ? "no connection within the timeout" : "ssh exited";
  unreachable_ = why;
  master_.reset();
  return false;
}

process::Result SshTransport::run(const std::vector<std::string>& argv, const Input& in, backend::Duration timeout) {
  {
    std::lock_guard l(mu_);
    if (!connect()) {
      process::Result r;
      r.exit_code = 255;
      r.err = unreachable_;
      return r;
    }
  }
  auto r = process::run(ssh_command_argv(config_, argv), options_for(in, timeout));
  if (ssh_failed(r) && reused_) {
    // A kept master can outlive its connection for a while (a host that vanished
    // without closing it): end it and try once more over a fresh one.
    {
      std::lock_guard l(mu_);
      process::Options o;
      o.cancellable = false;
      o.timeout = std::chrono::seconds(5);
      process::run(ssh_exit_argv(config_), o);
      connected_ = reused_ = false;
      if (!connect()) {
        process::Result u;
        u.exit_code = 255;
        u.err = unreachable_;
        return u;
      }
    }
    r = process::run(ssh_command_argv(config_, argv), options_for(in, timeout));
  }
  if (ssh_failed(r)) {
    std::lock_guard l(mu_);
    bool gone = false;
    if (!config_.persist.empty()) {
      process::Options o;
      o.cancellable = false;
      o.timeout = std::chrono::seconds(10);
      gone = !process::run(ssh_check_argv(config_), o).ok();
    } else {
      gone = master_ && !master_->running();
    }
    if (gone && unreachable_.empty()) {
      unreachable_ = "connection lost: " + (r.last_line().empty() ? std::string("ssh exited") : r.last_line());
      master_.reset();
      connected_ = false;
    }
  }
  return r;
}

void SshTransport::open() {
  std::lock_guard l(mu_);
  connect();
}

std::string SshTransport::unreachable() const {
  std::lock_guard l(mu_);
  return unreachable_;
}

bool ssh_failed(const process::Result& r) { return r.exit_code == 255; }

bool permission_denied(std::string_view text) {
  return text.find("Permission denied") != std::string_view::npos ||
         text.find("permission denied") != std::string_view::npos;
}

}  // namespace ecp::plugins::host
