#include "core/config/resolve.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace ecp::config {

const Entry* Resolved::find(std::string_view key) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), key,
                             [](const Entry& e, std::string_view k) { return e.key < k; });
  return it != entries.end() && it->key == key ? &*it : nullptr;
}

Resolved resolve(const Inputs& in) {
  Resolved r;
  r.env = in.env;
  std::map<std::string, const KeySpec*, std::less<>> declared;
  for (const auto& k : in.keys) declared.emplace(k.name, &k);
  std::map<std::string, Entry, std::less<>> merged;

  auto set = [&](const Value& v) {
    std::optional<SecretRef> ref;
    if (is_secret_ref(v.text)) {
      std::string problem;
      ref = parse_secret_ref(v.text, problem);
      if (!ref)
        r.diagnostics.push_back(
            diagnostic_at(v.origin, Severity::error, fmt::format("{}: invalid secret reference: {}", v.key, problem)));
    }
    auto [it, fresh] = merged.try_emplace(v.key);
    Entry& e = it->second;
    if (!fresh) e.replaced.push_back(e.origin);
    e.key = v.key;
    e.text = v.text;
    e.ref = std::move(ref);
    e.origin = v.origin;
  };

  for (const auto& k : in.keys)
    if (k.default_value)
      set(Value{k.name, *k.default_value, Origin{k.origin.file, k.origin.line, k.origin.column, "default"}});
  for (const auto& layer : in.layers) {
    for (const auto& v : layer.values) {
      if (!declared.count(v.key)) {
        if (layer.undeclared == Undeclared::skip) continue;
        if (layer.undeclared == Undeclared::warn)
          r.diagnostics.push_back(diagnostic_at(
              v.origin, Severity::warning,
              fmt::format("'{}' is not declared under config in ecp.yaml; it is rendered anyway", v.key)));
      }
      set(v);
    }
  }

  for (auto& [key, e] : merged) {
    auto d = declared.find(key);
    bool declared_secret = d != declared.end() && d->second->secret;
    e.secret = declared_secret || e.ref.has_value();
    // A plain default is already reported by ecp validate; warn about the others.
    if (declared_secret && !is_secret_ref(e.text) && e.origin.layer != "default")
      r.diagnostics.push_back(
          diagnostic_at(e.origin, Severity::warning,
                        fmt::format("'{}' is declared secret, but {} gives it a plain value; use secret:env:NAME, "
                                    "secret:file:PATH or secret:cmd:NAME so it stays out of files",
                                    key, in.env.empty() ? "this layer" : "environment " + in.env)));
    r.entries.push_back(std::move(e));
  }
  for (const auto& k : in.keys) {
    if (k.required && !merged.count(k.name))
      r.diagnostics.push_back(
          diagnostic_at(k.origin, Severity::error,
                        fmt::format("'{}' is required, but environment {} gives it no value (set it under "
                                    "environments.{}.config, in env/{}.yaml or env/{}.properties, or with --set)",
                                    k.name, in.env, in.env, in.env, in.env)));
  }
  return r;
}

}  // namespace ecp::config
