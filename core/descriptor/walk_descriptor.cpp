// The top level of ecp.yaml, build: and config:.
#include <fmt/format.h>

#include <algorithm>

#include "core/descriptor/values.hpp"
#include "core/descriptor/walk.hpp"
#include "core/util/text.hpp"

namespace ecp::descriptor::detail {
namespace {

// A key every descriptor needs; reports it missing (at the top of the map) or empty.
const Node* required(Reader& r, const Node& map, std::string_view key, std::string_view example) {
  const Entry* e = map.find(key);
  if (!e) {
    r.error(map, "", fmt::format("missing required key '{}' (e.g. {})", key, example));
    return nullptr;
  }
  if (e->value->kind == Kind::null) {
    r.error(*e->value, key, fmt::format("is empty (e.g. {})", example));
    return nullptr;
  }
  return e->value.get();
}

}  // namespace

void read_descriptor(Reader& r, const Node& root, Descriptor& d) {
  if (root.kind != Kind::map) {
    r.error(
        root, "",
        fmt::format("the top level must be a map of keys like 'app:' and 'type:', got {}", yaml::kind_name(root.kind)));
    return;
  }
  r.check_keys(root, "",
               {"schema", "app", "group", "type", "version", "priority", "build", "run", "config", "environments",
                "pipeline", "hooks"});
  if (const Node* n = r.get(root, "schema")) {
    if (auto v = r.integer(*n, "schema", INT32_MIN, INT32_MAX)) {
      if (*v != 1)
        r.error(*n, "schema", fmt::format("unsupported schema {}; this version of ecp reads schema 1", *v));
      else
        d.schema = 1;
    }
  }
  if (const Node* n = required(r, root, "app", "app: hello"))
    if (auto v = r.name(*n, "app", "app name")) d.app = *v;
  if (const Node* n = required(r, root, "type", "type: jar")) {
    if (auto v = r.text(*n, "type")) {
      if (auto t = app_type_from(*v)) {
        d.type = *t;
      } else {
        auto hint = did_you_mean(*v, app_type_names());
        r.error(
            *n, "type",
            fmt::format("unknown type {}{}; valid types: {}", quoted(*v),
                        hint ? fmt::format(" (did you mean '{}'?)", *hint) : "", text::join(app_type_names(), ", ")));
      }
    }
  }
  if (const Node* n = r.get(root, "group"))
    if (auto v = r.name(*n, "group", "group name")) d.group = *v;
  if (const Node* n = r.get(root, "version")) {
    if (auto v = r.text(*n, "version")) {
      bool space = v->find_first_of(" \t\r\n") != std::string::npos;
      if (v->empty() || space || v->size() > 128)
        r.error(*n, "version", "must be 1-128 characters without spaces");
      else
        d.version = *v;
    }
  }
  if (const Node* n = r.get(root, "priority")) {
    if (auto v = r.text(*n, "priority")) {
      if (*v != "core" && *v != "normal" && *v != "low")
        r.error(*n, "priority", fmt::format("unknown priority {}; valid: core, normal, low", quoted(*v)));
      else
        d.priority = *v;
    }
  }
  if (const Node* n = r.get(root, "build")) read_build(r, *n, d.build);
  if (const Node* n = r.get(root, "run")) read_run(r, *n, d.run);
  if (const Node* n = r.get(root, "config")) read_config(r, *n, d.config);
  if (const Node* n = r.get(root, "environments")) read_environments(r, *n, d.environments);
  if (const Node* n = r.get(root, "pipeline")) read_pipeline(r, *n, d);
  if (const Node* n = r.get(root, "hooks")) read_hooks(r, *n, d.hooks);
}

// pipeline: [dev, test, staging, prod]: environments of this file, each once.
void read_pipeline(Reader& r, const Node& n, Descriptor& d) {
  if (!r.is_list(n, "pipeline", "the environments in promotion order, e.g. [dev, staging, prod]")) return;
  for (std::size_t i = 0; i < n.items.size(); ++i) {
    std::string field = fmt::format("pipeline[{}]", i);
    auto name = r.text(*n.items[i], field);
    if (!name) continue;
    bool known = std::any_of(d.environments.begin(), d.environments.end(),
                             [&](const Environment& e) { return e.name == *name; });
    if (!known)
      r.error(*n.items[i], field, fmt::format("{} is not an environment of this file", quoted(*name)));
    else if (std::find(d.pipeline.begin(), d.pipeline.end(), *name) != d.pipeline.end())
      r.error(*n.items[i], field, fmt::format("{} is listed twice", quoted(*name)));
    else
      d.pipeline.push_back(*name);
  }
}

void read_build(Reader& r, const Node& n, Build& b) {
  if (!r.is_map(n, "build", "base, root, labels, dependencies")) return;
  r.check_keys(n, "build", {"base", "root", "labels", "dependencies"});
  if (const Node* v = r.get(n, "base")) {
    if (auto t = r.text(*v, "build.base")) {
      std::string why;
      if (auto base = parse_base_image(*t, &why))
        b.base = *base;
      else
        r.error(*v, "build.base", why);
    }
  }
  if (const Node* v = r.get(n, "root")) {
    if (auto t = r.text(*v, "build.root")) {
      if (auto problem = relative_path_problem(*t))
        r.error(*v, "build.root", fmt::format("{} {}", quoted(*t), *problem));
      else
        b.root = *t;
    }
  }
  if (const Node* v = r.get(n, "labels")) {
    if (r.is_map(*v, "build.labels", "name: value")) {
      for (const auto& e : v->entries) {
        std::string path = field_join("build.labels", e.key);
        r.record(path, *e.value);
        if (e.key.empty())
          r.key_error(e, "build.labels", "a label name is empty");
        else if (auto t = r.text(*e.value, path))
          b.labels[e.key] = *t;
      }
    }
  }
  if (const Node* v = r.get(n, "dependencies")) {
    if (auto t = r.text(*v, "build.dependencies")) {
      if (auto problem = relative_path_problem(*t))
        r.error(*v, "build.dependencies", fmt::format("{} {} (a glob relative to build.root)", quoted(*t), *problem));
      else
        b.dependencies = *t;
    }
  }
}

void read_config(Reader& r, const Node& n, std::vector<ConfigKey>& keys) {
  if (!r.is_map(n, "config", "KEY: default or KEY: {default, required, secret, description}")) return;
  for (const auto& e : n.entries) {
    std::string path = field_join("config", e.key);
    r.record(path, *e.value);
    if (!is_valid_config_key(e.key)) {
      r.key_error(e, "config",
                  fmt::format("{} is not a valid key (letters, digits, '_' and '.', not starting with a "
                              "digit)",
                              quoted(e.key)));
      continue;
    }
    ConfigKey k;
    k.name = e.key;
    k.location = r.at(e);
    const Node& v = *e.value;
    if (v.kind == Kind::scalar) {
      k.default_value = v.value;
    } else if (v.kind == Kind::map) {
      r.check_keys(v, path, {"default", "required", "secret", "description"});
      if (const Node* d = r.get(v, "default"))
        if (auto t = r.text(*d, path + ".default")) k.default_value = *t;
      if (const Node* b = r.get(v, "required"))
        if (auto t = r.boolean(*b, path + ".required")) k.required = *t;
      if (const Node* b = r.get(v, "secret"))
        if (auto t = r.boolean(*b, path + ".secret")) k.secret = *t;
      if (const Node* d = r.get(v, "description"))
        if (auto t = r.text(*d, path + ".description")) k.description = *t;
      if (k.required && k.default_value) r.warning(v, path, "has a default, so 'required: true' has no effect");
      // A default that is itself a secret reference ("secret:env:NAME", see
      // core/config/secrets.hpp) keeps nothing in plain text.
      if (k.secret && k.default_value && !k.default_value->starts_with("secret:"))
        r.warning(v, path, "a secret with a default keeps that value in plain text in ecp.yaml");
    } else if (v.kind == Kind::sequence) {
      r.error(v, path, "expected a default value or a map (default, required, secret, description), got a list");
      continue;
    }
    keys.push_back(std::move(k));
  }
}

}  // namespace ecp::descriptor::detail
