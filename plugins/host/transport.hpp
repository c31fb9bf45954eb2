#pragma once
// How a command reaches a host: this machine runs the argv directly; an SSH host
// runs it through one ControlMaster connection per host (plugins/ssh: opened on
// first use, closed with the transport), so every later command costs a few
// milliseconds.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/backend/types.hpp"
#include "core/util/process.hpp"
#include "plugins/ssh/ssh_master.hpp"

namespace ecp::plugins::host {

using ssh::SshConfig;

struct Input {
  std::string data;                               // stdin bytes
  std::filesystem::path file;                     // or stdin from this local file
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
  // The argv that runs `argv` on the host with ecp's own terminal (ecp exec).
  virtual std::vector<std::string> exec_argv(const std::vector<std::string>& argv, bool tty) const = 0;
};

class LocalTransport : public Transport {
 public:
  std::string label() const override { return "local"; }
  bool local() const override { return true; }
  process::Result run(const std::vector<std::string>& argv, const Input& in, backend::Duration timeout) override;
  std::vector<std::string> exec_argv(const std::vector<std::string>& argv, bool) const override { return argv; }
};

// An SSH host: its commands go through the host's ControlMaster (plugins/ssh).
class SshTransport : public Transport {
 public:
  SshTransport(SshConfig config, const std::filesystem::path& control_dir, int n,
               const std::filesystem::path& shared_dir = {})
      : master_(std::move(config), control_dir, n, shared_dir) {}
  std::string label() const override { return master_.label(); }
  bool local() const override { return false; }
  process::Result run(const std::vector<std::string>& argv, const Input& in, backend::Duration timeout) override;
  std::string unreachable() const override { return master_.unreachable(); }
  std::vector<std::string> exec_argv(const std::vector<std::string>& argv, bool tty) const override {
    return ssh::ssh_exec_argv(master_.config(), argv, tty);
  }
  void open() override { master_.open(); }

 private:
  ssh::SshMaster master_;
};

using ssh::ssh_failed;
bool permission_denied(std::string_view text);

}  // namespace ecp::plugins::host
