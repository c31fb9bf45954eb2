// The health gate's timing, on a clock whose sleeps move time on at once: the
// probe schedule (200 ms, growing by half up to the interval) and the startup
// window are checked to the millisecond, and the test sleeps not at all.
#include <doctest/doctest.h>

#include "core/strategy/health_gate.hpp"
#include "tests/unit/fake_backend.hpp"
#include "tests/unit/manual_clock.hpp"

using namespace ecp;
using namespace std::chrono_literals;
using ecp::testing::FakeBackend;
using ecp::testing::ManualClock;

namespace {

struct Gate {
  FakeBackend backend;
  ManualClock clock{true};
  backend::HealthSpec health;
  std::vector<backend::InstanceSpec> instances;
  std::vector<std::chrono::milliseconds> probed_at;  // elapsed time of each probe

  Gate() {
    backend.locs = {"h1"};
    health.interval = 1s;
    health.timeout = 2s;
    health.retries = 3;  // window: 1 s x 3 + 2 s
    backend::InstanceRef ref{"h1", "a", 0};
    instances = {{ref, 2, 8080}};
    backend.running[ref] = 2;
    backend.on_health = [this] { probed_at.push_back(clock.elapsed()); };
  }
  strategy::GateResult wait() { return strategy::wait_healthy(backend, instances, health, {}, clock); }
};

}  // namespace

TEST_CASE("ecp::strategy::wait_healthy timing") {
  Gate g;
  SUBCASE("never healthy: probes at 200 ms, then half again each time up to the interval, until the window") {
    g.backend.sick = {{"h1", 2}};
    auto r = g.wait();
    CHECK_FALSE(r.ok);
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].detail == "not healthy within 5000 ms (last check: HTTP 503)");
    // Naps are taken in 50 ms steps, so 675 ms is 700 ms.
    std::vector<std::chrono::milliseconds> want = {0ms, 200ms, 500ms, 950ms, 1650ms, 2650ms, 3650ms, 4650ms, 5650ms};
    CHECK(g.probed_at == want);
    CHECK(g.clock.elapsed() == 5650ms);
  }
  SUBCASE("healthy at the third probe: no wait after it") {
    g.backend.sick = {{"h1", 2}};
    g.backend.on_health = [&] {
      g.probed_at.push_back(g.clock.elapsed());
      if (g.probed_at.size() == 3) g.backend.sick.clear();
    };
    auto r = g.wait();
    CHECK(r.ok);
    CHECK(g.probed_at.size() == 3);
    CHECK(g.clock.elapsed() == 500ms);
  }
  SUBCASE("a short interval caps the naps at 200 ms") {
    g.health.interval = 100ms;
    g.health.retries = 2;
    g.health.timeout = 100ms;  // window: 300 ms
    g.backend.sick = {{"h1", 2}};
    CHECK_FALSE(g.wait().ok);
    std::vector<std::chrono::milliseconds> want = {0ms, 200ms, 400ms};
    CHECK(g.probed_at == want);
  }
  SUBCASE("an instance that is gone fails at once, without waiting out the window") {
    g.backend.sick = {{"h1", 2}};
    g.backend.unreachable = {"h1"};
    auto r = g.wait();
    CHECK_FALSE(r.ok);
    CHECK(g.probed_at.size() == 1);
    CHECK(g.clock.elapsed() == 0ms);
  }
}
