// The blue-green keep window on an engine target, without ecp running.
//
// After a flip the old slot's containers keep running for `keep` so that a
// rollback only flips the gateway back; then they must stop, whether or not an
// ecp process is still there. The Docker API has no timed stop, and a container
// cannot reliably stop itself (PID 1 ignores signals it has no handler for, and
// the restart policy would bring it back), so the deadline is recorded at the
// engine, in the same state the ledger lives in: the key engine/retire holds
// {"LOCATION NAME": {location, name, id, at}}, `at` in Unix ms (one entry per
// container of each engine: the names repeat across engines). Every ecp command that reads the
// target's state through status() (release, rollback, status, canary, logs...)
// from any machine first stops the containers whose time has come, provided
// their ID is still the one recorded (a container started anew since is not the
// one that was retiring). A start of an instance makes a new container (its
// entry no longer matches); keep_running() removes the entry. The stop is
// claimed first, by a compare-and-swap that marks the entries `stopping`, and
// the container is then removed by its ID: keep_running() sees the mark (or a
// container that is gone) and answers `stopped`, so the release starts the
// instance again instead of trusting one that is on its way out. So the stop happens at the first ecp command on the
// target after the deadline; the old slot takes no traffic meanwhile (the gateway sends it none). A delay of 5 s or
// less (the drain after a canary's last step) ecp waits out itself before it stops them. A cron job running `ecp
// status` makes the stop punctual where that matters.
#include <fmt/format.h>

#include <chrono>
#include <set>
#include <thread>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "plugins/engine/engine_backend.hpp"

namespace ecp::plugins::engine {
namespace {

constexpr const char* retire_key = "engine/retire";
constexpr backend::Duration short_delay{5000};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Json parse_entries(const std::optional<std::string>& text) {
  auto j = text ? Json::parse(*text, nullptr, false) : Json::object();
  return j.is_object() ? j : Json::object();
}

// Read, change, compare-and-swap: another machine may write the key meanwhile.
void update_entries(KvStore& kv, const std::function<void(Json&)>& change) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto cur = kv.get(retire_key);
    auto m = parse_entries(cur);
    auto before = m.dump();
    change(m);
    if (m.dump() == before) return;
    if (kv.put_if(retire_key, m.dump(), cur)) return;
  }
  fail(ErrorKind::deploy_failed, "the keep-window record {} changes too often to update", retire_key);
}

}  // namespace

std::string retire_key_of(const std::string& location, const std::string& name) { return location + " " + name; }

std::vector<backend::Failure> EngineBackend::stop_after(const std::vector<backend::InstanceRef>& instances,
                                                        backend::Duration delay) {
  if (delay.count() <= 0) return stop(instances);
  // A drain of a few seconds (canary's end, a keep window of 0) is waited for
  // here, so that the old slot is gone when the command ends, as on hosts.
  if (delay <= short_delay) {
    std::this_thread::sleep_for(delay);
    return stop(instances);
  }
  std::vector<backend::Failure> failures;
  std::map<std::string, Json> entries;
  auto at = now_ms() + delay.count();
  for (const auto& ref : instances) {
    auto name = container_name(app_, ref);
    try {
      auto r = api(ref.location).call({"GET", fmt::format("/containers/{}/json", name)}, {404});
      if (r.status != 404)
        entries[retire_key_of(ref.location, name)] = {{"location", ref.location},
                                                      {"name", name},
                                                      {"id", Json::parse(r.body, nullptr, false).value("Id", "")},
                                                      {"at", at}};
    } catch (const EngineError& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      failures.push_back({ref, step(ref.location, fmt::format("scheduling the stop of {}: {}", ref.name(), e.what())),
                          e.status() == 0});
    }
  }
  update_entries(*this, [&](Json& m) {
    for (const auto& [key, entry] : entries) m[key] = entry;
  });
  return failures;
}

std::vector<backend::Failure> EngineBackend::keep_running(const std::vector<backend::InstanceRef>& instances) {
  std::set<std::string> stopping;  // keys whose stop was claimed already
  update_entries(*this, [&](Json& m) {
    stopping.clear();
    for (const auto& ref : instances) {
      auto key = retire_key_of(ref.location, container_name(app_, ref));
      auto it = m.find(key);
      if (it == m.end()) continue;
      if (it->is_object() && it->value("stopping", false))
        stopping.insert(key);
      else
        m.erase(key);
    }
  });
  std::vector<backend::Failure> failures;
  for (const auto& ref : instances) {
    auto name = container_name(app_, ref);
    bool runs = false;
    if (!stopping.count(retire_key_of(ref.location, name))) {
      auto r = api(ref.location).call({"GET", fmt::format("/containers/{}/json", name)}, {404});
      auto info = r.status == 404 ? Json() : Json::parse(r.body, nullptr, false);
      runs = info.is_object() && info.contains("State") && info["State"].is_object() &&
             info["State"].value("Running", false);
    }
    if (!runs)
      failures.push_back(
          {ref, step(ref.location, fmt::format("{} no longer runs: its keep window ended", name)), false, true});
  }
  return failures;
}

std::map<std::string, std::int64_t> EngineBackend::retire_due() {
  std::map<std::string, std::int64_t> pending;
  auto cur = get(retire_key);
  if (!cur) return pending;
  auto m = parse_entries(cur);
  auto now = now_ms();
  std::vector<std::string> done;
  struct Due {
    std::string location, name, id;
  };
  std::map<std::string, Due> due;
  for (const auto& [key, e] : m.items()) {
    if (!e.is_object()) {
      done.push_back(key);
      continue;
    }
    auto location = e.value("location", "");
    auto name = e.value("name", "");
    std::string id;
    try {
      auto r = api(location).call({"GET", fmt::format("/containers/{}/json", name)}, {404});
      id = r.status == 404 ? "" : Json::parse(r.body, nullptr, false).value("Id", "");
    } catch (const Error& err) {
      // An engine that is away (or one the target no longer lists) keeps its
      // entry: the next command tries again.
      if (err.kind() == ErrorKind::interrupted) throw;
      pending[key] = e.value("at", std::int64_t{0});
      continue;
    }
    std::int64_t at = e.value("at", std::int64_t{0});
    if (id.empty() || id != e.value("id", "")) {
      done.push_back(key);  // gone, or started anew since: not the one retiring
    } else if (at <= now) {
      due[key] = {location, name, id};
    } else {
      pending[key] = at;
    }
  }
  for (const auto& n : done) m.erase(n);
  if (due.empty()) {
    if (!done.empty()) put_if(retire_key, m.dump(), cur);  // lost to another writer: it saw the same
    return pending;
  }
  // Claim the stops before making them: a keep_running() that lost this race
  // sees `stopping`; one that won removed the entries and the swap fails.
  for (const auto& [key, d] : due) m[key]["stopping"] = true;
  if (!put_if(retire_key, m.dump(), cur)) {
    for (const auto& [key, d] : due) pending[key] = now;  // the next command tries again
    return pending;
  }
  for (const auto& [key, d] : due) {
    log::info("{}", step(d.location, fmt::format("the keep window of {} is over: stopping it", d.name)));
    remove_container(d.location, d.id, true);  // by ID: a container started anew since stays
  }
  update_entries(*this, [&](Json& e) {
    for (const auto& [key, d] : due)
      if (e.contains(key) && e[key].is_object() && e[key].value("id", "") == d.id) e.erase(key);
  });
  return pending;
}

}  // namespace ecp::plugins::engine
