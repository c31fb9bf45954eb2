// rolling: replace instances a batch at a time, each batch gated on health. A
// batch that fails stops the rollout; every instance touched so far goes back.
// Instances that ran before but are not wanted any more (scale down) stop last.
// Behind a gateway each batch leaves the routes before it stops, and its
// requests in flight finish first. Routes are drawn from what runs, so the
// route that takes the next batch out takes the healthy one in; one route after
// the last batch takes it in and the instances no longer wanted out.
#include <fmt/format.h>

#include <algorithm>

#include "core/strategy/health_gate.hpp"
#include "core/strategy/restore.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace ecp::strategy {

using namespace detail;

std::vector<backend::InstanceSpec> rolling_order(std::vector<backend::InstanceSpec> desired) {
  // stable: locations keep the order the target lists them in
  std::stable_sort(desired.begin(), desired.end(),
                   [](const auto& a, const auto& b) { return a.ref.index < b.ref.index; });
  return desired;
}

int rolling_step(int batch, int max_unavailable) {
  int step = batch > 0 ? batch : 1;
  if (max_unavailable > 0) step = std::min(step, max_unavailable);
  return std::max(step, 1);
}

namespace {

// The instances to replace: those not running their revision on their port
// already (ecp scale keeps the ones that run and starts the rest).
std::vector<backend::InstanceSpec> to_replace(const Input& in) {
  std::vector<backend::InstanceSpec> out;
  for (const auto& d : in.desired)
    if (std::none_of(in.running.begin(), in.running.end(),
                     [&](const auto& r) { return r.ref == d.ref && r.revision == d.revision && r.port == d.port; }))
      out.push_back(d);
  return out;
}

// What ran before and is not wanted now (a scale down).
std::vector<backend::InstanceRef> unwanted(const Input& in, const std::vector<backend::InstanceSpec>& order) {
  std::vector<backend::InstanceRef> extra;
  for (const auto& r : in.running)
    if (std::none_of(order.begin(), order.end(), [&](const auto& d) { return d.ref == r.ref; })) extra.push_back(r.ref);
  return extra;
}

}  // namespace

Result rolling(backend::Backend& backend, const Input& in) {
  if (in.settings.max_unavailable <= 0)
    log::warn("rolling: max_unavailable 0 needs surge capacity (a gateway); replacing one instance at a time");
  auto order = rolling_order(to_replace(in));
  const int step = rolling_step(in.settings.batch, in.settings.max_unavailable);
  const int batches = order.empty() ? 0 : static_cast<int>((order.size() + step - 1) / step);
  std::vector<backend::InstanceRef> touched;
  const auto extra = unwanted(in, in.desired);
  backend::Router* router = backend.router();
  std::map<std::string, int> weights;  // the gateway's routes, kept as they are
  // After a failure: the routes again with every instance that runs, those
  // restore() started again among them.
  auto restored = [&](Result r) {
    try {
      if (!weights.empty()) router->route(weights, "", {});
    } catch (const Error& e) {
      log::warn("putting the instances back behind the gateway failed: {}", e.what());
    }
    return r;
  };
  try {
    if (router) weights = router->weights();
    for (int b = 0; b < batches; ++b) {
      if (in.should_stop && in.should_stop())
        return restored(restore(backend, in, touched, "the lock was lost", false));
      std::vector<backend::InstanceSpec> chunk(order.begin() + b * step,
                                               order.begin() + std::min<std::size_t>(order.size(), (b + 1) * step));
      auto chunk_refs = refs(chunk);
      std::string names = text::join(chunk_refs, ", ", [](const auto& r) { return r.name(); });
      emit(in, {"batch", fmt::format("batch {}/{}: {}", b + 1, batches, names), chunk_refs, b + 1, batches});
      touched.insert(touched.end(), chunk_refs.begin(), chunk_refs.end());
      // Stop the instances' old revision (those that had one), start the new one.
      std::vector<backend::InstanceRef> old;
      for (const auto& r : chunk_refs)
        if (std::any_of(in.running.begin(), in.running.end(), [&](const auto& s) { return s.ref == r; }))
          old.push_back(r);
      if (!weights.empty() && !old.empty()) {
        router->route(weights, "", old);
        emit(in, {"drain", fmt::format("batch {}/{}: out of the gateway, its requests done", b + 1, batches), old,
                  b + 1, batches});
      }
      auto stop_failures = backend.stop(old);
      if (!stop_failures.empty())
        return restored(
            restore(backend, in, touched,
                    fmt::format("batch {}/{}: stopping failed: {}", b + 1, batches, describe(stop_failures)), false));
      auto start_failures = backend.start(chunk);
      if (!start_failures.empty())
        return restored(
            restore(backend, in, touched,
                    fmt::format("batch {}/{}: starting failed: {}", b + 1, batches, describe(start_failures)), false));
      auto gate = wait_healthy(backend, chunk, in.health, in.on_event);
      if (!gate.ok)
        return restored(
            restore(backend, in, touched,
                    fmt::format("batch {}/{}: health check failed: {}", b + 1, batches, describe(gate.failed)), false));
    }
    if (in.should_stop && in.should_stop()) return restored(restore(backend, in, touched, "the lock was lost", false));
    // A gateway that never served (a first release): from now on it serves this slot.
    if (router && weights.empty() && !in.desired.empty()) weights = {{in.desired.front().ref.slot, 100}};
    if (!weights.empty()) router->route(weights, "", extra);
  } catch (const Error& e) {
    bool interrupted = e.kind() == ErrorKind::interrupted;
    return restored(
        restore(backend, in, touched, interrupted ? std::string("interrupted") : std::string(e.what()), interrupted));
  }
  if (!extra.empty()) {
    emit(in, {"stop", fmt::format("stopping {} instance(s) no longer wanted", extra.size()), extra});
    auto f = backend.stop(extra);
    if (!f.empty()) log::warn("stopping instances no longer wanted failed: {}", describe(f));
  }
  Result r;
  r.touched = touched;
  return r;
}

}  // namespace ecp::strategy
