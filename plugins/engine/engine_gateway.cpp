// EngineGateway: the gateway container's life (create, reload) and what it tells.
#include "plugins/engine/engine_gateway.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "plugins/engine/engine_backend.hpp"
#include "plugins/host/gateway_conf.hpp"

namespace ecp::plugins::engine {
namespace {

std::string dir_file(std::string_view f) { return fmt::format("{}/{}", gateway_dir, f); }

void nap() { std::this_thread::sleep_for(std::chrono::milliseconds(100)); }

}  // namespace

EngineGateway::EngineGateway(DockerApi& api, const backend::AppSpec& app, GatewaySettings settings,
                             std::string host_address, std::function<backend::TargetStatus()> instances)
    : api_(api),
      app_(app),
      settings_(std::move(settings)),
      host_address_(std::move(host_address)),
      instances_(std::move(instances)) {}

std::string EngineGateway::name() const { return fmt::format("ecp-{}-{}-gateway", app_.app, app_.env); }

std::string EngineGateway::where(const std::string& what) const {
  return fmt::format("gateway {} on engine {}: {}", name(), api_.address().text, what);
}

std::string EngineGateway::url() { return fmt::format("http://{}/", host_port(host_address_, settings_.port)); }

std::string EngineGateway::render(const std::map<std::string, int>& weights, const std::string& preview,
                                  const std::vector<backend::InstanceRef>& leaving) {
  auto st = instances_();
  for (const auto& u : st.unreachable) log::warn("routing without it: {}", u);
  host::GatewaySpec spec;
  spec.app = app_.app;
  spec.env = app_.env;
  spec.dir = std::string(gateway_dir);
  spec.access_log = "/dev/stdout";
  spec.error_log = "/dev/stderr";
  spec.listen_port = settings_.port;
  spec.weights = weights;
  spec.directives = settings_.nginx;
  spec.header = app_.preview_header;
  spec.preview = app_.preview_header.empty() ? "" : preview;
  host::apply_circuit(spec, app_);
  // A refused or stalled connect (an instance stopping, its port still mapped)
  // moves the request to the next server within a second: no request is lost.
  spec.connect_timeout_s = 1;
  spec.servers = host::routed_servers(st, weights, spec.preview, leaving,
                                      [](const backend::InstanceStatus& i) { return i.address; });
  return host::render_gateway_conf(spec);
}

EngineGateway::Exec EngineGateway::exec(const std::vector<std::string>& cmd) {
  Request create{"POST", fmt::format("/containers/{}/exec", name())};
  create.body = Json{{"Cmd", cmd}, {"AttachStdout", true}, {"AttachStderr", true}}.dump();
  create.content_type = "application/json";
  auto id = Json::parse(api_.call(std::move(create)).body).value("Id", "");
  Exec out;
  std::string pending, line;
  Request start{"POST", fmt::format("/exec/{}/start", id)};
  start.body = Json{{"Detach", false}, {"Tty", false}}.dump();
  start.content_type = "application/json";
  start.sink = [&](std::string_view chunk) {
    demux_logs(pending, line, chunk, [&](std::string_view l) { out.output.append(l).append("\n"); });
  };
  api_.call(std::move(start));
  out.output += line;
  // The stream ends with the process; the engine may say so a moment later.
  for (int n = 0; n < 100; ++n) {
    auto j = api_.json("GET", fmt::format("/exec/{}/json", id));
    if (!j.value("Running", false)) {
      out.exit_code = j.contains("ExitCode") && j["ExitCode"].is_number() ? j["ExitCode"].get<int>() : -1;
      return out;
    }
    nap();
  }
  fail(ErrorKind::deploy_failed, "{}", where(fmt::format("'{}' did not end within 10 s", text::join(cmd, " "))));
}

void EngineGateway::upload(const std::vector<std::pair<std::string, std::string>>& files) {
  Request put{"PUT", fmt::format("/containers/{}/archive?path=%2F", name())};
  put.body = tar_files(files);
  put.content_type = "application/x-tar";
  api_.call(std::move(put));
}

std::optional<std::string> EngineGateway::read(const std::string& file) {
  auto r = api_.call({"GET", fmt::format("/containers/{}/archive?path={}", name(), text::url_encode(dir_file(file)))},
                     {404});
  if (r.status == 404) return std::nullopt;
  return tar_first_file(r.body);
}

std::int64_t EngineGateway::engine_now_ms() {
  // The engine's Date header: its clock, whatever the clock of this machine.
  auto r = api_.call({"GET", "/_ping"});
  auto date = r.header("date");
  auto t = date.empty() ? -1 : curl_getdate(date.c_str(), nullptr);
  if (t < 0)
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  return static_cast<std::int64_t>(t) * 1000;
}

std::vector<std::string> EngineGateway::log_lines(std::int64_t since_s, bool access) {
  std::vector<std::string> lines;
  std::string pending, line;
  Request r{"GET", fmt::format("/containers/{}/logs?stdout={}&stderr={}&timestamps={}&since={}", name(), access ? 1 : 0,
                               access ? 0 : 1, access ? 0 : 1, std::max<std::int64_t>(0, since_s))};
  r.timeout = std::chrono::minutes(2);
  r.sink = [&](std::string_view chunk) {
    demux_logs(pending, line, chunk, [&](std::string_view l) { lines.emplace_back(l); });
  };
  auto resp = api_.call(std::move(r), {404});
  if (resp.status == 404) return {};
  if (!line.empty()) lines.push_back(line);
  return lines;
}

void EngineGateway::ensure_image() {
  const auto& image = settings_.image;
  if (api_.call({"GET", fmt::format("/images/{}/json", image)}, {404}).status != 404) return;
  log::info("{}", where("pulling image " + image));
  Request pull{"POST", "/images/create?fromImage=" + text::url_encode(image)};
  pull.timeout = std::chrono::minutes(30);
  std::string progress;
  pull.sink = [&](std::string_view chunk) {
    if (progress.size() < (1u << 20)) progress.append(chunk);
  };
  try {
    api_.call(std::move(pull));
  } catch (const EngineError& e) {
    if (e.status() == 0) throw;
    fail(ErrorKind::deploy_failed, "{}",
         where(fmt::format("the engine has no image {} and cannot pull it: {}", image, e.engine_message())));
  }
  if (api_.call({"GET", fmt::format("/images/{}/json", image)}, {404}).status == 404)
    fail(ErrorKind::deploy_failed, "{}",
         where(fmt::format("the engine has no image {} and cannot pull it: {}", image, progress.substr(0, 300))));
}

}  // namespace ecp::plugins::engine
