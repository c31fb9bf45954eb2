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

SshTransport::SshTransport(SshConfig config, const std::filesystem::path& control_dir, int n)
    : config_(std::move(config)) {
  config_.control_path = (control_dir / std::to_string(n)).string();
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

bool SshTransport::connect() {
  if (master_ && master_->running()) return true;
  if (!unreachable_.empty()) return false;  // a host that went away stays away for this command
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
  std::string why;
  try {
    why = fs::read_file(log_, 1 << 16);
  } catch (...) {
  }
  while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
  if (auto nl = why.rfind('\n'); nl != std::string::npos) why = why.substr(nl + 1);
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
  if (ssh_failed(r)) {
    std::lock_guard l(mu_);
    if (master_ && !master_->running() && unreachable_.empty()) {
      unreachable_ = "connection lost: " + (r.last_line().empty() ? std::string("ssh exited") : r.last_line());
      master_.reset();
    }
  }
  return r;
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
