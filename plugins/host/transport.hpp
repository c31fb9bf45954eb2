#pragma once
// How a command reaches a host: this machine runs the argv directly; an SSH host
// runs it through one ControlMaster connection per host (opened on first use,
// closed with the transport), so every later command costs a few milliseconds.
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/util/process.hpp"
#include "plugins/host/ssh_argv.hpp"

namespace ecp::plugins::host {

struct Input {
  std::string data;                 // stdin bytes
  std::filesystem::path file;       // or stdin from this local file
  std::function<void(std::string_view)> on_line;  // stdout lines as they come (then not captured)
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::string label() const = 0;
  virtual bool local() const = 0;
  // Runs argv on the host. A Result with exit 255 from ssh means the host could
  // not be reached (see unreachable()).
  virtual process::Result run(const std::vector<std::string>& argv, const Input& in, backend::Duration timeout) = 0;
  // Why the host cannot be reached, empty when it can (or was not tried yet).
  virtual std::string unreachable() const { return ""; }
  // Connects ahead of the first command (all hosts at once, in parallel).
  virtual void open() {}
};

class LocalTransport : public Transport {
 public:
  std::string label() const override { return "local"; }
  bool local() const override { return true; }
  process::Result run(const std::vector<std::string>& argv, const Input& in, backend::Duration timeout) override;
};

class SshTransport : public Transport {
 public:
  // control_dir: a short private folder for the ControlMaster socket (and logs);
  // with config.persist, the socket goes to persist_dir (shared by ecp commands).
  SshTransport(SshConfig config, const std::filesystem::path& control_dir, int n,
               const std::filesystem::path& persist_dir = {});
  ~SshTransport() override;
  std::string label() const override { return config_.endpoint.text; }
  bool local() const override { return false; }
  process::Result run(const std::vector<std::string>& argv, const Input& in, backend::Duration timeout) override;
  std::string unreachable() const override;
  void open() override;

 private:
  // Opens the master if it is not up; false (and unreachable_ set) when it cannot.
  bool connect();
  bool connect_persistent();
  std::string log_tail() const;
  SshConfig config_;
  std::filesystem::path log_;
  mutable std::mutex mu_;
  std::unique_ptr<process::Child> master_;  // the master, when it is ours (not persistent)
  bool connected_ = false;                   // a persistent master is up
  bool reused_ = false;                      // ... started by an earlier ecp command
  std::string unreachable_;
};

// A classification of a failed ssh command: exit 255 is ssh's own failure.
bool ssh_failed(const process::Result& r);
bool permission_denied(std::string_view text);

}  // namespace ecp::plugins::host
