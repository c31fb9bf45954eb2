#include "plugins/ssh/ssh_master.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <functional>
#include <thread>

#include "core/util/error.hpp"
#include "core/util/fs.hpp"
#include "core/util/log.hpp"

namespace ecp::plugins::ssh {
namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

process::Options control_options(std::chrono::seconds timeout) {
  process::Options o;
  o.cancellable = false;
  o.timeout = timeout;
  return o;
}

}  // namespace

SshEnvironment ssh_environment() {
  SshEnvironment e;
  e.program = env_or("ECP_SSH", "ssh");
  e.config_file = env_or("ECP_SSH_CONFIG", "");
  e.persist = env_or("ECP_SSH_PERSIST", "60s");
  if (e.persist == "0" || e.persist == "no") e.persist.clear();
  return e;
}

std::filesystem::path persist_dir() {
  auto dir = std::filesystem::path("/tmp") / ("ecp-ssh-" + std::to_string(::getuid()));
  ::mkdir(dir.c_str(), 0700);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 077) != 0)
    return {};
  return dir;
}

SshMaster::SshMaster(SshConfig config, const std::filesystem::path& control_dir, int n,
                     const std::filesystem::path& shared_dir)
    : config_(std::move(config)) {
  // %C: a hash of the local host, host, port and user, so every ecp command to
  // this host finds the same persistent master - one per ssh configuration, as
  // another one may log in with another key (another identity at the host).
  std::string per_config = config_.config_file.empty()
                               ? ""
                               : fmt::format("{:08x}-", std::hash<std::string>{}(config_.config_file) & 0xffffffffu);
  config_.control_path = config_.persist.empty() ? (control_dir / std::to_string(n)).string()
                                                 : (shared_dir / (per_config + "%C")).string();
  log_ = control_dir / (std::to_string(n) + ".log");
}

SshMaster::~SshMaster() {
  std::lock_guard l(mu_);
  if (!master_) return;
  // SIGTERM ends the master at once (it removes its socket); "-O exit" makes it
  // linger over a second for the server's goodbye.
  master_->kill(SIGTERM);
  master_->wait(std::chrono::seconds(2));
}

std::string SshMaster::log_tail() const {
  std::string why;
  try {
    why = fs::read_file(log_, 1 << 16);
  } catch (...) {
  }
  while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
  if (auto nl = why.rfind('\n'); nl != std::string::npos) why = why.substr(nl + 1);
  return why;
}

bool SshMaster::connect_persistent() {
  if (connected_) return true;
  if (process::run(ssh_check_argv(config_), control_options(std::chrono::seconds(10))).ok()) {
    log::debug("{}: reusing the ControlMaster of an earlier command", label());
    reused_ = true;
    return connected_ = true;
  }
  // -f: ssh returns once it is connected and leaves the master running; its output
  // goes to a file, so no pipe of ours stays open behind it.
  auto o = control_options(std::chrono::seconds(config_.connect_timeout_s + 10));
  o.stdout_file = log_;
  o.merge_stderr = true;
  auto r = process::run(ssh_master_argv(config_), o);
  if (r.ok()) {
    log::debug("{}: connected (ControlMaster {}, kept {})", label(), config_.control_path, config_.persist);
    return connected_ = true;
  }
  unreachable_ = log_tail();
  if (unreachable_.empty()) unreachable_ = r.timed_out ? "no connection within the timeout" : "ssh exited";
  return false;
}

bool SshMaster::connect() {
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

bool SshMaster::open() {
  std::lock_guard l(mu_);
  return connect();
}

process::Result SshMaster::through_master(const std::vector<std::string>& argv, const process::Options& options) {
  auto unreachable_result = [this] {
    process::Result r;
    r.exit_code = 255;
    r.err = unreachable_;
    return r;
  };
  {
    std::lock_guard l(mu_);
    if (!connect()) return unreachable_result();
  }
  auto r = process::run(argv, options);
  if (ssh_failed(r) && reused_) {
    // A kept master can outlive its connection for a while (a host that vanished
    // without closing it): end it and try once more over a fresh one.
    {
      std::lock_guard l(mu_);
      process::run(ssh_exit_argv(config_), control_options(std::chrono::seconds(5)));
      connected_ = reused_ = false;
      if (!connect()) return unreachable_result();
    }
    r = process::run(argv, options);
  }
  if (ssh_failed(r)) {
    std::lock_guard l(mu_);
    bool gone = false;
    if (!config_.persist.empty())
      gone = !process::run(ssh_check_argv(config_), control_options(std::chrono::seconds(10))).ok();
    else
      gone = master_ && !master_->running();
    if (gone && unreachable_.empty()) {
      unreachable_ = "connection lost: " + (r.last_line().empty() ? std::string("ssh exited") : r.last_line());
      master_.reset();
      connected_ = false;
    }
  }
  return r;
}

process::Result SshMaster::run(const std::vector<std::string>& remote_argv, const process::Options& options) {
  return through_master(ssh_command_argv(config_, remote_argv), options);
}

void SshMaster::forward(const std::string& local, const std::string& remote) {
  auto r = through_master(ssh_forward_argv(config_, local, remote), control_options(std::chrono::seconds(30)));
  if (r.ok()) return;
  auto why = unreachable();
  if (why.empty()) why = r.last_line().empty() ? fmt::format("ssh exited {}", r.exit_code) : r.last_line();
  fail(ErrorKind::io, "{}: cannot forward {} to {}: {}", label(), local, remote, why);
}

void SshMaster::cancel_forward(const std::string& local, const std::string& remote) {
  {
    std::lock_guard l(mu_);
    // Nothing to cancel on a master that is gone (its forwards went with it).
    if (!unreachable_.empty() || (config_.persist.empty() && !(master_ && master_->running()))) return;
  }
  process::run(ssh_cancel_argv(config_, local, remote), control_options(std::chrono::seconds(10)));
}

std::string SshMaster::unreachable() const {
  std::lock_guard l(mu_);
  return unreachable_;
}

bool ssh_failed(const process::Result& r) { return r.exit_code == 255; }

}  // namespace ecp::plugins::ssh
