// replace(): a slot's Deployment applied, and its rollout watched until it is
// complete or fails. The watch starts at the resourceVersion of the apply's
// answer, is renewed from the last one seen whenever the server ends it (each
// window is short, so an interrupt or a lost lock is noticed soon), and starts
// over from a fresh read after 410 Gone. Between windows the new pods are
// looked at: one that cannot pull its image or crash-loops fails the rollout
// without waiting out the progress deadline.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "core/util/text.hpp"
#include "plugins/kubernetes/kube_backend.hpp"
#include "plugins/kubernetes/kube_rollout_state.hpp"

namespace ecp::plugins::kubernetes {
namespace {

constexpr std::chrono::seconds watch_window{5};

// Waiting reasons that will not cure themselves within a rollout.
bool fatal_waiting(const std::string& reason) {
  static const std::set<std::string> fatal{"ErrImagePull",      "ImagePullBackOff",           "InvalidImageName",
                                           "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError"};
  return fatal.count(reason) > 0;
}

std::string rv_of(const Json& obj) { return obj.value("metadata", Json::object()).value("resourceVersion", ""); }

// What one rollout's watch has seen so far, and what it makes of a Deployment.
enum class Next { watch, look, over };  // go on, stop to look at the pods, or it is over
struct Watched {
  Watched(std::string deployment, const Json& applied, int deadline_s,
          std::function<void(const std::string&)> progress_sink)
      : name(std::move(deployment)),
        generation(applied.value("metadata", Json::object()).value("generation", std::int64_t(0))),
        applied_at(applied_time(applied)),
        deadline(deadline_s),
        quiet_limit(deadline_s * 2 + 30),
        progress(std::move(progress_sink)) {}

  const std::string name;
  const std::int64_t generation;
  const std::string applied_at;  // a deadline condition from before this is stale
  const int deadline;
  // A bound of ecp's own, should the controller never say: no change at all for
  // well past the progress deadline.
  const std::chrono::seconds quiet_limit;
  std::function<void(const std::string&)> progress;
  std::string last_line, verdict;
  bool done = false;
  std::map<std::string, std::string> pod_states;  // the new pods' states shown so far
  std::chrono::steady_clock::time_point last_change = std::chrono::steady_clock::now();
  // The new pods are looked at when the rollout moves (at most once a second) and
  // when a watch window ends; the watch stops for it, so that no request is sent
  // from inside another's callback.
  std::chrono::steady_clock::time_point pods_looked_at = last_change - std::chrono::seconds(1);

  Next judge(const Json& d) {
    auto st = rollout_state(d, applied_at);
    if (d.value("metadata", Json::object()).value("generation", std::int64_t(0)) < generation) return Next::watch;
    if (st.observed && st.complete) {
      done = true;
      progress(fmt::format("deployment/{}: {}", name, st.summary));
      return Next::over;
    }
    if (st.observed && st.deadline_exceeded) {
      verdict =
          fmt::format("deployment/{} made no progress within its deadline ({} s): {}", name, deadline, st.summary);
      return Next::over;
    }
    if (std::string line = fmt::format("deployment/{}: {}", name, st.summary); line != last_line) {
      last_line = line;
      last_change = std::chrono::steady_clock::now();
      progress(line);
      if (st.observed && last_change - pods_looked_at >= std::chrono::seconds(1)) return Next::look;
    }
    return Next::watch;
  }

  void on_pod(const std::string& pod, const std::string& state) {
    if (auto& last = pod_states[pod]; last != state) {
      last = state;
      progress(fmt::format("pod {}: {}", pod, state));
    }
  }
};

}  // namespace

std::string KubeBackend::pod_trouble(const std::string& slot, int revision, bool final_check,
                                     const std::function<void(const std::string&, const std::string&)>& on_pod) {
  std::string selector = text::url_encode(fmt::format("app.kubernetes.io/instance={},ecp.io/slot={},ecp.io/revision={}",
                                                      names_.instance(), slot, revision));
  auto pods = api_->get(core_path(names_.ns, "pods") + "?labelSelector=" + selector);
  std::vector<std::string> lines;
  std::set<std::string> named;
  const int crash_limit = std::max(1, app_.health.retries);
  for (const auto& pod : pods.value("items", Json::array())) {
    std::string name = pod["metadata"].value("name", "");
    for (const auto& cs : pod.value("status", Json::object()).value("containerStatuses", Json::array())) {
      auto waiting = cs.value("state", Json::object()).value("waiting", Json::object());
      std::string reason = waiting.value("reason", "");
      int restarts = cs.value("restartCount", 0);
      if (on_pod)
        on_pod(name, cs.value("ready", false) ? std::string("ready")
                     : !reason.empty()        ? reason
                                              : std::string("not ready"));
      bool crash = reason == "CrashLoopBackOff" && restarts >= crash_limit;
      if (fatal_waiting(reason) || crash || (final_check && !cs.value("ready", false))) {
        std::string why = reason.empty() ? std::string("not ready") : reason;
        if (restarts > 0) why += fmt::format(", {} restart(s)", restarts);
        if (auto m = waiting.value("message", ""); !m.empty()) why += ": " + m;
        lines.push_back(fmt::format("pod {}: {}", name, why));
        named.insert(name);
      }
    }
  }
  if (lines.empty()) return {};
  // The pods' last Warning events: the kubelet's own words (probe output, pull errors).
  try {
    auto events = api_->get(core_path(names_.ns, "events") +
                            "?fieldSelector=" + text::url_encode("type=Warning,involvedObject.kind=Pod"));
    std::map<std::string, std::string> last;
    for (const auto& ev : events.value("items", Json::array())) {
      std::string pod = ev.value("involvedObject", Json::object()).value("name", "");
      if (named.count(pod)) last[pod] = fmt::format("{}: {}", ev.value("reason", ""), ev.value("message", ""));
    }
    for (const auto& [pod, words] : last) lines.push_back(fmt::format("pod {} last warning: {}", pod, words));
  } catch (const KubeError&) {
    // The events only explain; the pods' state already says what failed.
  }
  return text::join(lines, "; ");
}

std::string KubeBackend::watch_rollout(const std::string& slot, const Json& applied, int revision,
                                       const std::function<void(const std::string&)>& progress,
                                       const std::function<bool()>& should_stop) {
  Watched w(names_.deployment(slot), applied, settings_.progress_deadline_s, progress);
  std::string rv = rv_of(applied);
  auto on_pod = [&](const std::string& pod, const std::string& state) { w.on_pod(pod, state); };
  // The verdict of a deadline gets the pods' words.
  auto finish = [&]() {
    if (!w.verdict.empty())
      if (auto t = pod_trouble(slot, revision, true); !t.empty()) w.verdict += "; " + t;
    return w.verdict;
  };
  if (w.judge(applied) == Next::over) return finish();
  const std::string path =
      apps_path(names_.ns, "deployments") + "?fieldSelector=" + text::url_encode("metadata.name=" + w.name);
  for (;;) {
    process::check_interrupted();
    if (should_stop && should_stop()) return "the lock was lost";
    auto end = api_->watch(path, rv, watch_window, [&](const WatchEvent& ev) {
      if (auto v = rv_of(ev.object); !v.empty()) rv = v;
      if (ev.type == "DELETED") {
        w.verdict = fmt::format("deployment/{} was deleted during the rollout", w.name);
        return false;
      }
      if (ev.type == "ADDED" || ev.type == "MODIFIED") return w.judge(ev.object) == Next::watch;
      return true;  // BOOKMARK: only the resourceVersion moves
    });
    if (w.done) return "";
    if (!w.verdict.empty()) return finish();
    if (end == KubeApi::WatchEnd::gone) {
      // Too far behind: read it again, and watch from there.
      auto d = api_->get(apps_path(names_.ns, "deployments", w.name));
      rv = rv_of(d);
      if (w.judge(d) == Next::over) return w.done ? "" : finish();
      continue;
    }
    // A look at the new pods: their states, and a crash or pull error at once.
    w.pods_looked_at = std::chrono::steady_clock::now();
    if (auto t = pod_trouble(slot, revision, false, on_pod); !t.empty())
      return fmt::format("deployment/{}: the new pods will not become ready: {}", w.name, t);
    if (std::chrono::steady_clock::now() - w.last_change > w.quiet_limit) {
      w.verdict = fmt::format("deployment/{}: no change in {} s: {}", w.name, w.quiet_limit.count(), w.last_line);
      return finish();
    }
  }
}

std::string KubeBackend::replace(const backend::Replacement& r, const std::function<void(const std::string&)>& progress,
                                 const std::function<bool()>& should_stop) {
  int revision = 0;
  if (!r.instances.empty()) {
    revision = r.instances.front().revision;
  } else if (auto live = live_deployment(r.slot)) {
    revision = rollout_state(*live).revision;  // nothing should run: the same template, no replicas
  } else {
    return "";  // nothing runs, and nothing should
  }
  Json applied;
  try {
    if (!r.instances.empty()) {
      ensure_service(r.slot);
      cancel_retire(r.slot);
    }
    applied = apply_slot(r.slot, revision, static_cast<int>(r.instances.size()), &r);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    // The API server refused the apply as a whole: nothing changed in the cluster.
    throw Error(ErrorKind::deploy_rolled_back, e.what());
  }
  progress(fmt::format("deployment/{}: revision {} applied, {} replica(s)", names_.deployment(r.slot), revision,
                       r.instances.size()));
  return watch_rollout(r.slot, applied, revision, progress, should_stop);
}

}  // namespace ecp::plugins::kubernetes
