#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/descriptor/parse.hpp"
#include "core/ops/target_spec.hpp"
#include "core/util/text.hpp"
#include "plugins/engine/engine_backend.hpp"
#include "plugins/engine/engine_gateway.hpp"
#include "plugins/engine/engine_settings.hpp"

using namespace ecp;
using namespace ecp::plugins::engine;

namespace {
bool has(const Diagnostics& ds, std::string_view needle) {
  for (const auto& d : ds)
    if (d.message.find(needle) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("ecp::plugins::engine::read_gateway_settings") {
  auto r = descriptor::parse_targets_text(
      "targets:\n  gw:\n    plugin: engine\n    gateway: {image: \"localhost/nginx:1\", port: 8088,"
      " nginx: [\"client_max_body_size 5m\"]}\n"
      "  noimage:\n    plugin: engine\n    gateway: {port: 8000}\n"
      "  badport:\n    plugin: engine\n    gateway: {image: nginx, port: 70000}\n"
      "  typo:\n    plugin: engine\n    gateway: {image: nginx, prot: 1}\n"
      "  scalar:\n    plugin: engine\n    gateway: nginx\n",
      "t.yaml");
  auto spec = [&](const char* name) { return ops::target_spec(r.targets, *descriptor::find_target(r.targets, name)); };
  auto s = engine_settings(spec("gw"));
  REQUIRE(s.gateway);
  CHECK(s.gateway->image == "localhost/nginx:1");
  CHECK(s.gateway->port == 8088);
  CHECK(s.gateway->nginx == std::vector<std::string>{"client_max_body_size 5m;"});
  Diagnostics problems = ops::check_target_settings(r.targets);
  CHECK(has(problems, "missing 'image'"));
  CHECK(has(problems, "targets.badport.gateway.port"));
  CHECK(has(problems, "prot"));
  CHECK(has(problems, "targets.scalar.gateway"));
}

TEST_CASE("ecp::plugins::engine::gateway_create_body") {
  backend::AppSpec app;
  app.app = "web";
  app.env = "dev";
  auto b = gateway_create_body("localhost/nginx:1", app);
  CHECK(b["Image"] == "localhost/nginx:1");
  CHECK(b["HostConfig"]["NetworkMode"] == "host");
  CHECK(b["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped");
  CHECK(b["Cmd"].back() == "/ecp-gateway/nginx.conf");
  // Not an instance: status() lists containers labelled ecp.app.
  CHECK_FALSE(b["Labels"].contains("ecp.app"));
  CHECK(b["Labels"]["ecp.gateway"] == "web/dev");
}

TEST_CASE("ecp::plugins::engine::tar_files and tar_first_file") {
  auto tar = tar_files({{"ecp-gateway/", ""}, {"ecp-gateway/weights", "a=100\n"}});
  CHECK(tar.size() == 512 * 2 + 512 + 1024);
  CHECK(tar[156] == '5');
  CHECK(tar[512 + 156] == '0');
  // The checksum of the folder's header holds after its type changed.
  unsigned sum = 0;
  for (std::size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(tar[i]);
  CHECK(std::strtoul(tar.substr(148, 7).c_str(), nullptr, 8) == sum);
  CHECK(tar_first_file(tar) == std::optional<std::string>("a=100\n"));
  CHECK_FALSE(tar_first_file(tar_files({{"d/", ""}})));
  CHECK_FALSE(tar_first_file("short"));
}

TEST_CASE("ecp::plugins::engine::reload_outcome") {
  CHECK(signaller_pid("2026/12/05 18:33:31 [notice] 12#12: signal process started\n") == 12);
  CHECK(signaller_pid("nothing") == 0);
  std::vector<std::string> lines = {
      "2026-12-05T18:33:20Z 2026/12/05 18:33:20 [notice] 1#1: signal 1 (SIGHUP) received from 9, reconfiguring",
      "2026-12-05T18:33:20Z 2026/12/05 18:33:20 [notice] 5#5: gracefully shutting down",
      "2026-12-05T18:33:31Z 2026/12/05 18:33:31 [notice] 1#1: signal 1 (SIGHUP) received from 12, reconfiguring",
      "2026-12-05T18:33:31Z 2026/12/05 18:33:31 [notice] 1#1: reconfiguring",
      "2026-12-05T18:33:31Z 2026/12/05 18:33:31 [notice] 1#1: start worker processes",
      "2026-12-05T18:33:31Z 2026/12/05 18:33:31 [notice] 1#1: start worker process 17",
  };
  SUBCASE("not yet: the old workers still take requests") {
    auto o = reload_outcome(lines, 12);
    CHECK_FALSE(o.done);
    CHECK_FALSE(o.failed);
  }
  SUBCASE("done: podman's whole seconds round up") {
    lines.push_back("2026-12-05T18:33:31Z 2026/12/05 18:33:31 [notice] 6#6: gracefully shutting down");
    auto o = reload_outcome(lines, 12);
    CHECK(o.done);
    CHECK(o.at_ms == *text::parse_rfc3339_ms("2026-12-05T18:33:31Z") + 999);
  }
  SUBCASE("drained once the old worker has finished its requests and exited") {
    lines.push_back("2026-12-05T18:33:31Z 2026/12/05 18:33:31 [notice] 6#6: gracefully shutting down");
    CHECK_FALSE(reload_outcome(lines, 12).drained);
    auto by_itself = lines, by_master = lines;
    by_itself.push_back("2026-12-05T18:33:32Z 2026/12/05 18:33:32 [notice] 6#6: exit");
    CHECK(reload_outcome(by_itself, 12).drained);
    by_master.push_back("2026-12-05T18:33:32Z 2026/12/05 18:33:32 [notice] 1#1: worker process 6 exited with code 0");
    CHECK(reload_outcome(by_master, 12).drained);
    // another process's exit (the signaller's) is not the old worker's
    lines.push_back("2026-12-05T18:33:32Z 2026/12/05 18:33:32 [notice] 12#12: exit");
    CHECK_FALSE(reload_outcome(lines, 12).drained);
    // two new workers: two old ones to wait for, though only one said so yet
    by_itself.push_back("2026-12-05T18:33:31Z 2026/12/05 18:33:31 [notice] 1#1: start worker process 18");
    CHECK_FALSE(reload_outcome(by_itself, 12).drained);
  }
  SUBCASE("dockerd's fraction is kept") {
    lines.push_back("2026-12-05T18:33:31.250Z 2026/12/05 18:33:31 [notice] 6#6: gracefully shutting down");
    CHECK(reload_outcome(lines, 12).at_ms == *text::parse_rfc3339_ms("2026-12-05T18:33:31.250Z"));
  }
  SUBCASE("refused") {
    lines.push_back("2026-12-05T18:33:31Z 2026/12/05 18:33:31 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: in use)");
    auto o = reload_outcome(lines, 12);
    CHECK(o.failed);
    CHECK(o.detail == "bind() to 0.0.0.0:80 failed (98: in use)");
  }
  SUBCASE("another reload's lines do not count") {
    CHECK_FALSE(reload_outcome(lines, 13).done);
    CHECK_FALSE(reload_outcome({lines[0], lines[1]}, 12).done);
  }
  CHECK(host_port("::1", 80) == "[::1]:80");
  CHECK(host_port("127.0.0.1", 8080) == "127.0.0.1:8080");
}
