// The KvStore at the cluster, so every machine that releases there shares one
// ledger and one lock:
//   lock.json             the Lease ecp-<app>-<env>: holderIdentity, leaseDurationSeconds,
//                         acquireTime and renewTime kept from the lease, whose exact bytes
//                         sit in the annotation ecp.io/lease
//   ledger/rNNNNNN.json   the ConfigMap ecp-<app>-<env>-r<N>
//   private/...           a Secret (key material, exact configurations)
//   anything else         a ConfigMap ecp-<app>-<env>-<key, '/' as '.'>
// Each entry holds its key in the annotation ecp.io/key. Every compare-and-swap is
// the API server's own: a write carries the resourceVersion it read (409 when
// another writer came first), a create fails with 409 when the name exists, a
// delete carries a resourceVersion precondition.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "core/util/error.hpp"
#include "core/util/text.hpp"
#include "plugins/kubernetes/kube_backend.hpp"

namespace ecp::plugins::kubernetes {
namespace {

enum class Home { lease, secret, config_map };

struct Place {
  Home home;
  std::string name;
  std::string path;  // of the object
};

bool is_private(const std::string& key) { return key.starts_with("private/"); }

std::string object_name(const Names& n, const std::string& key) {
  if (key.starts_with("ledger/r") && key.ends_with(".json")) {
    std::string digits = key.substr(8, key.size() - 13);
    if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos)
      return fmt::format("ecp-{}-r{}", n.instance(), std::atoi(digits.c_str()));
  }
  std::string s = key;
  std::replace(s.begin(), s.end(), '/', '.');
  std::replace(s.begin(), s.end(), '_', '-');
  return fmt::format("ecp-{}-{}", n.instance(), s);
}

Place place_of(const Names& n, const std::string& key) {
  if (key == "lock.json") return {Home::lease, n.lease(), lease_path(n.ns, n.lease())};
  std::string name = object_name(n, key);
  if (is_private(key)) return {Home::secret, name, core_path(n.ns, "secrets", name)};
  return {Home::config_map, name, core_path(n.ns, "configmaps", name)};
}

// What an object holds for its key; nullopt when it holds nothing readable.
std::optional<std::string> value_of(Home home, const Json& obj) {
  if (home == Home::lease) {
    auto a = obj["metadata"].value("annotations", Json::object());
    if (!a.contains("ecp.io/lease")) return std::nullopt;
    return a["ecp.io/lease"].get<std::string>();
  }
  auto data = obj.value("data", Json::object());
  if (!data.contains("value") || !data["value"].is_string()) return std::nullopt;
  if (home == Home::secret) return text::base64_decode(data["value"].get<std::string>());
  return data["value"].get<std::string>();
}

std::string micro_time(std::int64_t ms) {
  std::string s = text::rfc3339(ms / 1000);
  return s.substr(0, s.size() - 1) + fmt::format(".{:06}Z", (ms % 1000) * 1000);
}

Json object_for(const Names& n, const Place& p, const std::string& key, std::string_view data) {
  Json labels = n.labels();
  labels["ecp.io/kind"] = p.home == Home::lease ? "lock" : "state";
  if (key.starts_with("ledger/")) labels["ecp.io/kind"] = "ledger";
  Json meta = {{"name", p.name}, {"namespace", n.ns}, {"labels", labels}, {"annotations", {{"ecp.io/key", key}}}};
  if (p.home == Home::lease) {
    meta["annotations"]["ecp.io/lease"] = std::string(data);
    auto lease = Json::parse(data, nullptr, false);
    Json spec = Json::object();
    if (lease.is_object()) {
      // Renewals rewrite the lease with a later expiry: renewTime is now, and the
      // duration what is left of it, so `kubectl get lease` tells when it ends.
      std::int64_t since = lease.value("since_ms", std::int64_t(0)), until = lease.value("expires_ms", std::int64_t(0));
      std::int64_t now =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      spec["holderIdentity"] = lease.value("holder", "");
      spec["leaseDurationSeconds"] = std::max<std::int64_t>(1, (until - now + 999) / 1000);
      spec["acquireTime"] = micro_time(since);
      spec["renewTime"] = micro_time(now);
    }
    return {{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"}, {"metadata", meta}, {"spec", spec}};
  }
  if (p.home == Home::secret)
    return {{"apiVersion", "v1"},
            {"kind", "Secret"},
            {"metadata", meta},
            {"type", "Opaque"},
            {"data", {{"value", text::base64_encode(data)}}}};
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", meta}, {"data", {{"value", std::string(data)}}}};
}

// The keys that only the lock's holder writes, so that a snapshot of them stays
// true while this process holds it. retire.json is not one: any reader of the
// target may claim a pending scale-down.
bool snapshot_holds(const Place& p, const std::string& key) {
  return p.home == Home::config_map && key != "kubernetes/retire.json";
}

std::string collection(const Names& n, Home home) {
  switch (home) {
    case Home::lease:
      return lease_path(n.ns);
    case Home::secret:
      return core_path(n.ns, "secrets");
    case Home::config_map:
      break;
  }
  return core_path(n.ns, "configmaps");
}

}  // namespace

// What this process last saw of a key: its bytes and resourceVersion (from a
// read, or the answer to its own write), so a write usually needs no read first.
// The server's resourceVersion check keeps it honest: a stale entry costs a 409
// and a fresh read, never a wrong write.
void KubeBackend::remember(const std::string& key, const Json& obj) {
  auto p = place_of(names_, key);
  std::lock_guard g(seen_mu_);
  auto v = value_of(p.home, obj);
  if (!v) {
    seen_.erase(key);
    return;
  }
  seen_[key] = {*v, obj["metadata"].value("resourceVersion", "")};
}

void KubeBackend::forget(const std::string& key) {
  std::lock_guard g(seen_mu_);
  seen_.erase(key);
}

std::optional<KubeBackend::Seen> KubeBackend::seen(const std::string& key) {
  std::lock_guard g(seen_mu_);
  auto it = seen_.find(key);
  if (it == seen_.end()) return std::nullopt;
  return it->second;
}

bool KubeBackend::listed() {
  std::lock_guard g(seen_mu_);
  return listed_;
}

void KubeBackend::drop_snapshot() {
  std::lock_guard g(seen_mu_);
  listed_ = false;
  service_.reset();
}

std::optional<Json> KubeBackend::find_service() {
  {
    std::lock_guard g(seen_mu_);
    if (service_) return *service_;
  }
  auto svc = api_->find(core_path(names_.ns, "services", names_.service()));
  std::lock_guard g(seen_mu_);
  service_ = svc;
  return svc;
}

void KubeBackend::saw_service(const Json& service) {
  std::lock_guard g(seen_mu_);
  service_ = service;
}

std::optional<std::string> KubeBackend::get(const std::string& key) {
  auto p = place_of(names_, key);
  if (snapshot_holds(p, key)) {
    // The first read of a ConfigMap entry lists them all: the ledger's list,
    // which every command reads next, then costs no request of its own.
    if (!listed()) list("ledger/");
    std::lock_guard g(seen_mu_);
    if (listed_) {
      auto it = seen_.find(key);
      if (it == seen_.end()) return std::nullopt;
      return it->second.value;
    }
  }
  auto obj = api_->find(p.path);
  if (!obj) {
    forget(key);
    return std::nullopt;
  }
  remember(key, *obj);
  return value_of(p.home, *obj);
}

std::optional<std::string> KubeBackend::peek(const std::string& key) {
  if (place_of(names_, key).home == Home::config_map) {
    std::lock_guard g(seen_mu_);
    if (listed_) {
      auto it = seen_.find(key);
      if (it == seen_.end()) return std::nullopt;
      return it->second.value;
    }
  }
  return get(key);
}

std::vector<std::pair<std::string, std::string>> KubeBackend::list(const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<Home> homes{Home::config_map};
  if (std::string("private/").starts_with(prefix) || is_private(prefix)) homes.push_back(Home::secret);
  if (std::string("lock.json").starts_with(prefix)) homes.push_back(Home::lease);
  for (Home h : homes) {
    if (h == Home::config_map) {
      std::lock_guard g(seen_mu_);
      if (listed_) {
        for (const auto& [key, s] : seen_)
          if (key.starts_with(prefix) && place_of(names_, key).home == Home::config_map &&
              key != "kubernetes/retire.json")
            out.emplace_back(key, s.value);
        continue;
      }
    }
    auto all = api_->get(collection(names_, h) + "?labelSelector=" + names_.selector());
    std::vector<std::string> present;
    for (const auto& obj : all.value("items", Json::array())) {
      auto a = obj["metadata"].value("annotations", Json::object());
      std::string key = a.value("ecp.io/key", "");
      if (key.empty()) continue;
      auto v = value_of(h, obj);
      if (v) remember(key, obj);  // every entry: the list is the snapshot
      if (v) present.push_back(key);
      if (v && key.starts_with(prefix)) out.emplace_back(key, *v);
    }
    if (h == Home::config_map) {
      std::lock_guard g(seen_mu_);
      std::erase_if(seen_, [&](const auto& e) {
        return place_of(names_, e.first).home == Home::config_map &&
               std::find(present.begin(), present.end(), e.first) == present.end();
      });
      listed_ = true;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void KubeBackend::put(const std::string& key, std::string_view data) {
  auto p = place_of(names_, key);
  Json body = object_for(names_, p, key, data);
  // An unconditional write: a PUT without a resourceVersion where the object is
  // known, else a create; each falls back to the other.
  bool known = seen(key).has_value();
  for (int attempt = 0; attempt < 4; ++attempt, known = !known) {
    try {
      remember(key, known ? api_->call("PUT", p.path, body) : api_->call("POST", collection(names_, p.home), body));
      return;
    } catch (const KubeError& e) {
      if (e.status() != 404 && e.status() != 409) throw;  // absent, or created meanwhile: the other way
      drop_snapshot();
    }
  }
  fail(ErrorKind::deploy_failed, "{}: writing {} lost the race 4 times", location_, describe(key));
}

bool KubeBackend::put_if(const std::string& key, std::string_view data, const std::optional<std::string>& expected) {
  auto p = place_of(names_, key);
  if (p.home == Home::lease) drop_snapshot();  // the lock changes hands (or is renewed): read afresh
  Json body = object_for(names_, p, key, data);
  try {
    if (!expected) {  // only when absent: the create is the compare-and-swap
      remember(key, api_->call("POST", collection(names_, p.home), body));
      return true;
    }
  } catch (const KubeError& e) {
    if (e.status() != 409) throw;
    drop_snapshot();
    return false;
  }
  // Replace `expected`: with the resourceVersion it was seen at, else read first.
  auto known = seen(key);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!known || known->value != *expected) {
      auto cur = get(key);
      if (!cur || *cur != *expected) return false;
      known = seen(key);
      if (!known) return false;
    }
    body["metadata"]["resourceVersion"] = known->resource_version;
    try {
      remember(key, api_->call("PUT", p.path, body));
      return true;
    } catch (const KubeError& e) {
      if (e.status() != 409 && e.status() != 404) throw;
      drop_snapshot();
      known.reset();  // stale: read it again (a real change of the bytes answers false then)
    }
  }
  return false;
}

bool KubeBackend::remove_if(const std::string& key, const std::string& expected) {
  auto p = place_of(names_, key);
  if (p.home == Home::lease) drop_snapshot();
  auto known = seen(key);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!known || known->value != expected) {
      auto cur = get(key);
      if (!cur || *cur != expected) return false;
      known = seen(key);
      if (!known) return false;
    }
    Json options = {{"apiVersion", "v1"},
                    {"kind", "DeleteOptions"},
                    {"preconditions", {{"resourceVersion", known->resource_version}}}};
    try {
      api_->call("DELETE", p.path, options);
      forget(key);
      return true;
    } catch (const KubeError& e) {
      if (e.status() != 409 && e.status() != 404) throw;
      drop_snapshot();
      known.reset();
    }
  }
  return false;
}

std::string KubeBackend::describe(const std::string& key) {
  auto p = place_of(names_, key);
  const char* kind = p.home == Home::lease ? "Lease" : p.home == Home::secret ? "Secret" : "ConfigMap";
  return fmt::format("{} {}/{} (key {})", kind, names_.ns, p.name, key);
}

}  // namespace ecp::plugins::kubernetes
