// EngineGateway as a Router: routes applied by a checked reload of the gateway
// container's nginx, the weights and the access log read back from it.
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "plugins/engine/engine_gateway.hpp"
#include "plugins/host/gateway_conf.hpp"

namespace ecp::plugins::engine {
namespace {

constexpr int polls = 150;  // of 100 ms: how long nginx may take to start or reload
void nap() { std::this_thread::sleep_for(std::chrono::milliseconds(100)); }
std::string conf_path(std::string_view f) { return fmt::format("{}/{}", gateway_dir, f); }
std::string member(std::string_view f) { return fmt::format("{}/{}", gateway_dir.substr(1), f); }

}  // namespace

std::int64_t EngineGateway::create(const std::string& conf) {
  ensure_image();
  api_.call({"DELETE", fmt::format("/containers/{}?force=true", name())}, {404});
  Request c{"POST", "/containers/create?name=" + name()};
  c.body = gateway_create_body(settings_.image, app_).dump();
  c.content_type = "application/json";
  try {
    api_.call(std::move(c));
    upload({{member(""), ""}, {member("tmp/"), ""}, {member("nginx.conf"), conf}});
  } catch (const EngineError& e) {
    if (e.status() == 0) throw;
    fail(ErrorKind::deploy_failed, "{}", where("creating it: " + e.engine_message()));
  }
  auto since = engine_now_ms() / 1000 - 2;
  try {
    api_.call({"POST", fmt::format("/containers/{}/start", name())}, {304});
  } catch (const EngineError& e) {
    if (e.status() == 0) throw;
    api_.call({"DELETE", fmt::format("/containers/{}?force=true", name())}, {404});
    fail(ErrorKind::deploy_failed, "{}", where("starting it: " + e.engine_message()));
  }
  // Started when the master starts its workers; an [emerg] (a port taken, a bad
  // directive) and nothing routes: the container goes, nothing was serving before.
  for (int n = 0; n < polls; ++n) {
    for (const auto& l : log_lines(since, false)) {
      if (l.find("[emerg]") != std::string::npos) {
        api_.call({"DELETE", fmt::format("/containers/{}?force=true", name())}, {404});
        auto m = l.find(": ", l.find(']'));
        fail(ErrorKind::deploy_rolled_back, "{}",
             where("nginx did not start: " + (m == std::string::npos ? l : l.substr(m + 2))));
      }
      if (l.find("start worker process") != std::string::npos) {
        auto ms = log_time_ms(l.substr(0, l.find(' ')));
        return ms ? ms : engine_now_ms();
      }
    }
    nap();
  }
  fail(ErrorKind::deploy_failed, "{}",
       where("nginx did not start within 15 s (see its log: docker logs " + name() + ")"));
}

std::int64_t EngineGateway::reload(const std::string& conf) {
  // 1. Checked beside the one serving: a configuration nginx rejects changes nothing.
  upload({{member("nginx.conf.new"), conf}});
  auto t = exec({"nginx", "-t", "-q", "-c", conf_path("nginx.conf.new")});
  if (t.exit_code != 0)
    fail(ErrorKind::deploy_rolled_back, "{}",
         where("nginx rejected the new configuration, the old one still serves: " + t.output));
  // 2. Made the one nginx reads, the one before kept beside it.
  auto old = read("nginx.conf");
  upload({{member("nginx.conf"), conf}, {member("nginx.conf.prev"), old.value_or("")}});
  auto revert = [&] {
    try {
      if (old) upload({{member("nginx.conf"), *old}});
      exec({"nginx", "-s", "reload", "-c", conf_path("nginx.conf")});
    } catch (const Error& e) {
      log::warn("{}", where(std::string("putting the previous configuration back: ") + e.what()));
    }
  };
  // 3. The reload, then nginx's own word that the old workers are on their way out.
  auto since = engine_now_ms() / 1000 - 2;
  auto r = exec({"nginx", "-s", "reload", "-c", conf_path("nginx.conf")});
  if (r.exit_code != 0) {
    revert();
    fail(ErrorKind::deploy_rolled_back, "{}",
         where("nginx -s reload failed, the old configuration serves: " + r.output));
  }
  long pid = signaller_pid(r.output);
  ReloadOutcome o;
  for (int n = 0; n < polls && !o.done; ++n) {
    if (n > 0) nap();
    o = reload_outcome(log_lines(since, false), pid);
    if (o.failed) {
      revert();
      fail(ErrorKind::deploy_rolled_back, "{}", where("nginx did not take the new configuration: " + o.detail));
    }
  }
  if (!o.done) {
    revert();
    fail(ErrorKind::deploy_failed, "{}", where("nginx did not take the new configuration within 15 s"));
  }
  // 4. The old workers finish the requests they hold, and exit: then an instance
  // the new routes leave out can stop without cutting a response short.
  auto at = o.at_ms ? o.at_ms : engine_now_ms();
  for (int n = 0; n < polls && !o.drained; ++n) {
    nap();
    o = reload_outcome(log_lines(since, false), pid);
  }
  if (!o.drained) log::info("{}", where("the old routes still serve a request after 15 s; going on"));
  return at;
}

std::int64_t EngineGateway::route(const std::map<std::string, int>& weights, const std::string& preview,
                                  const std::vector<backend::InstanceRef>& leaving) {
  auto conf = render(weights, preview, leaving);
  auto r = api_.call({"GET", fmt::format("/containers/{}/json", name())}, {404});
  bool running = false;
  if (r.status != 404) {
    auto j = Json::parse(r.body, nullptr, false);
    running = j.is_object() && j["State"].value("Running", false) && !j["State"].value("Restarting", false);
  }
  // A gateway that is not running has nothing to keep: made anew with these routes.
  auto at = running ? reload(conf) : create(conf);
  upload({{member("weights"), host::weights_text(weights) + "\n"}});
  return at;
}

std::map<std::string, int> EngineGateway::weights() {
  auto text = read("weights");
  return text ? host::parse_weights(*text) : std::map<std::string, int>{};
}

std::map<std::string, backend::SlotTraffic> EngineGateway::traffic(std::int64_t since_ms) {
  std::map<std::string, std::string> slot_of;
  for (const auto& i : instances_().instances) slot_of[host_port(i.address, i.port)] = i.ref.slot;
  // The engine filters by whole seconds; $msec, the first field, by the millisecond.
  std::string text;
  for (const auto& l : log_lines(since_ms / 1000 - 1, true)) {
    auto bar = l.find('|');
    if (bar == std::string::npos) continue;
    double t = std::atof(l.substr(0, bar).c_str());
    if (t * 1000 >= static_cast<double>(since_ms)) text.append(l).append("\n");
  }
  return host::parse_access_log(text, slot_of);
}

}  // namespace ecp::plugins::engine
