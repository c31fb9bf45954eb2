#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/strategy/strategy.hpp"
#include "tests/unit/fake_backend.hpp"

using namespace ecp;
using backend::InstanceRef;
using ecp::testing::FakeBackend;

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Slot a runs revision `from` on every host (when from > 0), the gateway sends it
// everything; the release wants revision `to` in slot b.
strategy::Input traffic_input(FakeBackend& b, strategy::Type type, int from, int to) {
  b.has_gateway = true;
  strategy::Input in;
  in.settings.type = type;
  for (const auto& l : b.locs) {
    in.desired.push_back({{l, from > 0 ? "b" : "a", 0}, to, 8180});
    if (from > 0) {
      InstanceRef r{l, "a", 0};
      in.running.push_back({r, from, 8080});
      b.running[r] = from;
    }
  }
  if (from > 0) b.gateway.current = {{"a", 100}};
  in.health.interval = std::chrono::milliseconds(50);
  in.health.timeout = std::chrono::milliseconds(50);
  in.health.retries = 2;
  in.settings.keep = std::chrono::minutes(10);
  return in;
}

}  // namespace

TEST_CASE("ecp::strategy::blue_green") {
  FakeBackend b;
  SUBCASE("the new slot starts beside the old one; one switch; the old slot stays for keep") {
    auto in = traffic_input(b, strategy::Type::blue_green, 1, 2);
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(b.gateway.current == std::map<std::string, int>{{"b", 100}});
    CHECK(has(b.calls, "route b=100 preview=b"));
    for (const auto& l : b.locs) {
      CHECK(b.running[{l, "a", 0}] == 1);  // still running, for an instant rollback
      CHECK(b.running[{l, "b", 0}] == 2);
      CHECK(b.stop_after_ms[{l, "a", 0}] == 600000);
    }
    CHECK(std::count_if(b.calls.begin(), b.calls.end(), [](const auto& c) { return c.rfind("stop ", 0) == 0; }) == 0);
  }
  SUBCASE("a new slot that never turns healthy is stopped; traffic never moved") {
    b.sick.insert({"h2", 2});
    auto in = traffic_input(b, strategy::Type::blue_green, 1, 2);
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(r.message.find("b-0@h2") != std::string::npos);
    CHECK(b.gateway.current == std::map<std::string, int>{{"a", 100}});
    CHECK(std::none_of(b.calls.begin(), b.calls.end(), [](const auto& c) { return c.rfind("route", 0) == 0; }));
    for (const auto& l : b.locs) {
      CHECK(b.running.count({l, "b", 0}) == 0);
      CHECK(b.running[{l, "a", 0}] == 1);
    }
  }
  SUBCASE("a gateway that refuses the switch changed nothing: rolled back without routing again") {
    b.gateway.reject = true;
    auto in = traffic_input(b, strategy::Type::blue_green, 1, 2);
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(std::count_if(b.calls.begin(), b.calls.end(), [](const auto& c) { return c.rfind("route", 0) == 0; }) == 1);
    for (const auto& l : b.locs) CHECK(b.running.count({l, "b", 0}) == 0);
  }
  SUBCASE("inside the keep window, a slot already running the revision is kept, not restarted") {
    auto in = traffic_input(b, strategy::Type::blue_green, 1, 2);
    for (const auto& l : b.locs) {  // slot b still runs revision 2 from before
      b.running[{l, "b", 0}] = 2;
      in.running.push_back({{l, "b", 0}, 2, 8180});
    }
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(std::none_of(b.calls.begin(), b.calls.end(), [](const auto& c) { return c.rfind("start", 0) == 0; }));
    CHECK(has(b.calls, "keep b-0@h1"));
    CHECK(b.gateway.current == std::map<std::string, int>{{"b", 100}});
  }
  SUBCASE("a slot whose keep window ended before it could be kept starts again, as a new slot would") {
    auto in = traffic_input(b, strategy::Type::blue_green, 1, 2);
    for (const auto& l : b.locs) {  // slot b ran revision 2; its stop began after the release read it
      b.running[{l, "b", 0}] = 2;
      in.running.push_back({{l, "b", 0}, 2, 8180});
    }
    b.retired.insert({"h2", "b", 0});
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(has(b.calls, "keep b-0@h2"));
    CHECK(has(b.calls, "start h2/b r2"));
    CHECK_FALSE(has(b.calls, "start h1/b r2"));  // the others were kept
    CHECK(b.running[{"h2", "b", 0}] == 2);
    CHECK(b.gateway.current == std::map<std::string, int>{{"b", 100}});
  }
  SUBCASE("a target without a gateway refuses traffic strategies") {
    auto in = traffic_input(b, strategy::Type::blue_green, 1, 2);
    b.has_gateway = false;
    CHECK_THROWS_AS(strategy::rollout(b, in), Error);
  }
}

TEST_CASE("ecp::strategy::canary") {
  FakeBackend b;
  SUBCASE("steps move traffic, each judged; at 100% the old slot stops") {
    auto in = traffic_input(b, strategy::Type::canary, 1, 2);
    in.settings.steps = {25, 100};
    in.settings.pause = std::chrono::milliseconds(10);
    b.gateway.seen["b"] = {100, 1, std::chrono::milliseconds(20)};
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(has(b.calls, "route a=75 b=25 preview=b"));
    CHECK(has(b.calls, "route b=100 preview=b"));
    for (const auto& l : b.locs) CHECK(b.stop_after_ms[{l, "a", 0}] == 2000);  // once its requests are done
  }
  SUBCASE("a step whose error rate is too high puts all traffic back and stops the canary") {
    auto in = traffic_input(b, strategy::Type::canary, 1, 2);
    in.settings.steps = {10, 50, 100};
    in.settings.pause = std::chrono::milliseconds(10);
    b.gateway.seen["b"] = {200, 60, std::chrono::milliseconds(20)};
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(r.message.find("step 1/3 (10%): analysis failed: error rate 30.0% > 5%") != std::string::npos);
    CHECK(b.gateway.current == std::map<std::string, int>{{"a", 100}});
    CHECK_FALSE(has(b.calls, "route a=50 b=50 preview=b"));
    for (const auto& l : b.locs) {
      CHECK(b.running.count({l, "b", 0}) == 0);
      CHECK(b.running[{l, "a", 0}] == 1);
    }
  }
  SUBCASE("manual: pauses after the first step; resuming judges it and goes on") {
    auto in = traffic_input(b, strategy::Type::canary, 1, 2);
    in.settings.steps = {5, 100};
    in.manual = true;
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::paused);
    CHECK(r.step == 0);
    CHECK(b.gateway.current == std::map<std::string, int>{{"a", 95}, {"b", 5}});
    in.running.clear();
    for (const auto& [ref, rev] : b.running) in.running.push_back({ref, rev, ref.slot == "a" ? 8080 : 8180});
    in.resume_step = r.step;
    in.step_started_ms = r.step_started_ms;
    auto r2 = strategy::rollout(b, in);
    CHECK(r2.outcome == strategy::Outcome::succeeded);
    CHECK(b.gateway.current == std::map<std::string, int>{{"b", 100}});
  }
  SUBCASE("abort: the live slot gets everything back, the canary stops") {
    auto in = traffic_input(b, strategy::Type::canary, 1, 2);
    for (const auto& d : in.desired) b.running[d.ref] = 2;
    b.gateway.current = {{"a", 75}, {"b", 25}};
    auto r = strategy::canary_abort(b, in, "aborted by a test");
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(b.gateway.current == std::map<std::string, int>{{"a", 100}});
    for (const auto& l : b.locs) CHECK(b.running.count({l, "b", 0}) == 0);
  }
}

TEST_CASE("ecp::strategy slots and analysis") {
  SUBCASE("live and idle slots") {
    CHECK(strategy::live_slot({{"a", 10}, {"b", 90}}, {}) == "b");
    CHECK(strategy::live_slot({}, {{{"h1", "b", 0}, 3, 8180}}) == "b");
    CHECK(strategy::live_slot({}, {}).empty());
    CHECK(strategy::idle_slot("a") == "b");
    CHECK(strategy::idle_slot("b") == "a");
    CHECK(strategy::idle_slot("") == "a");
  }
  SUBCASE("step weights") {
    CHECK(strategy::step_weights("a", "b", 25) == std::map<std::string, int>{{"a", 75}, {"b", 25}});
    CHECK(strategy::step_weights("a", "b", 100) == std::map<std::string, int>{{"b", 100}});
    CHECK(strategy::step_weights("", "a", 10) == std::map<std::string, int>{{"a", 100}});
  }
  SUBCASE("judge") {
    strategy::Analysis a;  // 5%, no latency limit, 10 requests
    auto v = strategy::judge({100, 5, std::chrono::milliseconds(30)}, a);
    CHECK(v.ok);
    CHECK(v.judged);
    v = strategy::judge({100, 6, std::chrono::milliseconds(30)}, a);
    CHECK_FALSE(v.ok);
    CHECK(v.detail == "error rate 6.0% > 5% (6 of 100 requests answered 5xx)");
    v = strategy::judge({3, 3, std::chrono::milliseconds(30)}, a);
    CHECK(v.ok);  // too few requests to judge: health decides
    CHECK_FALSE(v.judged);
    a.max_p95 = std::chrono::milliseconds(200);
    v = strategy::judge({50, 0, std::chrono::milliseconds(250)}, a);
    CHECK_FALSE(v.ok);
    CHECK(v.detail.find("p95 latency 250 ms > 200 ms") == 0);
  }
}
