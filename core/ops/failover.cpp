#include "core/ops/failover.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/ops/release_engine.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

std::vector<Placement> place_instances(const std::vector<std::string>& answering,
                                       const std::vector<backend::InstanceRef>& kept, int moving, std::int64_t need,
                                       std::map<std::string, std::int64_t> free, int& unplaced) {
  std::map<std::string, int> count, next;
  for (const auto& l : answering) count[l] = 0;
  for (const auto& k : kept) {
    ++count[k.location];
    next[k.location] = std::max(next[k.location], k.index + 1);
  }
  std::vector<Placement> out;
  unplaced = 0;
  for (int m = 0; m < moving; ++m) {
    const std::string* best = nullptr;
    for (const auto& l : answering) {
      auto f = free.find(l);
      if (f != free.end() && f->second < need) continue;  // no room
      if (!best || count[l] < count[*best]) best = &l;
    }
    if (!best) {
      ++unplaced;
      continue;
    }
    out.push_back({*best, next[*best]++});
    ++count[*best];
    if (auto f = free.find(*best); f != free.end()) f->second -= need;
  }
  return out;
}

namespace {

// Free memory per answering location, and what one more instance needs: its
// run.resources.memory, else the most one of its instances uses now. Empty
// when the target gives no figures (then only the count spreads them).
std::map<std::string, std::int64_t> free_memory(TargetContext& ctx, std::int64_t& need) {
  std::map<std::string, std::int64_t> free;
  need = ctx.app.resources.memory_bytes;
  if (!ctx.backend->capabilities().metrics) return free;
  auto m = ctx.backend->metrics(std::chrono::milliseconds(200), false);
  for (const auto& l : m.locations)
    if (l.memory_total > 0 && l.memory_used >= 0) free[l.location] = l.memory_total - l.memory_used;
  if (need <= 0)
    for (const auto& i : m.instances) need = std::max(need, i.rss);
  return free;
}

}  // namespace

DeployResult failover(const FailoverOptions& o) {
  auto [ctx, cur, in] = serving_release(o.project, o.env, ledger::Kind::failover, "fail over");
  // The count per location stays what serves (an ecp scale's), not ecp.yaml's.
  if (cur.replicas > 0) ctx.env.replicas = cur.replicas;
  in.change_id = o.change_id;
  in.emergency = o.emergency;

  // What the ledger counts in the serving slot, split into what is kept (its
  // location answers) and what moves.
  auto status = ctx.backend->status();
  auto slot = serving_slot(ctx);
  // The locations that answer and have the release installed (their `current`
  // is it, or an instance runs it): a host added since has nothing to start.
  std::vector<std::string> answering;
  auto has_release = [&](const std::string& l) {
    if (auto c = status.current.find(l); c != status.current.end() && c->second == in.runs) return true;
    return std::any_of(status.instances.begin(), status.instances.end(),
                       [&](const auto& i) { return i.ref.location == l && i.revision == in.runs; });
  };
  for (const auto& l : ctx.backend->locations())
    if (std::find(status.lost.begin(), status.lost.end(), l) == status.lost.end() && has_release(l))
      answering.push_back(l);
  std::vector<backend::InstanceRef> kept;
  int moving = 0;
  for (const auto& e : cur.instances) {
    if (e.slot != slot) continue;
    bool lost = std::find(status.lost.begin(), status.lost.end(), e.location) != status.lost.end();
    if (lost)
      ++moving;
    else
      kept.push_back({e.location, e.slot, e.index});
  }
  if (answering.empty())
    fail(ErrorKind::io, "no location of target '{}' that answers has revision {}'s release installed{}{}",
         ctx.target.name, in.runs, status.unreachable.empty() ? "" : ": ", text::join(status.unreachable, "; "));
  std::int64_t need = 0;
  auto free = moving > 0 ? free_memory(ctx, need) : std::map<std::string, std::int64_t>{};
  int unplaced = 0;
  auto placed = place_instances(answering, kept, moving, need, free, unplaced);
  if (moving > 0)
    log::info("{} instance(s) of {}/{} ran on {}: {} to start on the locations that answer", moving, ctx.app.app, o.env,
              text::join(status.lost, ", "), placed.size());
  if (unplaced > 0)
    log::warn("{} instance(s) fit nowhere: no location that answers has {} bytes of memory free", unplaced, need);
  for (const auto& k : kept) in.instances.push_back({k, in.runs, backend::instance_port(ctx.app, k)});
  for (const auto& p : placed) {
    backend::InstanceRef ref{p.location, slot, p.index};
    in.instances.push_back({ref, in.runs, backend::instance_port(ctx.app, ref)});
  }
  if (o.dry_run) return planned(ctx, in);
  return execute(ctx, in, false, o.lock_wait, o.on_event);
}

}  // namespace ecp::ops
