#include "core/descriptor/model.hpp"

#include <charconv>

#include "core/util/enum_names.hpp"

namespace ecp::descriptor {

namespace {
constexpr text::EnumName<AppType> app_type_table[] = {
    {AppType::jar, "jar"}, {AppType::nginx, "nginx"}, {AppType::tomcat, "tomcat"}};
}  // namespace

std::string_view to_string(AppType t) { return text::name_of(app_type_table, t, "jar"); }

const std::vector<std::string_view>& app_type_names() {
  static const auto names = text::names_of(app_type_table);
  return names;
}

std::optional<AppType> app_type_from(std::string_view s) { return text::value_of(app_type_table, s); }

const ConfigKey* find_config_key(const Descriptor& d, std::string_view name) {
  for (const auto& k : d.config)
    if (k.name == name) return &k;
  return nullptr;
}

const Environment* find_environment(const Descriptor& d, std::string_view name) {
  for (const auto& e : d.environments)
    if (e.name == name) return &e;
  return nullptr;
}

const Port* find_port(const Run& r, std::string_view name) {
  for (const auto& p : r.ports)
    if (p.name == name) return &p;
  return nullptr;
}

std::optional<int> health_port(const Run& r) {
  if (!r.health) return std::nullopt;
  const std::string& p = r.health->port;
  if (p.empty()) {
    if (r.ports.size() == 1) return r.ports.front().number;
    return std::nullopt;
  }
  if (const Port* named = find_port(r, p)) return named->number;
  int n = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
  if (ec != std::errc() || end != p.data() + p.size() || n < 1 || n > 65535) return std::nullopt;
  return n;
}

const Target* find_target(const TargetsFile& t, std::string_view name) {
  for (const auto& target : t.targets)
    if (target.name == name) return &target;
  if (name == builtin_target) {
    // The built-in target deploys on this machine with the host plugin.
    static const Target local = [] {
      Target l;
      l.name = std::string(builtin_target);
      l.plugin = "host";
      l.builtin = true;
      return l;
    }();
    return &local;
  }
  return nullptr;
}

const Registry* find_registry(const TargetsFile& t, std::string_view name) {
  for (const auto& r : t.registries)
    if (r.name == name) return &r;
  return nullptr;
}

std::vector<std::string> target_names(const TargetsFile& t) {
  std::vector<std::string> names{std::string(builtin_target)};
  for (const auto& target : t.targets)
    if (target.name != builtin_target) names.push_back(target.name);
  return names;
}

Location locate(const Locations& locations, std::string_view field, const std::string& file) {
  for (;;) {
    if (auto it = locations.find(field); it != locations.end()) return it->second;
    auto dot = field.rfind('.');
    if (dot == std::string_view::npos) return Location{file, 0, 0};
    field = field.substr(0, dot);
  }
}

}  // namespace ecp::descriptor
