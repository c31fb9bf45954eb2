#pragma once
// The host backend: this machine ("local") or SSH hosts (VMs, physical machines).
// Every action on a host is a verb of ecp's agent script (agent.hpp), run through
// the host's transport; hosts are worked on in parallel (at most `parallel` at
// once). Releases are unpacked under ROOT/APP/ENV/releases/REV, instances run under
// the agent's supervisor, and the ledger and lock live in ROOT/APP/ENV/state on the
// first host (ledger records are copied to every host, so any host can tell the
// history when the first one is gone).
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/backend/backend.hpp"
#include "core/image/layer_check.hpp"
#include "core/util/fs.hpp"
#include "plugins/host/agent.hpp"
#include "plugins/host/host_settings.hpp"
#include "plugins/host/transport.hpp"

namespace ecp::plugins::host {

struct Host {
  std::string label;    // "local" or the ssh:// text of the targets file
  std::string address;  // where its instances answer
  std::unique_ptr<Transport> transport;
  std::unique_ptr<Agent> agent;
};

// With a gateway in the targets file, the backend is also a Router: an nginx
// per (app, env) on the gateway host, under ROOT/APP/ENV/gateway (host_router.cpp).
class HostBackend : public backend::Backend, private KvStore, private backend::Router {
 public:
  // `settings`: the target's section and this machine's environment (host_settings()).
  HostBackend(const backend::TargetSpec& target, const backend::AppSpec& app, HostSettings settings);
  ~HostBackend() override;

  backend::Capabilities capabilities() const override;
  std::vector<std::string> locations() override;
  std::string address(const std::string& location) override;
  void prepare(const backend::ReleaseSpec& release) override;
  std::vector<backend::Failure> start(const std::vector<backend::InstanceSpec>& instances) override;
  std::vector<backend::Probe> health(const std::vector<backend::InstanceSpec>& instances) override;
  std::vector<backend::Failure> stop(const std::vector<backend::InstanceRef>& instances) override;
  std::vector<backend::Failure> stop_after(const std::vector<backend::InstanceRef>& instances,
                                           backend::Duration delay) override;
  std::vector<backend::Failure> keep_running(const std::vector<backend::InstanceRef>& instances) override;
  void activate(int revision) override;
  void cleanup(const std::vector<int>& keep) override;
  void purge() override;
  // SSH hosts: whom the first host's sshd authenticated (ssh_identity.hpp).
  backend::Identity identity() override;
  std::vector<std::string> exec_argv(const backend::InstanceRef& instance, const std::vector<std::string>& command,
                                     bool tty) override;
  backend::TargetStatus status() override;
  backend::Metrics metrics(backend::Duration interval, bool every_app) override;
  // host_degrade.cpp: ecp degrade and ecp restore.
  std::vector<backend::HostedEnv> hosted() override;
  std::vector<std::string> degrade(const std::string& note) override;
  void undegrade() override;
  void logs(const backend::LogOptions& options, const backend::LineSink& sink) override;
  KvStore& state() override { return *this; }
  backend::Router* router() override { return gateway_ ? static_cast<backend::Router*>(this) : nullptr; }

  const std::string& root() const { return root_; }

 private:
  // KvStore
  std::optional<std::string> get(const std::string& key) override;
  std::vector<std::pair<std::string, std::string>> list(const std::string& prefix) override;
  void put(const std::string& key, std::string_view data) override;
  bool put_if(const std::string& key, std::string_view data, const std::optional<std::string>& expected) override;
  bool remove_if(const std::string& key, const std::string& expected) override;
  // ROOT/APP/ENV/state/KEY on the host the last read came from.
  std::string describe(const std::string& key) override;

  // Router
  std::int64_t route(const std::map<std::string, int>& weights, const std::string& preview,
                     const std::vector<backend::InstanceRef>& leaving) override;
  std::map<std::string, int> weights() override;
  std::map<std::string, backend::SlotTraffic> traffic(std::int64_t since_ms) override;
  std::string url() override;
  std::vector<std::string> out_of_rotation() override;
  void open_gateway();
  // One agent verb per instance, grouped by host, hosts in parallel. A verb that
  // exits with `stopped_code` is a Failure with `stopped` set (keep: "gone").
  std::vector<backend::Failure> per_instance(const std::vector<backend::InstanceRef>& instances,
                                             const std::string& step,
                                             const std::function<AgentCommand(const backend::InstanceRef&)>& command,
                                             int stopped_code = -2);

  Host& host(const std::string& label);
  void ensure_boot_hook(Host& h);
  std::optional<backend::Identity> identity_;  // asked once per command
  // Health checks (host_health.cpp): through each host's agent where the check is
  // HTTP and the host is remote, the indexes of the others go to `here`; from
  // this machine for the instances at `which`.
  void probe_on_hosts(const std::vector<backend::InstanceSpec>& instances, std::vector<backend::Probe>& probes,
                      std::vector<std::size_t>& here);
  void probe_here(const std::vector<backend::InstanceSpec>& instances, std::vector<backend::Probe>& probes,
                  const std::vector<std::size_t>& which);
  // Runs fn for each of `hosts` in parallel; returns each one's error (or null).
  std::vector<std::exception_ptr> each(const std::vector<Host*>& hosts, const std::function<void(Host&)>& fn);
  std::vector<Host*> all();
  // Checks `file` (the layer's blob or plain tar) once per layer digest.
  // check_layers (host) of the layers a revision unpacks, once per sequence (`key`).
  void ensure_checked(const std::vector<image::LayerFile>& layers, const std::string& key);
  // A state read from the first host that answers.
  process::Result state_read(const AgentCommand& command);
  // Where this (app, env) lives on every host: the agent verbs' first three words.
  AgentPlace place() const { return {root_, app_.app, app_.env}; }

  backend::TargetSpec target_;
  HostSettings settings_;
  backend::AppSpec app_;
  std::string root_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::unique_ptr<fs::TempDir> control_dir_;
  std::filesystem::path checked_dir_;
  std::filesystem::path tmp_dir_;  // for layers decompressed on their way to SSH hosts
  std::mutex checked_mu_;
  std::set<std::string> checked_;
  std::mutex read_from_mu_;
  std::string read_from_;  // the label of the host the last state read came from
  int parallel_ = 8;
  std::unique_ptr<Host> ssh_host(const Endpoint& e);
  std::string persist_;
  std::filesystem::path shared_dir_;
  int ssh_count_ = 0;
  Host* gateway_ = nullptr;            // one of hosts_, or own_gateway_
  std::unique_ptr<Host> own_gateway_;  // a gateway that runs no instances
};

// Adds "host" to `table` (plugins/builtin.cpp does, once, at startup).
void register_host_backend(backend::Table& table);

// Parses the agent's status output (pure; unit-tested).
backend::TargetStatus parse_status(const std::string& location, const std::string& address, const std::string& out);
// Parses the agent's top output (pure; unit-tested).
backend::Metrics parse_top(const std::string& location, const std::string& address, const std::string& out);
// Parses state-list output: "KEY SIZE\n" + SIZE bytes, repeated.
std::vector<std::pair<std::string, std::string>> parse_state_list(const std::string& out);

}  // namespace ecp::plugins::host
