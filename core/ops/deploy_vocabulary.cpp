// The names of the release vocabulary of core/ops, used only at the edges
// (plan.json, --output json, --strategy); inside, the enums are compared.
#include "core/ops/deploy.hpp"
#include "core/ops/release_engine.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

std::string_view to_string(InstanceAction a) {
  switch (a) {
    case InstanceAction::start:
      return "start";
    case InstanceAction::replace:
      return "replace";
    case InstanceAction::stop:
      return "stop";
    case InstanceAction::keep:
      return "keep";
  }
  return "keep";
}

std::optional<InstanceAction> instance_action_from(std::string_view name) {
  for (auto a : {InstanceAction::start, InstanceAction::replace, InstanceAction::stop, InstanceAction::keep})
    if (to_string(a) == name) return a;
  return std::nullopt;
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::planned:
      return "planned";
    case Outcome::unchanged:
      return "unchanged";
    case Outcome::succeeded:
      return "succeeded";
    case Outcome::paused:
      return "paused";
    case Outcome::failed_rolled_back:
      return "failed-rolled-back";
    case Outcome::failed:
      return "failed";
  }
  return "failed";
}

Outcome outcome_of(ledger::Outcome o) {
  switch (o) {
    case ledger::Outcome::succeeded:
      return Outcome::succeeded;
    case ledger::Outcome::paused:
      return Outcome::paused;
    case ledger::Outcome::failed_rolled_back:
      return Outcome::failed_rolled_back;
    case ledger::Outcome::failed:
    case ledger::Outcome::in_progress:
      return Outcome::failed;
  }
  return Outcome::failed;
}

std::optional<strategy::Type> strategy_arg(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (auto t = strategy::type_from(name)) return t;
  fail(ErrorKind::usage, "unknown strategy '{}' ({})", name, text::join(strategy::type_names(), ", "));
}

}  // namespace ecp::ops
