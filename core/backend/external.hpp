#pragma once
// External backends: an executable ecp-plugin-<name> on PATH that speaks the JSON
// protocol of docs/plugin-protocol.md over its stdin and stdout, one object per
// line. ecp starts it once per command and ends it with "shutdown".
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "core/backend/backend.hpp"
#include "core/util/process.hpp"

namespace ecp::backend {

inline constexpr int plugin_protocol_version = 1;

class ExternalBackend : public Backend, private KvStore, private Router {
 public:
  // Starts `program` and says hello; throws Error(validation) when it does not
  // speak the protocol.
  ExternalBackend(const std::filesystem::path& program, const TargetSpec& target, const AppSpec& app);
  ~ExternalBackend() override;

  Capabilities capabilities() const override { return caps_; }
  std::vector<std::string> locations() override;
  std::string address(const std::string& location) override;
  void prepare(const ReleaseSpec& release) override;
  std::vector<Failure> start(const std::vector<InstanceSpec>& instances) override;
  std::vector<Probe> health(const std::vector<InstanceSpec>& instances) override;
  std::vector<Failure> stop(const std::vector<InstanceRef>& instances) override;
  void activate(int revision) override;
  void cleanup(const std::vector<int>& keep) override;
  TargetStatus status() override;
  void logs(const LogOptions& options, const LineSink& sink) override;
  KvStore& state() override { return *this; }
  Router* router() override { return caps_.route ? this : nullptr; }

  // One request and its result; throws the plugin's error as an ecp::Error.
  Json call(const std::string& method, Json params, Duration timeout = std::chrono::minutes(2));

 private:
  std::optional<std::string> get(const std::string& key) override;
  std::vector<std::pair<std::string, std::string>> list(const std::string& prefix) override;
  void put(const std::string& key, std::string_view data) override;
  bool put_if(const std::string& key, std::string_view data, const std::optional<std::string>& expected) override;
  bool remove_if(const std::string& key, const std::string& expected) override;
  std::int64_t route(const std::map<std::string, int>& weights, const std::string& preview,
                     const std::vector<InstanceRef>& leaving) override;
  std::map<std::string, SlotTraffic> traffic(std::int64_t since_ms) override;
  std::string url() override;
  std::map<std::string, int> weights() override;

  std::string name_;
  std::unique_ptr<process::Child> child_;
  Capabilities caps_;
  std::vector<std::pair<std::string, std::string>> locations_;  // name, address
  long next_id_ = 1;
  std::mutex mu_;  // one request at a time (the lock is renewed from another thread)
};

}  // namespace ecp::backend
