#pragma once
// The gateway of an engine target (blue-green, canary): an nginx container
// ecp-<app>-<env>-gateway that the backend runs on the engine from the image ops
// name (`gateway: {image: REF, port: P}`), on the engine host's network, so it
// listens on P there and reaches each slot's instances at their published ports
// (127.0.0.1:PORT on a local engine). Its configuration is the host gateway's
// (plugins/host/gateway_conf.hpp, the same generator), with the logs going to
// the container's stdout (access log) and stderr (nginx's own messages).
//
//   route    renders nginx.conf, uploads it as nginx.conf.new (PUT archive),
//            `nginx -t` through the exec API (a rejected one changes nothing),
//            then makes it nginx.conf (the old one kept as nginx.conf.prev),
//            `nginx -s reload` through exec, and waits in nginx's log until the
//            old workers shut down: the new routes serve from then on
//   weights  /ecp-gateway/weights inside the container (archive GET), written
//            after each route, so every machine driving the engine sees them
//   traffic  the access log: the container's stdout since the time asked
//
// The gateway keeps its state itself, like the host gateway: nothing of it is
// in ecp's home. The container restarts with the engine (unless-stopped) and
// starts with the configuration last applied.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/backend.hpp"
#include "plugins/engine/docker_api.hpp"
#include "plugins/engine/engine_settings.hpp"

namespace ecp::plugins::engine {

// The folder of the gateway's files inside its container.
inline constexpr std::string_view gateway_dir = "/ecp-gateway";

// The body of POST /containers/create for the gateway container (pure; unit-tested).
Json gateway_create_body(const std::string& image, const backend::AppSpec& app);
// A tar archive of folders (names ending in '/') and files (pure; unit-tested).
std::string tar_files(const std::vector<std::pair<std::string, std::string>>& entries);
// The content of the first regular file of a tar archive; nullopt when there is none.
std::optional<std::string> tar_first_file(std::string_view tar);

// What nginx's log says of the reload signalled by process `pid`, given the
// lines since just before it (each "TIMESTAMP MESSAGE", the engine's timestamps).
struct ReloadOutcome {
  bool done = false;       // the old workers are shutting down: the new routes serve
  bool drained = false;    // and have exited: no request is served under the old routes
  bool failed = false;     // nginx refused it (the old configuration still serves)
  std::string detail;      // nginx's words when it failed
  std::int64_t at_ms = 0;  // when it was done, by the engine's clock (0 = unknown)
};
ReloadOutcome reload_outcome(const std::vector<std::string>& lines, long pid);
// The pid in "... [notice] 12#12: signal process started" (nginx -s's output); 0 when none.
long signaller_pid(std::string_view output);
// Unix ms of an engine log timestamp (timestamps=1), rounded up to the end of its
// second when it has no fraction; 0 when it does not parse.
std::int64_t log_time_ms(std::string_view timestamp);
// "ADDRESS:PORT" as nginx writes an upstream address ("[::1]:8080" for IPv6).
std::string host_port(const std::string& address, int port);

class EngineGateway : public backend::Router {
 public:
  // `instances` lists what runs on the target now (the backend's status()).
  EngineGateway(DockerApi& api, const backend::AppSpec& app, GatewaySettings settings, std::string host_address,
                std::function<backend::TargetStatus()> instances);

  std::int64_t route(const std::map<std::string, int>& weights, const std::string& preview,
                     const std::vector<backend::InstanceRef>& leaving) override;
  std::map<std::string, int> weights() override;
  std::map<std::string, backend::SlotTraffic> traffic(std::int64_t since_ms) override;
  std::string url() override;

 private:
  struct Exec {
    int exit_code = -1;
    std::string output;  // stdout and stderr, as lines
  };
  std::string name() const;  // ecp-<app>-<env>-gateway
  std::string render(const std::map<std::string, int>& weights, const std::string& preview,
                     const std::vector<backend::InstanceRef>& leaving);
  Exec exec(const std::vector<std::string>& cmd);
  void upload(const std::vector<std::pair<std::string, std::string>>& files);
  std::optional<std::string> read(const std::string& file);
  std::int64_t engine_now_ms();
  // nginx's stderr lines since `since_s` (the engine's clock, Unix seconds).
  std::vector<std::string> log_lines(std::int64_t since_s, bool access);
  void ensure_image();
  std::int64_t create(const std::string& conf);
  std::int64_t reload(const std::string& conf);
  std::string where(const std::string& what) const;

  DockerApi& api_;
  backend::AppSpec app_;
  GatewaySettings settings_;
  std::string host_address_;
  std::function<backend::TargetStatus()> instances_;
};

}  // namespace ecp::plugins::engine
