#pragma once
// One OpenSSH ControlMaster connection per host, shared by every command ecp runs
// there (the host plugin's agent verbs, the engine plugin's socket forwards):
// opened on first use, so each later command costs a few milliseconds instead
// of a login. With a persist time ("60s") the master outlives this ecp command
// and the next one reuses it; without one it is a child of ecp and ends with it.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/util/process.hpp"
#include "plugins/ssh/ssh_argv.hpp"

namespace ecp::plugins::ssh {

// What this machine says about ssh: ECP_SSH (the program), ECP_SSH_CONFIG (-F),
// ECP_SSH_PERSIST (how long masters outlive a command; "0" or "no": not at all).
struct SshEnvironment {
  std::string program = "ssh";
  std::string config_file;
  std::string persist = "60s";
};
SshEnvironment ssh_environment();

// /tmp/ecp-ssh-UID: where persistent ControlMaster sockets live, shared by this
// user's ecp commands; empty when it is not a folder of ours that nobody else may
// enter (connections are then not kept between commands).
std::filesystem::path persist_dir();

class SshMaster {
 public:
  // control_dir: a short private folder for the ControlMaster socket (and logs);
  // with config.persist, the socket goes to shared_dir (persist_dir(): shared by ecp commands).
  SshMaster(SshConfig config, const std::filesystem::path& control_dir, int n,
            const std::filesystem::path& shared_dir = {});
  ~SshMaster();
  SshMaster(const SshMaster&) = delete;
  SshMaster& operator=(const SshMaster&) = delete;

  const std::string& label() const { return config_.endpoint.text; }
  const SshConfig& config() const { return config_; }
  // Connects unless connected; false (and unreachable() says why) when it cannot.
  bool open();
  // Runs `remote_argv` on the host through the master. Exit 255 means ssh itself
  // failed: the host could not be reached (see unreachable()).
  process::Result run(const std::vector<std::string>& remote_argv, const process::Options& options);
  // Forwards the local unix socket `local` to the host's `remote` over the master
  // until cancel_forward() or the master ends. Throws Error(io) naming the host.
  void forward(const std::string& local, const std::string& remote);
  void cancel_forward(const std::string& local, const std::string& remote);
  // Why the host cannot be reached, empty when it can (or was not tried yet).
  std::string unreachable() const;

 private:
  // Runs an ssh argv that goes through the master, reconnecting once when a
  // reused master turns out dead.
  process::Result through_master(const std::vector<std::string>& argv, const process::Options& options);
  bool connect();  // with mu_ held
  bool connect_persistent();
  std::string log_tail() const;
  SshConfig config_;
  std::filesystem::path log_;
  mutable std::mutex mu_;
  std::unique_ptr<process::Child> master_;  // the master, when it is ours (not persistent)
  bool connected_ = false;                  // a persistent master is up
  bool reused_ = false;                     // ... started by an earlier ecp command
  std::string unreachable_;
};

// A classification of a failed ssh command: exit 255 is ssh's own failure.
bool ssh_failed(const process::Result& r);

}  // namespace ecp::plugins::ssh
