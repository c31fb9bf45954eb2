// The pieces blue-green and canary share: which slot is live, which is idle,
// the split at a canary step, and the judgement of a step's traffic.
#include <fmt/format.h>

#include "core/strategy/strategy.hpp"

namespace ecp::strategy {

std::string live_slot(const std::map<std::string, int>& weights, const std::vector<backend::InstanceSpec>& running) {
  std::string best;
  int most = 0;
  for (const auto& [slot, w] : weights)
    if (w > most) {
      most = w;
      best = slot;
    }
  if (!best.empty()) return best;
  return running.empty() ? "" : running.front().ref.slot;
}

std::string idle_slot(const std::string& live) { return live == "a" ? "b" : "a"; }

std::map<std::string, int> step_weights(const std::string& live, const std::string& canary, int percent) {
  if (percent >= 100 || live.empty() || live == canary) return {{canary, 100}};
  return {{live, 100 - percent}, {canary, percent}};
}

Verdict judge(const backend::SlotTraffic& t, const Analysis& a) {
  Verdict v;
  if (t.requests < std::max(a.min_requests, 1)) {
    v.detail = fmt::format("{} request(s), fewer than the {} needed to judge error rate and latency", t.requests,
                           std::max(a.min_requests, 1));
    return v;
  }
  v.judged = true;
  double rate = 100.0 * t.errors / t.requests;
  std::string rates =
      fmt::format("error rate {:.1f}% ({} of {} requests), p95 {} ms", rate, t.errors, t.requests, t.p95.count());
  if (rate > a.max_error_rate) {
    v.ok = false;
    v.detail = fmt::format("error rate {:.1f}% > {}% ({} of {} requests answered 5xx)", rate, a.max_error_rate,
                           t.errors, t.requests);
  } else if (a.max_p95.count() > 0 && t.p95 > a.max_p95) {
    v.ok = false;
    v.detail = fmt::format("p95 latency {} ms > {} ms ({} requests)", t.p95.count(), a.max_p95.count(), t.requests);
  } else {
    v.detail = rates;
  }
  return v;
}

}  // namespace ecp::strategy
