// ecp status --drift: what runs, against the ledger.
#include <fmt/format.h>

#include <algorithm>

#include "core/ops/status.hpp"

namespace ecp::ops {

namespace {

const ledger::Record* record_of(const std::vector<ledger::Record>& records, int revision) {
  for (const auto& r : records)
    if (r.revision == revision) return &r;
  return nullptr;
}

bool lost(const backend::TargetStatus& st, const std::string& location) {
  return std::find(st.lost.begin(), st.lost.end(), location) != st.lost.end();
}

// The image and configuration the instance runs: by the ledger's record of its
// revision, then by what its location says that release holds.
void check_release(const ledger::Record& cur, const ledger::Record& r, const backend::InstanceStatus& i,
                   std::vector<Drift>& out) {
  const auto name = i.ref.name();
  if (r.image_digest != cur.image_digest)
    out.push_back({"image", name, cur.image_digest, fmt::format("{} (revision {})", r.image_digest, r.revision)});
  else if (!i.image_digest.empty() && i.image_digest != r.image_digest)
    out.push_back({"image", name, r.image_digest, i.image_digest + " (as installed there)"});
  if (r.config_digest != cur.config_digest)
    out.push_back({"config", name, cur.config_digest, fmt::format("{} (revision {})", r.config_digest, r.revision)});
  else if (!i.config_digest.empty() && i.config_digest != r.config_digest)
    out.push_back({"config", name, r.config_digest, i.config_digest + " (as installed there)"});
}

}  // namespace

std::vector<Drift> drift_of(const std::vector<ledger::Record>& records, const ledger::Record& cur,
                            const backend::TargetStatus& st, const std::map<std::string, int>& weights) {
  std::vector<Drift> out;
  auto counts = [&](const backend::InstanceRef& ref) {
    return std::any_of(cur.instances.begin(), cur.instances.end(), [&](const auto& e) {
      return e.location == ref.location && e.slot == ref.slot && e.index == ref.index;
    });
  };
  int running = 0;
  for (const auto& i : st.instances) {
    if (backend::is_down(i.state)) continue;
    if (!counts(i.ref)) {
      auto w = weights.find(i.ref.slot);
      bool has_traffic =
          w != weights.end() && w->second > 0 && (cur.instances.empty() || i.ref.slot != cur.instances.front().slot);
      if (i.stops_at.empty() && !has_traffic)
        out.push_back(
            {"stray", i.ref.name(), "not running", fmt::format("{}, revision {}", to_string(i.state), i.revision)});
      continue;
    }
    if (i.state != backend::InstanceState::running && i.state != backend::InstanceState::starting) {
      out.push_back({"missing", i.ref.name(), "running", std::string(to_string(i.state))});
      continue;
    }
    ++running;
    if (const auto* r = record_of(records, i.revision))
      check_release(cur, *r, i, out);
    else
      out.push_back({"revision", i.ref.name(), "a revision of the ledger", fmt::format("revision {}", i.revision)});
  }
  int lost_count = 0;
  for (const auto& e : cur.instances) {
    backend::InstanceRef ref{e.location, e.slot, e.index};
    if (lost(st, e.location)) {
      ++lost_count;
      continue;
    }
    bool runs = std::any_of(st.instances.begin(), st.instances.end(),
                            [&](const auto& i) { return i.ref == ref && !backend::is_down(i.state); });
    if (!runs) out.push_back({"missing", ref.name(), "running", "stopped or absent"});
  }
  int want = static_cast<int>(cur.instances.size()) - lost_count;
  if (running != want)
    out.push_back({"count", "", fmt::format("{} instance(s)", want), fmt::format("{} running", running)});
  return out;
}

}  // namespace ecp::ops
