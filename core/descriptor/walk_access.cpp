// access: and windows: of the targets file: groups of identities, and per
// environment the groups that may release, roll back, promote, approve, unlock
// and freeze; when each environment may be released to.
#include <fmt/format.h>

#include <algorithm>

#include "core/descriptor/change_window.hpp"
#include "core/descriptor/walk.hpp"
#include "core/util/text.hpp"

namespace ecp::descriptor::detail {

namespace {

// A list of non-empty strings.
std::vector<std::string> names(Reader& r, const Node& n, const std::string& field, std::string_view hint) {
  std::vector<std::string> out;
  if (!r.is_list(n, field, hint)) return out;
  for (std::size_t i = 0; i < n.items.size(); ++i)
    if (auto v = r.text(*n.items[i], fmt::format("{}[{}]", field, i))) out.push_back(*v);
  return out;
}

void read_environment_rules(Reader& r, const Entry& e, Access& a) {
  std::string path = field_join("access.environments", e.key);
  if (!r.is_map(*e.value, path, "release: [GROUP, ...], rollback: [...], ...")) return;
  std::vector<std::string_view> known(access_actions().begin(), access_actions().end());
  r.check_keys(*e.value, path, known);
  a.environments.push_back(e.key);
  for (const auto& action : e.value->entries) {
    if (std::find(known.begin(), known.end(), action.key) == known.end()) continue;
    std::string field = field_join(path, action.key);
    AccessRule rule{e.key, action.key, names(r, *action.value, field, "the groups that may, e.g. [release-managers]"),
                    r.at(action)};
    for (std::size_t i = 0; i < rule.groups.size(); ++i) {
      bool known_group =
          std::any_of(a.groups.begin(), a.groups.end(), [&](const auto& g) { return g.first == rule.groups[i]; });
      if (!known_group)
        r.error(*action.value->items[i], fmt::format("{}[{}]", field, i),
                fmt::format("unknown group {} (not under access.groups)", quoted(rule.groups[i])));
    }
    a.rules.push_back(std::move(rule));
  }
}

}  // namespace

void read_access(Reader& r, const Node& n, Access& a) {
  if (!r.is_map(n, "access", "groups: {...}, environments: {...}")) return;
  r.check_keys(n, "access", {"groups", "environments"});
  a.present = true;
  a.location = r.at(n);
  if (const Node* g = r.get(n, "groups"); g && r.is_map(*g, "access.groups", "GROUP: [identity, ...]")) {
    for (const auto& e : g->entries) {
      if (!r.check_name_key(e, "access.groups", "group name")) continue;
      a.groups.emplace_back(e.key, names(r, *e.value, field_join("access.groups", e.key), "identities, e.g. [alice]"));
    }
  }
  if (const Node* envs = r.get(n, "environments");
      envs && r.is_map(*envs, "access.environments", "ENV: {release: [GROUP], ...}")) {
    for (const auto& e : envs->entries)
      if (r.check_name_key(e, "access.environments", "environment name")) read_environment_rules(r, e, a);
  }
}

// windows: {ENV: ["Mon-Thu 22:00-02:00 Asia/Shanghai", ...]}
void read_windows(Reader& r, const Node& n, std::vector<EnvironmentWindows>& out) {
  if (!r.is_map(n, "windows", "ENV: [\"Mon-Thu 22:00-02:00 Europe/Paris\", ...]")) return;
  for (const auto& e : n.entries) {
    if (!r.check_name_key(e, "windows", "environment name")) continue;
    std::string path = field_join("windows", e.key);
    EnvironmentWindows w{e.key, {}, r.at(e)};
    if (!r.is_list(*e.value, path, "e.g. [\"Mon-Thu 22:00-02:00 Asia/Shanghai\"]")) continue;
    for (std::size_t i = 0; i < e.value->items.size(); ++i) {
      std::string field = fmt::format("{}[{}]", path, i);
      auto text = r.text(*e.value->items[i], field);
      if (!text) continue;
      std::string why;
      if (!parse_change_window(*text, &why))
        r.error(*e.value->items[i], field, why);
      else
        w.windows.push_back(*text);
    }
    out.push_back(std::move(w));
  }
}

}  // namespace ecp::descriptor::detail
