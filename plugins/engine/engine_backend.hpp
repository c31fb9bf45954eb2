#pragma once
// The engine backend: containers on one Docker Engine API (dockerd, or podman's
// Docker-compatible service), which is the target's one location.
//
//   prepare   the image is on the engine (checked by config digest), else ecp
//             streams a docker-archive from its store to /images/load; each
//             revision tags it ecp-<app>-<env>:r<N>, which cleanup() removes
//   start     replaces the container ecp-<app>-<env>-<slot>-<index>: create,
//             upload autoconfig.properties (PUT archive), start
//   health    ecp's own HTTP probe through the mapped host port
//   state     the ledger and the lock, at the engine (engine_state.cpp)
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/backend/backend.hpp"
#include "plugins/engine/docker_api.hpp"
#include "plugins/engine/engine_gateway.hpp"
#include "plugins/engine/engine_settings.hpp"

namespace ecp::plugins::engine {

// What the container of one instance is made of (pure input of create_body).
struct ContainerPlan {
  std::string name;            // ecp-<app>-<env>-<slot>-<index>
  std::string image;           // the image ID (config digest)
  std::map<std::string, std::string> labels;
  int host_port = 0;           // on the engine's host
  int container_port = 0;      // the app's main port inside
  std::vector<int> extra_ports;  // e.g. a management port: published at host_port + delta
  std::vector<std::string> env;  // "KEY=value"
  std::int64_t nano_cpus = 0;
  std::int64_t memory = 0;
};

// The body of POST /containers/create for `plan` (pure; unit-tested).
Json create_body(const ContainerPlan& plan);
std::string container_name(const backend::AppSpec& app, const backend::InstanceRef& ref);
// "filters=<url-encoded JSON>" of the list endpoints.
std::string filters_query(const std::map<std::string, std::vector<std::string>>& filters);
// One ustar member (header + padded data), and a whole archive of one file (pure; unit-tested).
std::string tar_entry(const std::string& name, std::string_view data, int mode, int uid, int gid);
std::string tar_one_file(const std::string& name, std::string_view data, int mode, int uid, int gid);
// Splits the engine's multiplexed log stream (8-byte headers) into lines; keeps
// an incomplete frame or line in `pending` for the next chunk.
void demux_logs(std::string& pending, std::string& line_buf, std::string_view chunk,
                const std::function<void(std::string_view)>& on_line);

class EngineBackend : public backend::Backend, private KvStore {
 public:
  EngineBackend(const backend::TargetSpec& target, const backend::AppSpec& app, EngineSettings settings);

  backend::Capabilities capabilities() const override;
  std::vector<std::string> locations() override { return {location_}; }
  std::string address(const std::string& location) override;
  void prepare(const backend::ReleaseSpec& release) override;
  std::vector<backend::Failure> start(const std::vector<backend::InstanceSpec>& instances) override;
  std::vector<backend::Probe> health(const std::vector<backend::InstanceSpec>& instances) override;
  std::vector<backend::Failure> stop(const std::vector<backend::InstanceRef>& instances) override;
  // The keep window, recorded at the engine (engine_retire.cpp).
  std::vector<backend::Failure> stop_after(const std::vector<backend::InstanceRef>& instances,
                                           backend::Duration delay) override;
  std::vector<backend::Failure> keep_running(const std::vector<backend::InstanceRef>& instances) override;
  void activate(int revision) override;
  void cleanup(const std::vector<int>& keep) override;
  backend::TargetStatus status() override;
  void logs(const backend::LogOptions& options, const backend::LineSink& sink) override;
  KvStore& state() override { return *this; }
  backend::Router* router() override { return gateway_.get(); }

 private:
  // KvStore (engine_state.cpp)
  std::optional<std::string> get(const std::string& key) override;
  std::vector<std::pair<std::string, std::string>> list(const std::string& prefix) override;
  void put(const std::string& key, std::string_view data) override;
  bool put_if(const std::string& key, std::string_view data, const std::optional<std::string>& expected) override;
  bool remove_if(const std::string& key, const std::string& expected) override;

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

  std::string tag() const;  // ecp-<app>-<env>
  std::string image_id(int revision);  // from the revision's tag, "" when gone
  void start_one(const backend::InstanceSpec& spec);
  void remove_container(const std::string& name, bool graceful);
  std::string step(const std::string& what) const;  // "engine X: what"
  // Stops the containers whose keep window ended; returns container name ->
  // when each pending one stops (Unix ms), for status().
  std::map<std::string, std::int64_t> retire_due();

  backend::TargetSpec target_;
  backend::AppSpec app_;
  EngineSettings settings_;
  std::unique_ptr<DockerApi> api_;
  std::string location_;
  std::string host_address_;
  std::string state_image_;
  std::map<int, std::string> prepared_;  // revision -> image ID, of this process
  struct RevisionConfig {
    std::string text;  // rendered autoconfig.properties
    std::string digest;
  };
  std::map<int, RevisionConfig> configs_;
  std::unique_ptr<EngineGateway> gateway_;  // with a `gateway:` setting
};

// Registers "engine" (its factory and its settings' validator) in `table`.
void register_engine_backend(backend::Table& table);

}  // namespace ecp::plugins::engine
