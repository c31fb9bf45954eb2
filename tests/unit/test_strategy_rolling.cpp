#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/strategy/health_gate.hpp"
#include "core/strategy/strategy.hpp"
#include "core/util/error.hpp"
#include "tests/unit/fake_backend.hpp"

using namespace ecp;
using backend::InstanceRef;
using backend::InstanceSpec;
using ecp::testing::FakeBackend;

namespace {

strategy::Input input(FakeBackend& b, strategy::Type type, int from, int to) {
  strategy::Input in;
  in.settings.type = type;
  for (const auto& l : b.locs) {
    InstanceRef r{l, "a", 0};
    in.desired.push_back({r, to, 8080});
    if (from > 0) {
      in.running.push_back({r, from, 8080});
      b.running[r] = from;
    }
  }
  in.health.interval = std::chrono::milliseconds(50);
  in.health.timeout = std::chrono::milliseconds(50);
  in.health.retries = 2;
  return in;
}

}  // namespace

TEST_CASE("ecp::strategy::rolling") {
  FakeBackend b;
  SUBCASE("one host at a time, each gated on health") {
    auto in = input(b, strategy::Type::rolling, 1, 2);
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(b.calls == std::vector<std::string>{"stop h1", "start h1 r2", "stop h2", "start h2 r2", "stop h3",
                                              "start h3 r2"});
    for (const auto& l : b.locs) CHECK(b.running[{l, "a", 0}] == 2);
  }
  SUBCASE("a batch that fails stops the rollout; touched instances go back, the rest is never touched") {
    b.sick.insert({"h2", 2});
    auto in = input(b, strategy::Type::rolling, 1, 2);
    std::vector<std::string> events;
    in.on_event = [&](const strategy::Event& e) { events.push_back(e.type); };
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(r.message.find("batch 2/3") != std::string::npos);
    CHECK(r.message.find("a-0@h2") != std::string::npos);
    CHECK(b.running[{"h1", "a", 0}] == 1);
    CHECK(b.running[{"h2", "a", 0}] == 1);
    CHECK(b.running[{"h3", "a", 0}] == 1);
    CHECK(std::find(b.calls.begin(), b.calls.end(), "start h3 r2") == b.calls.end());
    CHECK(std::find(events.begin(), events.end(), "rollback") != events.end());
    CHECK(std::find(events.begin(), events.end(), "restored") != events.end());
  }
  SUBCASE("when the old revision does not come back either, the outcome needs attention") {
    b.sick.insert({"h1", 2});
    b.sick.insert({"h1", 1});
    auto r = strategy::rollout(b, input(b, strategy::Type::rolling, 1, 2));
    CHECK(r.outcome == strategy::Outcome::failed);
    CHECK(r.message.find("rolling back failed too") != std::string::npos);
  }
  SUBCASE("a host that goes away mid-rollout: the others go back, the host is named") {
    b.unreachable.insert("h2");
    auto r = strategy::rollout(b, input(b, strategy::Type::rolling, 1, 2));
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(r.lost == std::vector<std::string>{"h2"});
    CHECK(b.running[{"h1", "a", 0}] == 1);
    CHECK(b.running[{"h3", "a", 0}] == 1);
    CHECK(r.message.find("h2") != std::string::npos);
  }
  SUBCASE("a first release that fails leaves nothing running") {
    b.sick.insert({"h1", 1});
    auto r = strategy::rollout(b, input(b, strategy::Type::rolling, 0, 1));
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(b.running.empty());
  }
  SUBCASE("a scale keeps the instances that run their revision: only the new ones start, gated") {
    auto in = input(b, strategy::Type::rolling, 1, 1);  // everything runs revision 1 already
    for (const auto& l : b.locs) in.desired.push_back({{l, "a", 1}, 1, 8081});
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(b.calls == std::vector<std::string>{"start h1 r1", "start h2 r1", "start h3 r1"});
    CHECK(b.running[{"h2", "a", 0}] == 1);
    CHECK(b.running[{"h2", "a", 1}] == 1);
  }
  SUBCASE("... and a scale down only stops the ones no longer wanted") {
    auto in = input(b, strategy::Type::rolling, 1, 1);
    in.running.push_back({{"h1", "a", 1}, 1, 8081});
    b.running[{"h1", "a", 1}] = 1;
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(b.calls == std::vector<std::string>{"stop h1"});
    CHECK(b.running.count({"h1", "a", 1}) == 0);
    CHECK(b.running[{"h1", "a", 0}] == 1);
  }
  SUBCASE("a lost lock stops it like a failed batch") {
    auto in = input(b, strategy::Type::rolling, 1, 2);
    int polls = 0;
    in.should_stop = [&] { return ++polls > 1; };
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(r.message.find("lock") != std::string::npos);
    CHECK(b.running[{"h1", "a", 0}] == 1);
  }
}

TEST_CASE("ecp::strategy::rolling behind a gateway") {
  FakeBackend b;
  b.has_gateway = true;
  b.gateway.current = {{"a", 100}};
  SUBCASE("each batch leaves the routes before it stops; the next route takes the healthy one back in") {
    auto r = strategy::rollout(b, input(b, strategy::Type::rolling, 1, 2));
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(b.calls == std::vector<std::string>{"route a=100 leaving=a-0@h1", "stop h1", "start h1 r2",
                                              "route a=100 leaving=a-0@h2", "stop h2", "start h2 r2",
                                              "route a=100 leaving=a-0@h3", "stop h3", "start h3 r2", "route a=100"});
    CHECK(b.gateway.current == std::map<std::string, int>{{"a", 100}});
  }
  SUBCASE("a batch that fails: the old revision is started again and routed to") {
    b.sick.insert({"h2", 2});
    auto r = strategy::rollout(b, input(b, strategy::Type::rolling, 1, 2));
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    REQUIRE(b.calls.size() >= 2);
    CHECK(b.calls.back() == "route a=100");
    CHECK(b.running[{"h2", "a", 0}] == 1);
  }
  SUBCASE("scaled down: the last route takes the last batch in and what is no longer wanted out, then it stops") {
    auto in = input(b, strategy::Type::rolling, 1, 2);
    in.running.push_back({{"h1", "a", 1}, 1, 8081});
    b.running[{"h1", "a", 1}] = 1;
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::succeeded);
    REQUIRE(b.calls.size() >= 2);
    CHECK(b.calls[b.calls.size() - 2] == "route a=100 leaving=a-1@h1");
    CHECK(b.calls.back() == "stop h1");
    CHECK_FALSE(b.running.count({"h1", "a", 1}));
  }
  SUBCASE("a gateway never set up: nothing to leave, and at the end it serves the slot") {
    b.gateway.current.clear();
    auto r = strategy::rollout(b, input(b, strategy::Type::rolling, 1, 2));
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(std::count_if(b.calls.begin(), b.calls.end(), [](const auto& c) { return c.rfind("route", 0) == 0; }) == 1);
    CHECK(b.calls.back() == "route a=100");
    CHECK(b.gateway.current == std::map<std::string, int>{{"a", 100}});
  }
  SUBCASE("a gateway that refuses the routes: the batch goes back before the new revision started") {
    b.gateway.reject = true;
    auto r = strategy::rollout(b, input(b, strategy::Type::rolling, 1, 2));
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(b.calls.front() == "route a=100 leaving=a-0@h1 (rejected)");
    CHECK(std::none_of(b.calls.begin(), b.calls.end(), [](const auto& c) { return c.ends_with(" r2"); }));
    CHECK(b.running[{"h1", "a", 0}] == 1);
  }
}

TEST_CASE("ecp::strategy::recreate") {
  FakeBackend b;
  SUBCASE("stops everything, then starts everything") {
    auto r = strategy::rollout(b, input(b, strategy::Type::recreate, 1, 2));
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(b.calls == std::vector<std::string>{"stop h1", "stop h2", "stop h3", "start h1 r2", "start h2 r2",
                                              "start h3 r2"});
  }
  SUBCASE("one sick instance brings every instance back to the old revision") {
    b.sick.insert({"h3", 2});
    auto r = strategy::rollout(b, input(b, strategy::Type::recreate, 1, 2));
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    for (const auto& l : b.locs) CHECK(b.running[{l, "a", 0}] == 1);
  }
  SUBCASE("strategies that move traffic need a router") {
    CHECK_THROWS_AS(strategy::rollout(b, input(b, strategy::Type::canary, 1, 2)), Error);
  }
}

TEST_CASE("ecp::strategy::type_from") {
  for (auto name : strategy::type_names()) {
    REQUIRE(strategy::type_from(name));
    CHECK(strategy::to_string(*strategy::type_from(name)) == name);
  }
  CHECK(strategy::type_from("blue-green") == strategy::Type::blue_green);
  CHECK_FALSE(strategy::type_from("bogus"));
  CHECK_FALSE(strategy::type_from("blue_green"));
  CHECK(strategy::needs_router(strategy::Type::canary));
  CHECK_FALSE(strategy::needs_router(strategy::Type::rolling));
}

TEST_CASE("ecp::strategy rolling helpers") {
  CHECK(strategy::rolling_step(3, 1) == 1);
  CHECK(strategy::rolling_step(2, 5) == 2);
  CHECK(strategy::rolling_step(0, 0) == 1);
  std::vector<InstanceSpec> d = {{{"h1", "a", 0}, 1, 0}, {{"h1", "a", 1}, 1, 0}, {{"h2", "a", 0}, 1, 0},
                                 {{"h2", "a", 1}, 1, 0}};
  auto o = strategy::rolling_order(d);
  CHECK(o[0].ref == InstanceRef{"h1", "a", 0});
  CHECK(o[1].ref == InstanceRef{"h2", "a", 0});
  CHECK(o[2].ref == InstanceRef{"h1", "a", 1});
  backend::HealthSpec h;
  h.interval = std::chrono::seconds(10);
  h.timeout = std::chrono::seconds(2);
  h.retries = 3;
  CHECK(strategy::startup_window(h) == std::chrono::seconds(32));
  backend::AppSpec app;
  app.base_port = 8080;
  CHECK(backend::instance_port(app, {"h", "a", 2}) == 8082);
  CHECK(backend::instance_port(app, {"h", "b", 0}) == 8180);
}
