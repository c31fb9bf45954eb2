#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/strategy/strategy.hpp"
#include "core/util/error.hpp"
#include "tests/unit/fake_backend.hpp"

using namespace ecp;
using backend::InstanceRef;
using ecp::testing::FakeBackend;

namespace {

// A platform that replaces a slot itself: it logs each replacement, and fails
// the revisions listed in `failing`.
class ReplacingBackend : public FakeBackend, public backend::Replacer {
 public:
  std::vector<int> failing;
  backend::Replacer* replacer() override { return this; }
  std::string replace(const backend::Replacement& r, const std::function<void(const std::string&)>& progress,
                      const std::function<bool()>&) override {
    int rev = r.instances.empty() ? 0 : r.instances.front().revision;
    calls.push_back(
        "replace " + r.slot + " r" + std::to_string(rev) + " x" + std::to_string(r.instances.size()) +
        (r.recreate ? " recreate"
                    : " surge " + std::to_string(r.max_surge) + " unavailable " + std::to_string(r.max_unavailable)));
    progress("replaced");
    return std::find(failing.begin(), failing.end(), rev) != failing.end() ? "pods never ready" : "";
  }
};

strategy::Input input(strategy::Type type, int from, int to, int replicas) {
  strategy::Input in;
  in.settings.type = type;
  in.settings.batch = 2;
  in.settings.max_unavailable = 1;
  for (int i = 0; i < replicas; ++i) {
    InstanceRef r{"cluster/ns", "a", i};
    in.desired.push_back({r, to, 8080});
    if (from > 0) in.running.push_back({r, from, 8080});
  }
  return in;
}

}  // namespace

TEST_CASE("recreate and rolling hand a replacing platform the whole slot, and the way back") {
  ReplacingBackend b;
  std::vector<std::string> events;
  SUBCASE("rolling: batch is the surge, max_unavailable caps what may be down") {
    auto in = input(strategy::Type::rolling, 1, 2, 3);
    in.on_event = [&](const strategy::Event& e) { events.push_back(e.type); };
    auto r = strategy::rollout(b, in);
    CHECK(r.outcome == strategy::Outcome::succeeded);
    CHECK(b.calls == std::vector<std::string>{"replace a r2 x3 surge 2 unavailable 1"});
    CHECK(std::find(events.begin(), events.end(), "progress") != events.end());
  }
  SUBCASE("a failed replacement puts the previous revision back the same way") {
    b.failing = {2};
    auto r = strategy::rollout(b, input(strategy::Type::recreate, 1, 2, 2));
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(r.message == "pods never ready");
    CHECK(b.calls == std::vector<std::string>{"replace a r2 x2 recreate", "replace a r1 x2 recreate"});
  }
  SUBCASE("a first release that fails leaves nothing running") {
    b.failing = {1};
    auto r = strategy::rollout(b, input(strategy::Type::rolling, 0, 1, 2));
    CHECK(r.outcome == strategy::Outcome::rolled_back);
    CHECK(b.calls.back() == "replace a r0 x0 surge 2 unavailable 1");
  }
  SUBCASE("when the way back fails too, the outcome says it needs attention") {
    b.failing = {1, 2};
    auto r = strategy::rollout(b, input(strategy::Type::rolling, 1, 2, 1));
    CHECK(r.outcome == strategy::Outcome::failed);
    CHECK(r.message.find("rolling back failed too: pods never ready") != std::string::npos);
  }
}
