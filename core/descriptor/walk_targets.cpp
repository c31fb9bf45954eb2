// ecp-targets.yaml: targets (per plugin) and registries.
#include <fmt/format.h>

#include <charconv>

#include <nlohmann/json.hpp>

#include "core/descriptor/values.hpp"
#include "core/descriptor/walk.hpp"

namespace ecp::descriptor::detail {
namespace {

// The keys of every target, whatever its plugin. The rest is the plugin's own
// section: passed on as written (backend::Settings) for the plugin to check.
const std::vector<std::string_view> common_keys = {"plugin", "registry", "config", "prometheus"};

bool is_common(std::string_view key) {
  for (auto k : common_keys)
    if (k == key) return true;
  return false;
}

// A plain scalar is a whole number or true/false when it reads back the same;
// everything else stays the text it was written as.
nlohmann::json scalar_json(const Node& n) {
  if (!n.plain) return n.value;
  if (n.value == "true" || n.value == "false") return n.value == "true";
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(n.value.data(), n.value.data() + n.value.size(), v);
  if (ec == std::errc() && end == n.value.data() + n.value.size() && std::to_string(v) == n.value) return v;
  return n.value;
}

nlohmann::json settings_json(const Node& n, const std::string& path, FieldPositions& at) {
  at[path].line = n.line;
  at[path].column = n.column;
  at[path].quoted = n.kind == Kind::scalar && !n.plain;
  switch (n.kind) {
    case Kind::null:
      return nullptr;
    case Kind::scalar:
      return scalar_json(n);
    case Kind::sequence: {
      auto out = nlohmann::json::array();
      for (std::size_t i = 0; i < n.items.size(); ++i)
        out.push_back(settings_json(*n.items[i], fmt::format("{}[{}]", path, i), at));
      return out;
    }
    case Kind::map:
      break;
  }
  auto out = nlohmann::json::object();
  for (const auto& e : n.entries) {
    if (path.empty() && is_common(e.key)) continue;
    std::string key_path = field_join(path, e.key);
    out[e.key] = settings_json(*e.value, key_path, at);
    at[key_path].key_line = e.line;
    at[key_path].key_column = e.column;
  }
  return out;
}

// prometheus: URL, or {url, ca, insecure}.
void read_prometheus(Reader& r, const Node& n, const std::string& path, Target& t) {
  Prometheus p;
  p.location = r.at(n);
  const Node* url = &n;
  if (n.kind == Kind::map) {
    r.check_keys(n, path, {"url", "ca", "insecure"});
    url = r.get(n, "url");
    if (!url) {
      r.error(n, path, "missing 'url' (e.g. url: http://prometheus.monitoring:9090)");
      return;
    }
    if (const Node* v = r.get(n, "ca"))
      if (auto s = r.text(*v, path + ".ca")) p.ca = *s;
    if (const Node* v = r.get(n, "insecure"))
      if (auto b = r.boolean(*v, path + ".insecure")) p.insecure = *b;
  } else if (n.kind != Kind::scalar) {
    r.error(n, path, "must be a URL or {url, ca, insecure}");
    return;
  }
  std::string field = url == &n ? path : path + ".url";
  auto s = r.text(*url, field);
  if (!s) return;
  bool http = s->rfind("http://", 0) == 0 || s->rfind("https://", 0) == 0;
  if (!http || s->find_first_of(" \t\r\n") != std::string::npos || s->find('?') != std::string::npos) {
    r.error(*url, field,
            fmt::format("{} is not an http(s) URL of a Prometheus, e.g. http://prometheus:9090", detail::quoted(*s)));
    return;
  }
  while (!s->empty() && s->back() == '/') s->pop_back();
  p.url = *s;
  t.prometheus = p;
}

void read_target(Reader& r, const Entry& e, const std::string& path, Target& t) {
  const Node& n = *e.value;
  if (!r.is_map(n, path, "plugin: host|engine|kubernetes|NAME and its settings")) return;
  const Entry* plugin = n.find("plugin");
  if (!plugin || plugin->value->kind == Kind::null) {
    r.error(n, path, "missing 'plugin' (host, engine, kubernetes, or the NAME of an ecp-plugin-NAME)");
  } else if (auto p = r.name(*plugin->value, path + ".plugin", "plugin name")) {
    t.plugin = *p;
  }
  for (const auto& entry : n.entries) r.record(field_join(path, entry.key), *entry.value);
  t.settings = std::make_shared<const nlohmann::json>(settings_json(n, "", t.settings_at));
  t.settings_at[""].key_line = e.line;
  t.settings_at[""].key_column = e.column;
  if (const Node* v = r.get(n, "registry"))
    if (auto s = r.name(*v, path + ".registry", "registry name")) t.registry = *s;
  if (const Node* v = r.get(n, "config")) t.config = r.config_values(*v, path + ".config");
  if (const Node* v = r.get(n, "prometheus")) read_prometheus(r, *v, path + ".prometheus", t);
}

void read_registry(Reader& r, const Node& n, const std::string& path, Registry& reg) {
  if (!r.is_map(n, path, "url, insecure, ca")) return;
  r.check_keys(n, path, {"url", "insecure", "ca"});
  if (const Node* v = r.get(n, "url")) {
    if (auto s = r.text(*v, path + ".url")) {
      if (s->find("://") != std::string::npos)
        r.error(*v, path + ".url", fmt::format("{}: write the host without a scheme, e.g. registry.lab:5000 "
                                               "(insecure: true selects plain HTTP)", detail::quoted(*s)));
      else if (s->empty() || s->find_first_of(" \t\r\n") != std::string::npos)
        r.error(*v, path + ".url", fmt::format("{} is not a registry address", detail::quoted(*s)));
      else reg.url = *s;
    }
  } else {
    r.error(n, path, "missing 'url' (e.g. url: registry.lab:5000)");
  }
  if (const Node* v = r.get(n, "insecure"))
    if (auto b = r.boolean(*v, path + ".insecure")) reg.insecure = *b;
  if (const Node* v = r.get(n, "ca"))
    if (auto s = r.text(*v, path + ".ca")) reg.ca = *s;
}

}  // namespace

void read_targets_file(Reader& r, const Node& root, TargetsFile& t) {
  if (root.kind != Kind::map) {
    r.error(root, "", fmt::format("the top level must be a map with 'targets:' and 'registries:', got {}",
                                  yaml::kind_name(root.kind)));
    return;
  }
  r.check_keys(root, "", {"schema", "targets", "registries", "access", "windows"});
  if (const Node* n = r.get(root, "access")) read_access(r, *n, t.access);
  if (const Node* n = r.get(root, "windows")) read_windows(r, *n, t.windows);
  if (const Node* n = r.get(root, "schema"))
    if (auto v = r.integer(*n, "schema", INT32_MIN, INT32_MAX); v && *v != 1)
      r.error(*n, "schema", fmt::format("unsupported schema {}; this version of ecp reads schema 1", *v));
  if (const Node* n = r.get(root, "registries"); n && r.is_map(*n, "registries", "name: {url, insecure, ca}")) {
    for (const auto& e : n->entries) {
      std::string path = field_join("registries", e.key);
      r.record(path, *e.value);
      if (!r.check_name_key(e, "registries", "registry name")) continue;
      Registry reg;
      reg.name = e.key;
      reg.location = r.at(e);
      read_registry(r, *e.value, path, reg);
      t.registries.push_back(std::move(reg));
    }
  }
  if (const Node* n = r.get(root, "targets"); n && r.is_map(*n, "targets", "name: {plugin, ...}")) {
    for (const auto& e : n->entries) {
      std::string path = field_join("targets", e.key);
      r.record(path, *e.value);
      if (!r.check_name_key(e, "targets", "target name")) continue;
      Target target;
      target.name = e.key;
      target.location = r.at(e);
      read_target(r, e, path, target);
      if (!target.registry.empty() && !find_registry(t, target.registry)) {
        std::vector<std::string> names;
        for (const auto& reg : t.registries) names.push_back(reg.name);
        auto hint = did_you_mean(target.registry, names);
        auto it = t.locations.find(path + ".registry");
        Location loc = it != t.locations.end() ? it->second : target.location;
        r.report(loc.line, loc.column, Severity::error, path + ".registry",
                 fmt::format("{}.registry: unknown registry {}{}", path, detail::quoted(target.registry),
                             hint ? fmt::format("; did you mean '{}'?", *hint) : " (not under registries:)"));
      }
      t.targets.push_back(std::move(target));
    }
  }
}

}  // namespace ecp::descriptor::detail
