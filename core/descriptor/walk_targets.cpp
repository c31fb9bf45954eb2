// ecp-targets.yaml: targets (per plugin) and registries.
#include <fmt/format.h>

#include "core/descriptor/values.hpp"
#include "core/descriptor/walk.hpp"

namespace ecp::descriptor::detail {
namespace {

const std::vector<std::string_view> common_keys = {"plugin", "registry", "config"};

// The keys each built-in plugin reads besides the common ones.
const std::vector<std::string_view>* plugin_keys(std::string_view plugin) {
  static const std::vector<std::string_view> host = {"hosts", "root", "gateway"};
  static const std::vector<std::string_view> engine = {"socket"};
  static const std::vector<std::string_view> kubernetes = {"kubeconfig", "context", "namespace"};
  if (plugin == "host") return &host;
  if (plugin == "engine") return &engine;
  if (plugin == "kubernetes") return &kubernetes;
  return nullptr;
}

std::string_view builtin_owner(std::string_view key) {
  for (std::string_view p : {"host", "engine", "kubernetes"})
    for (auto k : *plugin_keys(p))
      if (k == key) return p;
  return "";
}

std::optional<HostAddress> host_address(Reader& r, const Node& n, const std::string& field) {
  auto t = r.text(n, field);
  if (!t) return std::nullopt;
  std::string why;
  auto h = parse_host_address(*t, &why);
  if (!h) r.error(n, field, why);
  return h;
}

// gateway: ssh://HOST (nginx on port 80) or {host: ssh://HOST | local, port: N}.
std::optional<HostAddress> gateway_host(Reader& r, const Node& n, const std::string& field) {
  if (n.kind == Kind::scalar && n.value == "local") return HostAddress{"local", "", "127.0.0.1", 0};
  return host_address(r, n, field);
}

void read_gateway(Reader& r, const Node& n, const std::string& field, Target& t) {
  if (n.kind == Kind::scalar) {
    t.gateway = gateway_host(r, n, field);
    return;
  }
  if (!r.is_map(n, field, "ssh://HOST, or {host: ssh://HOST | local, port: 8000}")) return;
  r.check_keys(n, field, {"host", "port", "nginx"});
  if (const Node* h = r.get(n, "host")) t.gateway = gateway_host(r, *h, field + ".host");
  else r.error(n, field, "missing 'host' (ssh://[user@]host[:port], or local)");
  if (const Node* p = r.get(n, "port"))
    if (auto i = r.integer(*p, field + ".port", 1, 65535)) t.gateway_port = static_cast<int>(*i);
  if (const Node* d = r.get(n, "nginx")) {
    if (!r.is_list(*d, field + ".nginx", "nginx directives, e.g. [\"client_max_body_size 50m;\"]")) return;
    for (std::size_t i = 0; i < d->items.size(); ++i) {
      std::string item = fmt::format("{}.nginx[{}]", field, i);
      auto text = r.text(*d->items[i], item);
      if (!text) continue;
      // One simple directive a line: blocks and several lines would be a second
      // configuration language in the targets file. nginx -t judges the rest.
      if (text->empty() || text->find_first_of("{}\n\r#") != std::string::npos)
        r.error(*d->items[i], item, fmt::format("{} must be one nginx directive on one line, without {{, }} or #",
                                                quoted(*text)));
      else t.gateway_nginx.push_back(text->back() == ';' ? *text : *text + ";");
    }
  }
}

void read_builtin_keys(Reader& r, const Node& n, const std::string& path, Target& t) {
  if (const Node* v = r.get(n, "hosts")) {
    if (r.is_list(*v, path + ".hosts", "e.g. [\"ssh://root@10.0.0.1\"]"))
      for (std::size_t i = 0; i < v->items.size(); ++i)
        if (auto h = host_address(r, *v->items[i], fmt::format("{}.hosts[{}]", path, i))) t.hosts.push_back(*h);
  }
  if (const Node* v = r.get(n, "root")) {
    if (auto s = r.text(*v, path + ".root")) {
      if (!s->starts_with("/") || s->find("/../") != std::string::npos || s->ends_with("/.."))
        r.error(*v, path + ".root", fmt::format("{} must be an absolute folder without '..'", quoted(*s)));
      else t.root = *s;
    }
  }
  if (const Node* v = r.get(n, "gateway")) read_gateway(r, *v, path + ".gateway", t);
  if (const Node* v = r.get(n, "socket")) {
    if (auto s = r.text(*v, path + ".socket")) {
      bool ok = (s->starts_with("unix:///") && s->size() > 8) || (s->starts_with("tcp://") && s->size() > 6);
      if (!ok) r.error(*v, path + ".socket", fmt::format("{} must be unix:///PATH or tcp://HOST:PORT", quoted(*s)));
      else t.socket = *s;
    }
  }
  if (const Node* v = r.get(n, "kubeconfig"))
    if (auto s = r.text(*v, path + ".kubeconfig")) t.kubeconfig = *s;
  if (const Node* v = r.get(n, "context"))
    if (auto s = r.text(*v, path + ".context")) t.context = *s;
  if (const Node* v = r.get(n, "namespace"))
    if (auto s = r.name(*v, path + ".namespace", "namespace")) t.namespace_name = *s;
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
  const auto* own = plugin_keys(t.plugin);
  if (own || t.plugin.empty()) {
    // A built-in plugin, or an unknown one: check every key so typos are reported.
    std::vector<std::string_view> known = common_keys;
    for (std::string_view p : {"host", "engine", "kubernetes"})
      for (auto k : *plugin_keys(p)) known.push_back(k);
    r.check_keys(n, path, known);
    if (own) {
      for (const auto& entry : n.entries) {
        auto owner = builtin_owner(entry.key);
        if (!owner.empty() && owner != t.plugin)
          r.key_error(entry, path, fmt::format("'{}' applies to the {} plugin, not {}", entry.key, owner, t.plugin));
      }
    }
    read_builtin_keys(r, n, path, t);
  } else {
    // An external plugin: every other key is its option, passed on as text.
    for (const auto& entry : n.entries) {
      std::string key_path = field_join(path, entry.key);
      r.record(key_path, *entry.value);
      bool common = false;
      for (auto k : common_keys) common = common || k == entry.key;
      if (common) continue;
      if (entry.value->kind == Kind::map || entry.value->kind == Kind::sequence)
        r.error(*entry.value, key_path, "options of external plugins must be single values");
      else if (entry.value->kind == Kind::scalar)
        t.options[entry.key] = entry.value->value;
    }
  }
  if (const Node* v = r.get(n, "registry"))
    if (auto s = r.name(*v, path + ".registry", "registry name")) t.registry = *s;
  if (const Node* v = r.get(n, "config")) t.config = r.config_values(*v, path + ".config");
}

void read_registry(Reader& r, const Node& n, const std::string& path, Registry& reg) {
  if (!r.is_map(n, path, "url, insecure, ca")) return;
  r.check_keys(n, path, {"url", "insecure", "ca"});
  if (const Node* v = r.get(n, "url")) {
    if (auto s = r.text(*v, path + ".url")) {
      if (s->find("://") != std::string::npos)
        r.error(*v, path + ".url", fmt::format("{}: write the host without a scheme, e.g. registry.lab:5000 "
                                               "(insecure: true selects plain HTTP)", quoted(*s)));
      else if (s->empty() || s->find_first_of(" \t\r\n") != std::string::npos)
        r.error(*v, path + ".url", fmt::format("{} is not a registry address", quoted(*s)));
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
  r.check_keys(root, "", {"schema", "targets", "registries"});
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
                 fmt::format("{}.registry: unknown registry {}{}", path, quoted(target.registry),
                             hint ? fmt::format("; did you mean '{}'?", *hint) : " (not under registries:)"));
      }
      t.targets.push_back(std::move(target));
    }
  }
}

}  // namespace ecp::descriptor::detail
