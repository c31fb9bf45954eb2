#include "core/strategy/settings.hpp"

#include <algorithm>

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

namespace {

// Calls `on` for each "{{name}}" of `query` with its name and span; text between them to `text`.
template <class OnText, class OnPlaceholder>
void scan_placeholders(std::string_view query, OnText text, OnPlaceholder on) {
  std::size_t at = 0;
  for (;;) {
    auto open = query.find("{{", at);
    auto close = open == std::string_view::npos ? open : query.find("}}", open + 2);
    if (close == std::string_view::npos) {
      text(query.substr(at));
      return;
    }
    text(query.substr(at, open - at));
    on(query.substr(open + 2, close - open - 2), query.substr(open, close + 2 - open));
    at = close + 2;
  }
}

}  // namespace

std::string expand_query(std::string_view query, const QueryVars& vars) {
  std::string out;
  auto seconds = std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(vars.window).count());
  scan_placeholders(
      query, [&](std::string_view t) { out += t; },
      [&](std::string_view name, std::string_view whole) {
        if (name == "app")
          out += vars.app;
        else if (name == "env")
          out += vars.env;
        else if (name == "slot")
          out += vars.slot;
        else if (name == "revision")
          out += std::to_string(vars.revision);
        else if (name == "window")
          out += std::to_string(seconds) + "s";
        else
          out += whole;
      });
  return out;
}

std::string unknown_placeholder(std::string_view query) {
  std::string bad;
  scan_placeholders(
      query, [](std::string_view) {},
      [&](std::string_view name, std::string_view whole) {
        bool known = name == "app" || name == "env" || name == "slot" || name == "revision" || name == "window";
        if (!known && bad.empty()) bad = whole;
      });
  return bad;
}

}  // namespace ecp::strategy
