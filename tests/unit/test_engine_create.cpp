// The engine's create body beyond ports and labels: run.resources as NanoCpus
// and Memory, run.health as the container's Healthcheck; and the registry
// credentials a pull sends in X-Registry-Auth.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "core/registry/auth.hpp"
#include "core/util/text.hpp"
#include "plugins/engine/engine_backend.hpp"

using namespace ecp;
using namespace ecp::plugins::engine;

TEST_CASE("ecp::plugins::engine::create_body resources and health check") {
  ContainerPlan plan;
  plan.name = "ecp-web-dev-a-0";
  plan.image = "sha256:abc";
  plan.host_port = 18080;
  plan.container_port = 8080;

  SUBCASE("no limits: no NanoCpus or Memory") {
    auto b = create_body(plan);
    CHECK_FALSE(b["HostConfig"].contains("NanoCpus"));
    CHECK_FALSE(b["HostConfig"].contains("Memory"));
  }
  SUBCASE("limits") {
    plan.nano_cpus = 500 * 1'000'000LL;
    plan.memory = 256LL << 20;
    auto b = create_body(plan);
    CHECK(b["HostConfig"]["NanoCpus"] == 500'000'000);
    CHECK(b["HostConfig"]["Memory"] == 268435456);
  }
  SUBCASE("an HTTP health path: the URL and the port are arguments, not shell text") {
    plan.health.path = "/health'; rm -rf / #";
    plan.health.interval = std::chrono::milliseconds(1500);
    plan.health.timeout = std::chrono::seconds(2);
    plan.health.retries = 4;
    auto h = create_body(plan)["Healthcheck"];
    CHECK(h["Interval"] == 1'500'000'000LL);
    CHECK(h["Timeout"] == 2'000'000'000LL);
    CHECK(h["Retries"] == 4);
    const auto& t = h["Test"];
    // A file, not `sh -c` text: podman 4.3 re-splits the array on white space.
    REQUIRE(t.size() == 5);
    CHECK(t[0] == "CMD");
    CHECK(t[1] == "/bin/sh");
    CHECK(t[2] == "/app/bin/ecp-health.sh");
    CHECK(t[3] == "http://127.0.0.1:8080/health'; rm -rf / #");
    CHECK(t[4] == "1F90");
    CHECK(health_script().find("rm -rf") == std::string::npos);
  }
  SUBCASE("a TCP check on a management port: no URL, that port in hex") {
    plan.health.port_delta = 1;
    auto t = create_body(plan)["Healthcheck"]["Test"];
    CHECK(t[3] == "");
    CHECK(t[4] == "1F91");
  }
}

TEST_CASE("ecp::plugins::engine::registry_auth") {
  registry::Credentials c;
  c.username = "ecp";
  c.password = "s3cret??????";  // six "?": one aligned "???" is "Pz8/" in the standard alphabet
  auto decode = [](std::string v) {
    std::replace(v.begin(), v.end(), '-', '+');
    std::replace(v.begin(), v.end(), '_', '/');
    return Json::parse(text::base64_decode(v));
  };
  auto v = registry_auth(c, "127.0.0.1:5000");
  CHECK(v.find('+') == std::string::npos);
  CHECK(v.find('/') == std::string::npos);
  auto j = decode(v);
  CHECK(j["username"] == "ecp");
  CHECK(j["password"] == "s3cret??????");
  CHECK(j["serveraddress"] == "127.0.0.1:5000");
  CHECK_FALSE(j.contains("identitytoken"));
  c.identity_token = "tok";
  CHECK(decode(registry_auth(c, "r"))["identitytoken"] == "tok");
}
