#pragma once
// The strategy vocabulary. A strategy type is an enum everywhere it is compared;
// its name appears only at the edges: ecp.yaml, --strategy, plan.json, the
// ledger's text and --output json.
#include <optional>
#include <string_view>
#include <vector>

namespace ecp::strategy {

// blue_green and canary move traffic between two slots: they need a router.
enum class Type { recreate, rolling, blue_green, canary };

std::string_view to_string(Type t);  // recreate, rolling, blue-green, canary
std::optional<Type> type_from(std::string_view name);
const std::vector<std::string_view>& type_names();  // in the order of Type
bool needs_router(Type t);

}  // namespace ecp::strategy
