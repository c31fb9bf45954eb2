// rollout(): picks the strategy; restore(): the way back every strategy shares.
#include "core/strategy/strategy.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/strategy/health_gate.hpp"
#include "core/strategy/restore.hpp"
#include "core/util/error.hpp"
#include "core/util/process.hpp"
#include "core/util/text.hpp"

namespace ecp::strategy {

void check_supported(backend::Backend& backend, Type type, const std::string& target) {
  if (needs_router(type) && backend.router() == nullptr)
    fail(ErrorKind::usage,
         "strategy '{}' moves traffic and needs a target with a gateway (route capability); "
         "target '{}' has none: use recreate or rolling",
         to_string(type), target);
  if (type == Type::canary && !backend.capabilities().split)
    fail(ErrorKind::usage,
         "strategy 'canary' splits traffic by weight; the router of target '{}' only switches all of it to one "
         "slot: use blue-green, rolling or recreate",
         target);
}

Result rollout(backend::Backend& backend, const Input& input) {
  check_supported(backend, input.settings.type, "this");
  if (auto* r = backend.replacer();
      r && (input.settings.type == Type::rolling || input.settings.type == Type::recreate))
    return replace(backend, *r, input);
  switch (input.settings.type) {
    case Type::rolling:
      return rolling(backend, input);
    case Type::blue_green:
      return blue_green(backend, input);
    case Type::canary:
      return canary(backend, input);
    case Type::recreate:
      break;
  }
  return recreate(backend, input);
}

namespace detail {

std::string describe(const std::vector<backend::Probe>& failed) {
  return text::join(failed, "; ", [](const auto& p) { return fmt::format("{}: {}", p.ref.name(), p.detail); });
}

std::string describe(const std::vector<backend::Failure>& failed) {
  return text::join(failed, "; ", [](const auto& f) { return fmt::format("{}: {}", f.ref.name(), f.message); });
}

std::vector<backend::InstanceRef> refs(const std::vector<backend::InstanceSpec>& specs) {
  std::vector<backend::InstanceRef> out;
  for (const auto& s : specs) out.push_back(s.ref);
  return out;
}

void emit(const Input& in, Event e) {
  if (in.on_event) in.on_event(e);
}

Result restore(backend::Backend& backend, const Input& in, const std::vector<backend::InstanceRef>& touched,
               std::string reason, bool interrupted) {
  process::Shield shield;  // the way back must finish, whatever the signals say
  Result r;
  r.touched = touched;
  r.interrupted = interrupted;
  std::vector<backend::InstanceSpec> previous;
  for (const auto& ref : touched)
    for (const auto& run : in.running)
      if (run.ref == ref) previous.push_back(run);
  emit(in, {"rollback", fmt::format("rolling back {} instance(s): {}", touched.size(), reason), touched});
  std::vector<std::string> problems;
  auto note = [&](const std::vector<backend::Failure>& fs) {
    for (const auto& f : fs) {
      if (f.unreachable) {
        if (std::find(r.lost.begin(), r.lost.end(), f.ref.location) == r.lost.end()) r.lost.push_back(f.ref.location);
      } else {
        problems.push_back(fmt::format("{}: {}", f.ref.name(), f.message));
      }
    }
  };
  try {
    note(backend.stop(touched));
    std::vector<backend::InstanceSpec> reachable;
    for (const auto& p : previous)
      if (std::find(r.lost.begin(), r.lost.end(), p.ref.location) == r.lost.end()) reachable.push_back(p);
    auto start_failures = backend.start(reachable);
    note(start_failures);
    std::vector<backend::InstanceSpec> started;
    for (const auto& p : reachable)
      if (std::none_of(start_failures.begin(), start_failures.end(), [&](const auto& f) { return f.ref == p.ref; }))
        started.push_back(p);
    auto gate = wait_healthy(backend, started, in.health, in.on_event);
    for (const auto& p : gate.failed) {
      if (std::find(r.lost.begin(), r.lost.end(), p.ref.location) != r.lost.end()) continue;
      problems.push_back(fmt::format("{}: {}", p.ref.name(), p.detail));
    }
  } catch (const std::exception& e) {
    problems.push_back(e.what());
  }
  for (const auto& l : r.lost) emit(in, {"lost", fmt::format("{} is unreachable; its instances were not restored", l), {}});
  if (problems.empty())
    emit(in, {"restored", fmt::format("restored {} instance(s) to their previous revision", previous.size()), touched});
  settle(r, reason, problems);
  return r;
}

void settle(Result& r, const std::string& reason, const std::vector<std::string>& problems) {
  r.outcome = problems.empty() ? Outcome::rolled_back : Outcome::failed;
  r.message = problems.empty() ? reason
                                : fmt::format("{}; rolling back failed too: {}", reason, fmt::join(problems, "; "));
  if (!r.lost.empty()) r.message += fmt::format(" (unreachable: {})", fmt::join(r.lost, ", "));
}

}  // namespace detail
}  // namespace ecp::strategy
