// The blue-green keep window on a kubernetes target, without ecp running.
//
// After the Service's selector flips, the old slot's Deployment keeps its
// replicas for `keep`, so that a rollback inside the window is one more flip;
// then it must go to 0 replicas, whether or not an ecp process is still there.
// Kubernetes has no timed scale, and a CronJob would need an image with a
// client and RBAC of its own in every namespace, so the deadline is recorded at
// the cluster, beside the ledger: the ConfigMap of key kubernetes/retire.json
// holds {"SLOT": {"at": Unix ms, "stopping": bool}}. Every ecp command that
// reads the target through status() (release, rollback, status, history of
// the instances, logs) from any machine first scales to 0 the slots whose time
// has come. The scale is claimed first by a compare-and-swap that marks the
// slot `stopping`, so keep_running() (a rollback inside the window) either
// removes the entry before the claim, or answers `stopped` and the release
// scales the slot up again. The old slot takes no traffic meanwhile: the
// Service selects only the live one. A cron job running `ecp status` makes the
// scale-down punctual where that matters.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "plugins/kubernetes/kube_backend.hpp"
#include "plugins/kubernetes/kube_rollout_state.hpp"

namespace ecp::plugins::kubernetes {
namespace {

constexpr const char* retire_key = "kubernetes/retire.json";
constexpr backend::Duration wait_it_out{5000};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Json parse(const std::optional<std::string>& raw) {
  if (!raw) return Json::object();
  auto j = Json::parse(*raw, nullptr, false);
  return j.is_object() ? j : Json::object();
}

}  // namespace

bool KubeBackend::edit_retire(const std::function<bool(Json&)>& change) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto raw = get(retire_key);
    Json j = parse(raw);
    if (!change(j)) return false;
    bool ok = j.empty() ? (!raw || remove_if(retire_key, *raw)) : put_if(retire_key, j.dump() + "\n", raw);
    if (ok) return true;
  }
  fail(ErrorKind::deploy_failed, "{}: {} kept changing under ecp", location_, describe(retire_key));
}

std::vector<backend::Failure> KubeBackend::stop_after(const std::vector<backend::InstanceRef>& instances,
                                                      backend::Duration delay) {
  if (delay <= wait_it_out) {
    std::this_thread::sleep_for(delay);
    return stop(instances);
  }
  std::int64_t at = now_ms() + delay.count();
  edit_retire([&](Json& j) {
    for (const auto& r : instances) j[r.slot] = {{"at", at}, {"stopping", false}};
    return true;
  });
  return {};
}

std::vector<backend::Failure> KubeBackend::keep_running(const std::vector<backend::InstanceRef>& instances) {
  std::vector<backend::Failure> out;
  std::set<std::string> lost;
  edit_retire([&](Json& j) {
    lost.clear();
    bool changed = false;
    for (const auto& r : instances) {
      if (!j.contains(r.slot)) continue;
      if (j[r.slot].value("stopping", false)) {
        lost.insert(r.slot);
      } else {
        j.erase(r.slot);
        changed = true;
      }
    }
    return changed;
  });
  for (const auto& r : instances) {
    auto live = live_deployment(r.slot);
    bool running = live && rollout_state(*live).replicas > r.index && !lost.count(r.slot);
    if (!running)
      out.push_back({r, fmt::format("slot {} was scaled down at the end of its keep window", r.slot), false, true});
  }
  return out;
}

void KubeBackend::cancel_retire(const std::string& slot) {
  edit_retire([&](Json& j) { return j.erase(slot) > 0; });
}

std::map<std::string, std::int64_t> KubeBackend::retire_due() {
  std::map<std::string, std::int64_t> pending;
  // The snapshot's copy is enough to see that nothing is due; anything due is
  // decided on a fresh read (another process may have claimed or ended it).
  Json j = parse(peek(retire_key));
  std::int64_t now = now_ms();
  auto due = [&](const Json& e) { return e.value("at", std::int64_t(0)) <= now || e.value("stopping", false); };
  if (std::any_of(j.begin(), j.end(), due)) j = parse(get(retire_key));
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string slot = it.key();
    std::int64_t at = it.value().value("at", std::int64_t(0));
    if (at > now && !it.value().value("stopping", false)) {
      pending[slot] = at;
      continue;
    }
    // Claim it, so a rollback inside the window sees it is on its way out.
    bool claimed = edit_retire([&](Json& cur) {
      if (!cur.contains(slot) || cur[slot].value("stopping", false)) return false;
      cur[slot]["stopping"] = true;
      return true;
    });
    if (!claimed && !j[slot].value("stopping", false)) continue;
    try {
      if (auto live = live_deployment(slot)) {
        int revision = rollout_state(*live).revision;
        if (revision > 0) apply_slot(slot, revision, 0, nullptr);
        log::info("{}: slot {}'s keep window ended: deployment/{} scaled to 0", location_, slot,
                  names_.deployment(slot));
      }
      edit_retire([&](Json& cur) { return cur.erase(slot) > 0; });
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      log::warn("{}: scaling down slot {} at the end of its keep window failed: {}", location_, slot, e.what());
    }
  }
  return pending;
}

}  // namespace ecp::plugins::kubernetes
