#pragma once
// For the strategy and release engine tests: a backend that runs nothing. It
// remembers what runs where, answers health checks from a table and logs every
// call, so a test can read the order of the primitives a strategy used. With a
// router (`gateway`), it also keeps the gateway's weights, the traffic each slot
// got, and can refuse a configuration like nginx -t would. Its state() is an
// in-memory KvStore, so the ledger and the lock work on it as at a real target;
// faults (a prepare or activate that fails, a hook inside start) are switches.
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/backend/backend.hpp"
#include "core/util/error.hpp"
#include "tests/unit/memory_store.hpp"

namespace ecp::testing {

using backend::InstanceRef;
using backend::InstanceSpec;

class FakeRouter : public backend::Router {
 public:
  std::map<std::string, int> current;
  std::map<std::string, backend::SlotTraffic> seen;  // what traffic() answers
  bool reject = false;                               // route() fails like a config nginx -t refuses
  std::vector<std::string>* calls = nullptr;
  std::int64_t route(const std::map<std::string, int>& w, const std::string& preview,
                     const std::vector<backend::InstanceRef>& leaving) override {
    std::string s = "route";
    for (const auto& [k, v] : w) s += " " + k + "=" + std::to_string(v);
    if (!preview.empty()) s += " preview=" + preview;
    for (const auto& r : leaving) s += " leaving=" + r.name();
    if (calls) calls->push_back(reject ? s + " (rejected)" : s);
    if (reject) fail(ErrorKind::deploy_rolled_back, "nginx rejected the new gateway configuration");
    current = w;
    return ++clock;
  }
  std::int64_t clock = 1000;  // what route() says the gateway's clock was
  std::map<std::string, int> weights() override { return current; }
  std::map<std::string, backend::SlotTraffic> traffic(std::int64_t) override { return seen; }
  std::string url() override { return "http://127.0.0.1:80/"; }
};

// A backend that runs nothing: it remembers what runs where and answers health
// checks from a table, and logs every call so the tests can read the order.
class FakeBackend : public backend::Backend {
 public:
  std::vector<std::string> locs = {"h1", "h2", "h3"};
  std::map<InstanceRef, int> running;          // ref -> revision
  std::set<std::pair<std::string, int>> sick;  // (location, revision) never healthy
  std::set<std::string> unreachable;           // locations that do not answer
  std::vector<std::string> calls;

  backend::Capabilities capabilities() const override { return {}; }
  std::vector<std::string> locations() override { return locs; }
  std::string address(const std::string&) override { return "127.0.0.1"; }
  void prepare(const backend::ReleaseSpec& r) override {
    calls.push_back("prepare r" + std::to_string(r.revision));
    if (prepare_error) fail(*prepare_error, "preparing revision {} on h1: it failed", r.revision);
  }
  // Engine-test switches: prepare() throws this kind, activate() throws,
  // on_start runs inside every start() (a lost lock, an interrupt).
  std::optional<ErrorKind> prepare_error;
  bool activate_fails = false;
  std::function<void()> on_start;
  std::set<int> refuse;  // revisions start() fails for (a port taken)
  int health_calls = 0;
  std::function<void()> on_health;    // runs before each health() answers
  int active = 0;                     // what activate() made current
  std::vector<InstanceSpec> started;  // every instance start() was asked for, with its port
  std::map<InstanceRef, int> ports;   // ref -> the port it runs on
  int status_base_port = 0;           // > 0: status() numbers ports from it, as the engine does

  std::vector<backend::Failure> start(const std::vector<InstanceSpec>& in) override {
    if (on_start) on_start();
    std::vector<backend::Failure> f;
    for (const auto& s : in) {
      started.push_back(s);
      ports[s.ref] = s.port;
      calls.push_back("start " + s.ref.location + (s.ref.slot == "a" ? "" : "/" + s.ref.slot) + " r" +
                      std::to_string(s.revision));
      if (unreachable.count(s.ref.location))
        f.push_back({s.ref, "unreachable", true});
      else if (refuse.count(s.revision))
        f.push_back({s.ref, "port " + std::to_string(s.port) + " is taken", false});
      else
        running[s.ref] = s.revision;
    }
    return f;
  }
  std::vector<backend::Probe> health(const std::vector<InstanceSpec>& in) override {
    ++health_calls;
    if (on_health) on_health();
    std::vector<backend::Probe> out;
    for (const auto& s : in) {
      bool up = running.count(s.ref) && running[s.ref] == s.revision && !sick.count({s.ref.location, s.revision});
      bool gone = unreachable.count(s.ref.location) > 0;
      out.push_back({s.ref, up, gone, up ? "HTTP 200" : "HTTP 503"});
    }
    return out;
  }
  std::vector<backend::Failure> stop(const std::vector<InstanceRef>& in) override {
    std::vector<backend::Failure> f;
    for (const auto& r : in) {
      calls.push_back("stop " + r.location + (r.slot == "a" ? "" : "/" + r.slot));
      if (unreachable.count(r.location)) f.push_back({r, "unreachable", true});
      running.erase(r);
    }
    return f;
  }
  void activate(int revision) override {
    calls.push_back("activate r" + std::to_string(revision));
    if (activate_fails) fail(ErrorKind::io, "h1: cannot switch the current link");
    active = revision;
  }
  void cleanup(const std::vector<int>&) override {}
  backend::TargetStatus status() override {
    backend::TargetStatus st;
    for (const auto& [ref, rev] : running) {
      backend::InstanceStatus s;
      s.ref = ref;
      s.revision = rev;
      s.state = backend::InstanceState::running;
      backend::AppSpec app;
      app.base_port = status_base_port;
      s.port = status_base_port > 0 ? backend::instance_port(app, ref) : ports[ref];
      st.instances.push_back(s);
    }
    for (const auto& l : locs) st.current[l] = active;
    return st;
  }
  void logs(const backend::LogOptions&, const backend::LineSink&) override {}
  MemoryStore store;
  KvStore& state() override { return store; }

  FakeRouter gateway;
  bool has_gateway = false;
  std::map<InstanceRef, long long> stop_after_ms;  // deferred stops asked for
  backend::Router* router() override {
    gateway.calls = &calls;
    return has_gateway ? &gateway : nullptr;
  }
  std::vector<backend::Failure> stop_after(const std::vector<InstanceRef>& in, backend::Duration d) override {
    for (const auto& r : in) {
      calls.push_back("stop_after " + r.name() + " " + std::to_string(d.count()));
      stop_after_ms[r] = d.count();
    }
    return {};
  }
  // keep_running(): these instances' deferred stop had begun (the keep window
  // ended between the release's reading and its keeping): they are stopped.
  std::set<InstanceRef> retired;
  std::vector<backend::Failure> keep_running(const std::vector<InstanceRef>& in) override {
    std::vector<backend::Failure> gone;
    for (const auto& r : in) {
      calls.push_back("keep " + r.name());
      stop_after_ms.erase(r);
      if (!retired.count(r)) continue;
      running.erase(r);
      gone.push_back({r, r.name() + " no longer runs", false, true});
    }
    return gone;
  }
};

}  // namespace ecp::testing
