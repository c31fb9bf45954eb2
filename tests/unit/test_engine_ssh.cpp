#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/descriptor/parse.hpp"
#include "core/ops/target_spec.hpp"
#include "core/util/error.hpp"
#include "plugins/engine/engine_backend.hpp"
#include "plugins/engine/engine_settings.hpp"

using namespace ecp;
using namespace ecp::plugins::engine;

namespace {

const Diagnostic* find_in(const Diagnostics& ds, std::string_view needle) {
  for (const auto& d : ds)
    if (d.message.find(needle) != std::string::npos) return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("ecp::plugins::engine::engine_settings reads hosts over ssh") {
  auto r = descriptor::parse_targets_text(
      "targets:\n"
      "  fleet:\n    plugin: engine\n"
      "    hosts: [\"ssh://deploy@10.0.0.1\", \"ssh://10.0.0.2:2222/run/podman/podman.sock\"]\n"
      "  custom:\n    plugin: engine\n    hosts: [ssh://h1]\n    remote_socket: /run/user/1000/podman/podman.sock\n",
      "t.yaml");
  REQUIRE(ops::check_target_settings(r.targets).empty());
  auto spec = [&](const char* name) { return ops::target_spec(r.targets, *descriptor::find_target(r.targets, name)); };
  auto s = engine_settings(spec("fleet"));
  CHECK(s.socket.empty());
  REQUIRE(s.hosts.size() == 2);
  CHECK(s.hosts[0].endpoint.text == "ssh://deploy@10.0.0.1");
  CHECK(s.hosts[0].endpoint.user == "deploy");
  CHECK(s.hosts[0].endpoint.host == "10.0.0.1");
  CHECK(s.hosts[0].remote_socket == "/var/run/docker.sock");
  CHECK(s.hosts[1].endpoint.text == "ssh://10.0.0.2:2222/run/podman/podman.sock");
  CHECK(s.hosts[1].endpoint.port == 2222);
  CHECK(s.hosts[1].remote_socket == "/run/podman/podman.sock");
  CHECK(s.run_dir.ends_with("/run"));
  auto c = engine_settings(spec("custom"));
  REQUIRE(c.hosts.size() == 1);
  CHECK(c.hosts[0].remote_socket == "/run/user/1000/podman/podman.sock");
}

TEST_CASE("ecp::plugins::engine::engine_settings refuses bad hosts at their line and column") {
  auto r = descriptor::parse_targets_text(
      "targets:\n"
      "  both:\n    plugin: engine\n    socket: unix:///s\n    hosts: [ssh://h]\n"              // 2-5
      "  notssh:\n    plugin: engine\n    hosts: [\"root@h\"]\n"                                // 6-8
      "  twice:\n    plugin: engine\n    hosts: [ssh://h, ssh://h]\n"                           // 9-11
      "  colon:\n    plugin: engine\n    hosts: [\"ssh://h/run/a:b.sock\"]\n"                   // 12-14
      "  relative:\n    plugin: engine\n    hosts: [ssh://h]\n    remote_socket: run/x.sock\n"  // 15-18
      "  alone:\n    plugin: engine\n    remote_socket: /run/x.sock\n"                          // 19-21
      "  empty:\n    plugin: engine\n    hosts: []\n"                                           // 22-24
      "  injected:\n    plugin: engine\n    hosts: [\"ssh://-oProxyCommand=x\"]\n",             // 25-27
      "t.yaml");
  Diagnostics problems = ops::check_target_settings(r.targets);
  auto at = [&](std::string_view needle) {
    const Diagnostic* d = find_in(problems, needle);
    REQUIRE_MESSAGE(d != nullptr, std::string(needle));
    CHECK(d->file == "t.yaml");
    CHECK(d->column > 0);
    return d->line;
  };
  CHECK(at("targets.both.hosts: a target names either socket") == 5);
  CHECK(at("'root@h' is not an ssh address") == 8);
  CHECK(at("'ssh://h' is listed twice") == 11);
  CHECK(at("must not contain ':'") == 14);
  CHECK(at("targets.relative.remote_socket: 'run/x.sock' must be an absolute path") == 18);
  CHECK(at("targets.alone.remote_socket: is the engine socket on ssh hosts") == 21);
  CHECK(at("targets.empty.hosts: lists no host") == 24);
  CHECK(at("'ssh://-oProxyCommand=x' has an invalid host name") == 27);
  try {
    engine_settings(ops::target_spec(r.targets, *descriptor::find_target(r.targets, "twice")));
    FAIL("accepted a host listed twice");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::validation);
    CHECK(std::string(e.what()).find("listed twice") != std::string::npos);
  }
}

TEST_CASE("ecp::plugins::engine::forward_dir") {
  SUBCASE("under ECP_HOME/run, private") {
    auto d = forward_dir("/tmp/ecp-unit-run");
    CHECK(d->path().string().starts_with("/tmp/ecp-unit-run/engine-"));
    auto perms = std::filesystem::status(d->path()).permissions();
    CHECK((perms & std::filesystem::perms::all) == std::filesystem::perms::owner_all);
  }
  SUBCASE("a path too long for a unix socket goes under /tmp") {
    auto d = forward_dir("/tmp/ecp-unit-run/" + std::string(90, 'x'));
    CHECK(d->path().string().starts_with("/tmp/ecp-engine-"));
  }
  SUBCASE("the folder of an ecp that is gone is removed") {
    // PID 2^22+1 is above Linux's PID limit: no process has it.
    std::filesystem::create_directories("/tmp/ecp-unit-run/engine-4194305-abcdef");
    auto d = forward_dir("/tmp/ecp-unit-run");
    CHECK_FALSE(std::filesystem::exists("/tmp/ecp-unit-run/engine-4194305-abcdef"));
  }
  std::filesystem::remove_all("/tmp/ecp-unit-run");
}
