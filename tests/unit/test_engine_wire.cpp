#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/descriptor/parse.hpp"
#include "core/ops/target_spec.hpp"
#include "core/util/error.hpp"
#include "plugins/engine/docker_api.hpp"
#include "plugins/engine/engine_backend.hpp"
#include "plugins/engine/engine_settings.hpp"

using namespace ecp;
using namespace ecp::plugins::engine;

namespace {
std::string frame(int stream, const std::string& payload) {
  std::string h(8, '\0');
  h[0] = static_cast<char>(stream);
  auto n = payload.size();
  h[4] = static_cast<char>(n >> 24);
  h[5] = static_cast<char>(n >> 16);
  h[6] = static_cast<char>(n >> 8);
  h[7] = static_cast<char>(n);
  return h + payload;
}

const Diagnostic* find_in(const Diagnostics& ds, std::string_view needle) {
  for (const auto& d : ds)
    if (d.message.find(needle) != std::string::npos) return &d;
  return nullptr;
}
}  // namespace

TEST_CASE("ecp::plugins::engine::parse_engine_address") {
  auto a = parse_engine_address("unix:///run/x.sock");
  CHECK(a.unix_path == "/run/x.sock");
  CHECK(a.base_url == "http://localhost");
  CHECK(parse_engine_address("/var/run/docker.sock").text == "unix:///var/run/docker.sock");
  auto t = parse_engine_address("tcp://10.0.0.9:2375");
  CHECK(t.unix_path.empty());
  CHECK(t.base_url == "http://10.0.0.9:2375");
  auto s = parse_engine_address("tcp://engine.example", "/certs");
  CHECK(s.base_url == "https://engine.example:2376");
  CHECK(s.cert == "/certs/cert.pem");
  CHECK_THROWS_AS(parse_engine_address("ssh://root@h"), Error);
  CHECK_THROWS_AS(parse_engine_address("unix://relative.sock"), Error);
  CHECK_THROWS_AS(parse_engine_address("tcp://h:1/path"), Error);
}

TEST_CASE("ecp::plugins::engine::engine_settings reads the engine plugin's section") {
  auto r = descriptor::parse_targets_text(
      "targets:\n  box:\n    plugin: engine\n    socket: unix:///run/x.sock\n"
      "  bare:\n    plugin: engine\n"
      "  bad:\n    plugin: engine\n    socket: http://x\n"
      "  typo:\n    plugin: engine\n    sockett: unix:///s\n"
      "  listed:\n    plugin: engine\n    socket: [a]\n",
      "t.yaml");
  auto spec = [&](const char* name) { return ops::target_spec(r.targets, *descriptor::find_target(r.targets, name)); };
  CHECK(engine_settings(spec("box")).socket == "unix:///run/x.sock");
  CHECK(engine_settings(spec("bare")).socket.empty());

  Diagnostics problems = ops::check_target_settings(r.targets);
  const Diagnostic* bad = find_in(problems, "targets.bad.socket");
  REQUIRE(bad != nullptr);
  CHECK(bad->line == 9);
  CHECK(find_in(problems, "sockett") != nullptr);
  CHECK(find_in(problems, "targets.listed.socket") != nullptr);
  try {
    engine_settings(spec("bad"));
    FAIL("accepted http://");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::validation);
    CHECK(std::string(e.what()).find("socket") != std::string::npos);
  }
}

TEST_CASE("ecp::plugins::engine::create_body") {
  ContainerPlan p;
  p.name = "ecp-web-dev-a-0";
  p.image = "sha256:abc";
  p.labels = {{"ecp.app", "web"}};
  p.host_port = 8101;
  p.container_port = 8080;
  p.extra_ports = {1};
  p.env = {"LISTEN_PORT=8080"};
  p.memory = 1 << 20;
  auto j = create_body(p);
  CHECK(j["Image"] == "sha256:abc");
  CHECK(j["Labels"]["ecp.app"] == "web");
  CHECK(j["HostConfig"]["PortBindings"]["8080/tcp"][0]["HostPort"] == "8101");
  CHECK(j["HostConfig"]["PortBindings"]["8081/tcp"][0]["HostPort"] == "8102");
  CHECK(j["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped");
  CHECK(j["HostConfig"]["Memory"] == 1 << 20);
  CHECK_FALSE(j["HostConfig"].contains("NanoCpus"));
  CHECK(j["Env"][0] == "LISTEN_PORT=8080");
}

TEST_CASE("ecp::plugins::engine::tar_files") {
  auto t = tar_files({{"app/conf/autoconfig.properties", "A=1\n", 0600}, {"app/bin/x.sh", "echo\n", 0555}}, 1000, 1001);
  REQUIRE(t.size() == 512 * 6);
  CHECK(t.substr(1024, 12) == "app/bin/x.sh");
  CHECK(t.substr(1024 + 100, 7) == "0000555");
  CHECK(t.substr(1536, 5) == "echo\n");
  CHECK(t.substr(2048) == std::string(1024, '\0'));
  CHECK(t.substr(0, 30) == "app/conf/autoconfig.properties");
  CHECK(t.substr(100, 7) == "0000600");
  CHECK(t.substr(108, 7) == "0001750");
  CHECK(t.substr(124, 11) == "00000000004");
  CHECK(t.substr(512, 4) == "A=1\n");
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(t[i]);
  CHECK(std::stoul(t.substr(148, 6), nullptr, 8) == sum);
}

TEST_CASE("ecp::plugins::engine::demux_logs") {
  std::string stream = frame(1, "one\ntw") + frame(2, "o\r\nthree\n") + frame(1, "tail");
  SUBCASE("whole") {
    std::vector<std::string> lines;
    std::string pending, line;
    demux_logs(pending, line, stream, [&](std::string_view l) { lines.emplace_back(l); });
    CHECK(lines == std::vector<std::string>{"one", "two", "three"});
    CHECK(line == "tail");
    CHECK(pending.empty());
  }
  SUBCASE("one byte at a time") {
    std::vector<std::string> lines;
    std::string pending, line;
    for (char c : stream)
      demux_logs(pending, line, std::string_view(&c, 1), [&](std::string_view l) { lines.emplace_back(l); });
    CHECK(lines == std::vector<std::string>{"one", "two", "three"});
    CHECK(line == "tail");
  }
}

TEST_CASE("ecp::plugins::engine::engine_message") {
  CHECK(engine_message(R"({"message":"No such container: x"})") == "No such container: x");
  CHECK(engine_message("plain text\n") == "plain text");
}
