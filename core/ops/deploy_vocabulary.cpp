// The names of the release vocabulary of core/ops, used only at the edges
// (plan.json, --output json, --strategy); inside, the enums are compared.
#include "core/ops/deploy.hpp"
#include "core/ops/release_engine.hpp"
#include "core/util/enum_names.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {

namespace {
constexpr text::EnumName<InstanceAction> action_table[] = {{InstanceAction::start, "start"},
                                                           {InstanceAction::replace, "replace"},
                                                           {InstanceAction::stop, "stop"},
                                                           {InstanceAction::keep, "keep"}};
constexpr text::EnumName<Outcome> outcome_table[] = {{Outcome::planned, "planned"},
                                                     {Outcome::unchanged, "unchanged"},
                                                     {Outcome::succeeded, "succeeded"},
                                                     {Outcome::paused, "paused"},
                                                     {Outcome::failed_rolled_back, "failed-rolled-back"},
                                                     {Outcome::failed, "failed"}};
}  // namespace

std::string_view to_string(InstanceAction a) { return text::name_of(action_table, a, "keep"); }

std::optional<InstanceAction> instance_action_from(std::string_view name) {
  return text::value_of(action_table, name);
}

std::string_view to_string(Outcome o) { return text::name_of(outcome_table, o, "failed"); }

Outcome outcome_of(ledger::Outcome o) {
  switch (o) {
    case ledger::Outcome::succeeded:
      return Outcome::succeeded;
    case ledger::Outcome::paused:
      return Outcome::paused;
    case ledger::Outcome::failed_rolled_back:
      return Outcome::failed_rolled_back;
    case ledger::Outcome::failed:
    case ledger::Outcome::crashed:
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
