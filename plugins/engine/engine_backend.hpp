#pragma once
// The engine backend: containers on Docker Engine APIs (dockerd, or podman's
// Docker-compatible service). Each engine is one location: the target's one
// socket, or each of its ssh:// hosts, whose engine socket ecp forwards to a local
// socket over the host's ControlMaster (engine_remote.cpp). Every primitive acts
// on each location, the locations in parallel.
//
//   prepare   the image is on the engine (checked by config digest), else the
//             engine pulls it by digest from the target's registry, or (no
//             registry) ecp streams a docker-archive from its store to
//             /images/load; each revision tags it ecp-<app>-<env>:r<N>, which
//             cleanup() removes
//   start     replaces the container ecp-<app>-<env>-<slot>-<index>: create,
//             upload autoconfig.properties (PUT archive), start
//   health    ecp's own HTTP probe through the mapped host port
//   state     the ledger and the lock, at the engine (engine_state.cpp); with
//             several engines, at the first one listed
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/backend/backend.hpp"
#include "core/util/fs.hpp"
#include "plugins/engine/docker_api.hpp"
#include "plugins/engine/engine_gateway.hpp"
#include "plugins/engine/engine_settings.hpp"
#include "plugins/ssh/ssh_master.hpp"

namespace ecp::registry {
struct Credentials;
}

namespace ecp::plugins::engine {

// What the container of one instance is made of (pure input of create_body).
struct ContainerPlan {
  std::string name;   // ecp-<app>-<env>-<slot>-<index>
  std::string image;  // the image ID (config digest)
  std::map<std::string, std::string> labels;
  int host_port = 0;             // on the engine's host
  int container_port = 0;        // the app's main port inside
  std::vector<int> extra_ports;  // e.g. a management port: published at host_port + delta
  std::vector<std::string> env;  // "KEY=value"
  std::int64_t nano_cpus = 0;
  std::int64_t memory = 0;
  backend::HealthSpec health;  // becomes the container's Healthcheck (see health_test)
};

// The body of POST /containers/create for `plan` (pure; unit-tested).
Json create_body(const ContainerPlan& plan);
// The Healthcheck's Test: /bin/sh runs a fixed script, health_script(), that ecp
// writes into each container at health_script_path (relative to /), with the URL
// (or port) as arguments, never as shell text (see engine_wire.cpp).
Json health_test(const backend::HealthSpec& health, int container_port);
inline constexpr std::string_view health_script_path = "app/bin/ecp-health.sh";
std::string_view health_script();
// The X-Registry-Auth header's value: base64url of {username, password,
// serveraddress} (pure; unit-tested).
std::string registry_auth(const registry::Credentials& credentials, const std::string& server);
std::string container_name(const backend::AppSpec& app, const backend::InstanceRef& ref);
// An instance's state from a container's State (inspect).
backend::InstanceState container_state(const Json& state);
// "filters=<url-encoded JSON>" of the list endpoints.
std::string filters_query(const std::map<std::string, std::vector<std::string>>& filters);
// One ustar member (header + padded data), and a whole archive of files that
// uid:gid own (pure; unit-tested).
std::string tar_entry(const std::string& name, std::string_view data, int mode, int uid, int gid);
struct TarFile {
  std::string name;
  std::string_view data;
  int mode = 0644;
};
std::string tar_files(const std::vector<TarFile>& files, int uid, int gid);
// Splits the engine's multiplexed log stream (8-byte headers) into lines; keeps
// an incomplete frame or line in `pending` for the next chunk.
void demux_logs(std::string& pending, std::string& line_buf, std::string_view chunk,
                const std::function<void(std::string_view)>& on_line);

// One engine of the target: one location.
struct Engine {
  std::string location;  // the socket's text, or the ssh:// text of the targets file
  std::string address;   // where its instances answer (health probes, status)
  std::unique_ptr<DockerApi> api;
  std::string unreachable;  // why the engine cannot be used; "" = it can
  // Over SSH: the host's ControlMaster, and the local end of the socket forward.
  std::unique_ptr<ssh::SshMaster> ssh;
  std::string forward_local, forward_remote;
  Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine();  // ends the forward and removes its socket
};

// The key of a container's keep-window entry (engine_retire.cpp): its engine and name.
std::string retire_key_of(const std::string& location, const std::string& name);

// The engine of `socket:` (or DOCKER_HOST, or a well-known socket).
std::unique_ptr<Engine> socket_engine(const EngineSettings& settings);
// A private folder for the forwarded sockets and ControlMasters: ECP_HOME/run/
// engine-PID-XXXXXX (0700; folders of ecp processes that are gone are removed),
// or one under /tmp when that path is too long for a unix socket.
std::unique_ptr<fs::TempDir> forward_dir(const std::string& run_dir);
// The engines of `hosts:`, connected (and their sockets forwarded) in parallel; an
// engine that cannot be reached says why in `unreachable`.
std::vector<std::unique_ptr<Engine>> ssh_engines(const EngineSettings& settings, const std::filesystem::path& dir);

class EngineBackend : public backend::Backend, private KvStore {
 public:
  EngineBackend(const backend::TargetSpec& target, const backend::AppSpec& app, EngineSettings settings);

  // engine_backend.cpp: where the containers run, their ledger, what is left.
  backend::Capabilities capabilities() const override;
  std::vector<std::string> locations() override;
  std::string address(const std::string& location) override;
  void activate(int revision) override;
  void cleanup(const std::vector<int>& keep) override;
  backend::TargetStatus status() override;
  // engine_metrics.cpp: the engines' stats API, sampled twice.
  backend::Metrics metrics(backend::Duration interval, bool every_app) override;
  // engine_prepare.cpp: the image on every engine, by digest.
  void prepare(const backend::ReleaseSpec& release) override;
  // engine_containers.cpp: one container per instance.
  std::vector<backend::Failure> start(const std::vector<backend::InstanceSpec>& instances) override;
  std::vector<backend::Probe> health(const std::vector<backend::InstanceSpec>& instances) override;
  std::vector<backend::Failure> stop(const std::vector<backend::InstanceRef>& instances) override;
  // engine_retire.cpp: the keep window, recorded at the engine.
  std::vector<backend::Failure> stop_after(const std::vector<backend::InstanceRef>& instances,
                                           backend::Duration delay) override;
  std::vector<backend::Failure> keep_running(const std::vector<backend::InstanceRef>& instances) override;
  // engine_logs.cpp
  void logs(const backend::LogOptions& options, const backend::LineSink& sink) override;
  // engine_exec.cpp: docker (or podman) exec, here or on the engine's host.
  std::vector<std::string> exec_argv(const backend::InstanceRef& instance, const std::vector<std::string>& command,
                                     bool tty) override;
  // engine_identity.cpp: whom the ledger's engine vouches for (SSH user, TLS CN).
  backend::Identity identity() override;
  KvStore& state() override { return *this; }
  backend::Router* router() override { return gateway_.get(); }

 private:
  // KvStore (engine_state.cpp)
  std::optional<std::string> get(const std::string& key) override;
  std::vector<std::pair<std::string, std::string>> list(const std::string& prefix) override;
  void put(const std::string& key, std::string_view data) override;
  bool put_if(const std::string& key, std::string_view data, const std::optional<std::string>& expected) override;
  bool remove_if(const std::string& key, const std::string& expected) override;
  // The key at the ledger's engine, and the containers that hold its versions.
  std::string describe(const std::string& key) override;

  struct Version {
    long number = 0;
    std::string id;
    bool present = false;
    std::string value;
  };
  // Every version of every key (or of one key), newest last per key.
  std::map<std::string, std::vector<Version>> read_state(const std::string* key);
  // The compare-and-swap all writes go through; nullopt data = remove.
  // `decide` sees the current bytes: refuse the write, make it, or report it done already.
  enum class Decision { refuse, write, done };
  bool write_state(const std::string& key, const std::optional<std::string>& data,
                   const std::function<Decision(const std::optional<std::string>&)>& decide);
  std::string ensure_state_image();  // its ID

  Engine& engine(const std::string& location);
  // The API of the engine at `location`; throws EngineError (status 0: unreachable)
  // when that engine cannot be reached.
  DockerApi& api(const std::string& location);
  // The engine that holds the ledger and the lock: the first one listed.
  const std::string& ledger_location() const { return engines_.front()->location; }
  DockerApi& state_api() { return api(ledger_location()); }
  // Runs fn for each engine in parallel; rethrows the first error.
  void each_engine(const std::function<void(Engine&)>& fn);
  // ECP_ENGINE_WAIT onto every engine's API (a restarting engine is waited for).
  void set_restart_waits();

  std::string tag() const;                                          // ecp-<app>-<env>
  std::string image_id(const std::string& location, int revision);  // from the revision's tag, "" when gone
  void prepare_at(const std::string& location, const backend::ReleaseSpec& release);
  void cleanup_at(const std::string& location, const std::vector<int>& keep);
  void status_at(const Engine& at, const std::map<std::string, std::int64_t>& stops, backend::TargetStatus& total);
  backend::Metrics metrics_at(Engine& at, backend::Duration interval, bool every_app);
  void start_one(const backend::InstanceSpec& spec);
  backend::Probe probe(const backend::InstanceSpec& spec);
  // The image ID once the engine at `location` has the release's image from the registry.
  std::string pull(const std::string& location, const backend::ReleaseSpec& release, const std::string& config_id);
  void remove_container(const std::string& location, const std::string& name, bool graceful);
  std::string step(const std::string& location, const std::string& what) const;  // "engine X: what"
  // Stops the containers whose keep window ended; returns retire_key_of(location,
  // container name) -> when each pending one stops (Unix ms), for status().
  std::map<std::string, std::int64_t> retire_due();

  backend::TargetSpec target_;
  backend::AppSpec app_;
  EngineSettings settings_;
  std::unique_ptr<fs::TempDir> forward_dir_;      // outlives the engines' forwards
  std::vector<std::unique_ptr<Engine>> engines_;  // the first holds the ledger
  std::string state_image_;
  std::mutex mu_;                        // prepared_, configs_ and the results of parallel work
  std::map<int, std::string> prepared_;  // revision -> image ID, of this process
  struct RevisionConfig {
    std::string text;  // rendered autoconfig.properties
    std::string digest;
  };
  std::map<int, RevisionConfig> configs_;
  std::unique_ptr<EngineGateway> gateway_;  // with a `gateway:` setting
  std::optional<backend::Identity> identity_;  // asked once per command
};

// Registers "engine" (its factory and its settings' validator) in `table`.
void register_engine_backend(backend::Table& table);

}  // namespace ecp::plugins::engine
