#include "core/strategy/settings.hpp"

namespace ecp::strategy {

std::string_view to_string(Type t) {
  switch (t) {
    case Type::recreate:
      return "recreate";
    case Type::rolling:
      return "rolling";
    case Type::blue_green:
      return "blue-green";
    case Type::canary:
      return "canary";
  }
  return "recreate";
}

const std::vector<std::string_view>& type_names() {
  static const std::vector<std::string_view> names = {"recreate", "rolling", "blue-green", "canary"};
  return names;
}

std::optional<Type> type_from(std::string_view name) {
  for (auto t : {Type::recreate, Type::rolling, Type::blue_green, Type::canary})
    if (to_string(t) == name) return t;
  return std::nullopt;
}

bool needs_router(Type t) { return t == Type::blue_green || t == Type::canary; }

}  // namespace ecp::strategy
