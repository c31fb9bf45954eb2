#include "core/strategy/settings.hpp"

#include "core/util/enum_names.hpp"

namespace ecp::strategy {

namespace {
constexpr text::EnumName<Type> type_table[] = {
    {Type::recreate, "recreate"}, {Type::rolling, "rolling"}, {Type::blue_green, "blue-green"}, {Type::canary, "canary"}};
}  // namespace

std::string_view to_string(Type t) { return text::name_of(type_table, t, "recreate"); }

const std::vector<std::string_view>& type_names() {
  static const auto names = text::names_of(type_table);
  return names;
}

std::optional<Type> type_from(std::string_view name) { return text::value_of(type_table, name); }

bool needs_router(Type t) { return t == Type::blue_green || t == Type::canary; }

}  // namespace ecp::strategy
