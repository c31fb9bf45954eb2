// recreate and rolling on a platform that replaces instances itself
// (backend::Replacer, a Kubernetes Deployment): the whole slot in one call, with
// rolling's batch as the surge and max_unavailable as the unavailability, and
// the way back the same call with what ran before (Helm's --atomic).
#include <fmt/format.h>

#include <algorithm>

#include "core/strategy/restore.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/process.hpp"

namespace ecp::strategy {

using namespace detail;

namespace {

backend::Replacement replacement(const Input& in, const std::string& slot, std::vector<backend::InstanceSpec> specs) {
  backend::Replacement r;
  r.slot = slot;
  r.instances = std::move(specs);
  r.recreate = in.settings.type == Type::recreate;
  // The platform starts `batch` new instances at once (the surge), and lets at
  // most max_unavailable of the wanted ones be down meanwhile.
  const int batch = std::max(1, in.settings.batch);
  r.max_surge = batch;
  r.max_unavailable = std::max(0, std::min(batch, in.settings.max_unavailable));
  return r;
}

}  // namespace

Result replace(backend::Backend& backend, backend::Replacer& replacer, const Input& in) {
  const std::string slot = in.desired.empty() ? std::string("a") : in.desired.front().ref.slot;
  Result r;
  r.touched = refs(in.desired);
  std::vector<backend::InstanceSpec> previous;  // the slot as it ran
  std::vector<backend::InstanceRef> elsewhere;  // instances of other slots, no longer wanted
  for (const auto& s : in.running) {
    if (std::find(r.touched.begin(), r.touched.end(), s.ref) == r.touched.end()) r.touched.push_back(s.ref);
    if (s.ref.slot == slot)
      previous.push_back(s);
    else
      elsewhere.push_back(s.ref);
  }
  auto progress = [&](const std::string& line) { emit(in, {"progress", line, {}}); };
  std::string why;
  bool interrupted = false;
  try {
    if (in.should_stop && in.should_stop()) return restore(backend, in, {}, "stopped before it began", false);
    emit(in,
         {"start", fmt::format("{} of {} instance(s) in slot {}", to_string(in.settings.type), in.desired.size(), slot),
          refs(in.desired)});
    why = replacer.replace(replacement(in, slot, in.desired), progress, in.should_stop);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::deploy_rolled_back) {  // refused as a whole: what ran still runs
      r.outcome = Outcome::rolled_back;
      r.message = e.what();
      return r;
    }
    interrupted = e.kind() == ErrorKind::interrupted;
    why = interrupted ? std::string("interrupted") : std::string(e.what());
  }
  if (why.empty()) {
    if (!elsewhere.empty()) {
      emit(in, {"stop", fmt::format("stopping {} instance(s) no longer wanted", elsewhere.size()), elsewhere});
      if (auto f = backend.stop(elsewhere); !f.empty())
        log::warn("stopping instances no longer wanted failed: {}", describe(f));
    }
    return r;
  }
  process::Shield shield;  // the way back must finish, whatever the signals say
  r.interrupted = interrupted;
  emit(in, {"rollback", fmt::format("putting slot {} back on what ran before: {}", slot, why), r.touched});
  std::vector<std::string> problems;
  try {
    if (auto back = replacer.replace(replacement(in, slot, previous), progress, nullptr); !back.empty())
      problems.push_back(back);
  } catch (const Error& e) {
    problems.push_back(e.what());
  }
  if (problems.empty())
    emit(in,
         {"restored", fmt::format("restored {} instance(s) to their previous revision", previous.size()), r.touched});
  settle(r, why, problems);
  return r;
}

}  // namespace ecp::strategy
