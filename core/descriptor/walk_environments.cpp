// environments: and their strategies.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/descriptor/values.hpp"
#include "core/descriptor/walk.hpp"
#include "core/util/text.hpp"

namespace ecp::descriptor::detail {
namespace {

// Which strategy each optional key belongs to, for "applies to X, not Y".
std::optional<strategy::Type> owner_of(std::string_view key) {
  if (key == "batch" || key == "max_unavailable") return strategy::Type::rolling;
  if (key == "keep") return strategy::Type::blue_green;
  if (key == "steps" || key == "pause" || key == "analysis") return strategy::Type::canary;
  return std::nullopt;
}

std::optional<strategy::Type> strategy_type(Reader& r, const Node& n, const std::string& field) {
  auto t = r.text(n, field);
  if (!t) return std::nullopt;
  if (auto type = strategy::type_from(*t)) return type;
  auto hint = did_you_mean(*t, strategy::type_names());
  r.error(
      n, field,
      fmt::format("unknown strategy {}{}; valid strategies: {}", quoted(*t),
                  hint ? fmt::format(" (did you mean '{}'?)", *hint) : "", text::join(strategy::type_names(), ", ")));
  return std::nullopt;
}

void read_steps(Reader& r, const Node& n, const std::string& field, std::vector<int>& steps) {
  if (!r.is_list(n, field, "traffic percentages, e.g. [5, 25, 50, 100]")) return;
  std::vector<int> out;
  bool ok = !n.items.empty();
  if (!ok) r.error(n, field, "is empty; list traffic percentages ending at 100, e.g. [5, 25, 50, 100]");
  for (std::size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = *n.items[i];
    auto v = r.integer(item, fmt::format("{}[{}]", field, i), 1, 100);
    if (!v) {
      ok = false;
      continue;
    }
    if (!out.empty() && *v <= out.back()) {
      r.error(item, field, fmt::format("steps must increase: {} follows {}", *v, out.back()));
      ok = false;
    }
    out.push_back(static_cast<int>(*v));
  }
  if (ok && out.back() != 100) {
    r.error(*n.items.back(), field, "the last step must be 100 (all traffic on the new version)");
    ok = false;
  }
  if (ok) steps = out;
}

// analysis.queries: {error_rate: PROMQL, p95: PROMQL}.
void read_queries(Reader& r, const Node& n, const std::string& field, strategy::Analysis& a) {
  if (!r.is_map(n, field, "{error_rate: PROMQL, p95: PROMQL}")) return;
  r.check_keys(n, field, {"error_rate", "p95"});
  for (auto [key, out] : {std::pair{"error_rate", &a.error_rate_query}, std::pair{"p95", &a.p95_query}}) {
    const Node* v = r.get(n, key);
    if (!v) continue;
    auto q = r.text(*v, field + "." + key);
    if (!q) continue;
    if (q->find_first_not_of(" \t\r\n") == std::string::npos)
      r.error(*v, field + "." + key, "is empty; write a PromQL query");
    else if (auto bad = strategy::unknown_placeholder(*q); !bad.empty())
      r.error(*v, field + "." + key,
              fmt::format("unknown placeholder {}; known: {{{{app}}}}, {{{{env}}}}, {{{{slot}}}}, {{{{revision}}}}, "
                          "{{{{window}}}}",
                          bad));
    else
      *out = *q;
  }
}

void read_analysis(Reader& r, const Node& n, const std::string& field, strategy::Analysis& a) {
  if (!r.is_map(n, field, "{max_error_rate: 5, max_p95: 500ms, min_requests: 10, queries: {...}}")) return;
  r.check_keys(n, field, {"max_error_rate", "max_p95", "min_requests", "queries"});
  if (const Node* v = r.get(n, "queries")) read_queries(r, *v, field + ".queries", a);
  if (const Node* v = r.get(n, "max_error_rate"))
    if (auto i = r.integer(*v, field + ".max_error_rate", 0, 100)) a.max_error_rate = static_cast<int>(*i);
  if (const Node* v = r.get(n, "max_p95"))
    if (auto d = r.duration(*v, field + ".max_p95", true)) a.max_p95 = *d;
  if (const Node* v = r.get(n, "min_requests"))
    if (auto i = r.integer(*v, field + ".min_requests", 0, INT32_MAX)) a.min_requests = static_cast<int>(*i);
}

}  // namespace

void read_strategy(Reader& r, const Node& n, std::string_view field_view, strategy::Settings& s) {
  std::string field(field_view);
  if (n.kind == Kind::scalar) {
    if (auto t = strategy_type(r, n, field)) s.type = *t;
    return;
  }
  if (!r.is_map(n, field, "a strategy name, or {type: rolling, batch: 1, ...}")) return;
  r.check_keys(n, field, {"type", "batch", "max_unavailable", "keep", "steps", "pause", "analysis", "header"});
  std::optional<strategy::Type> type;
  if (const Node* t = r.get(n, "type")) type = strategy_type(r, *t, field + ".type");
  else
    r.error(n, field, fmt::format("missing 'type' ({})", text::join(strategy::type_names(), ", ")));
  if (!type) return;
  s.type = *type;
  for (const auto& e : n.entries) {
    auto owner = owner_of(e.key);
    if (owner && *owner != *type)
      r.key_error(e, field, fmt::format("'{}' applies to {}, not {}", e.key, to_string(*owner), to_string(*type)));
  }
  auto get = [&](std::string_view key) { return owner_of(key) == type ? r.get(n, key) : nullptr; };
  if (const Node* v = get("batch"))
    if (auto i = r.integer(*v, field + ".batch", 1, INT32_MAX)) s.batch = static_cast<int>(*i);
  if (const Node* v = get("max_unavailable"))
    if (auto i = r.integer(*v, field + ".max_unavailable", 0, INT32_MAX)) s.max_unavailable = static_cast<int>(*i);
  if (const Node* v = get("keep"))
    if (auto d = r.duration(*v, field + ".keep", true)) s.keep = *d;
  if (const Node* v = get("steps")) read_steps(r, *v, field + ".steps", s.steps);
  if (const Node* v = get("pause"))
    if (auto d = r.duration(*v, field + ".pause", true)) s.pause = *d;
  if (const Node* v = get("analysis")) read_analysis(r, *v, field + ".analysis", s.analysis);
  // header: only the strategies that move traffic route on it.
  if (const Node* v = r.get(n, "header")) {
    if (*type != strategy::Type::blue_green && *type != strategy::Type::canary) {
      r.error(*v, field + ".header", fmt::format("'header' applies to blue-green and canary, not {}", to_string(*type)));
    } else if (auto h = r.text(*v, field + ".header")) {
      bool ok = std::all_of(h->begin(), h->end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
      if (!ok) r.error(*v, field + ".header", fmt::format("{} is not an HTTP header name (letters, digits, '-')", quoted(*h)));
      else s.header = *h;
    }
  }
}

void read_environments(Reader& r, const Node& n, std::vector<Environment>& envs) {
  if (!r.is_map(n, "environments", "name: {target, replicas, strategy, config, approvals}")) return;
  for (const auto& e : n.entries) {
    std::string path = field_join("environments", e.key);
    r.record(path, *e.value);
    if (!r.check_name_key(e, "environments", "environment name")) continue;
    Environment env;
    env.name = e.key;
    env.location = r.at(e);
    const Node& v = *e.value;
    if (v.kind != Kind::null) {  // "dev:" alone is an environment with every default
      if (!r.is_map(v, path, "target, replicas, strategy, config, approvals")) continue;
      r.check_keys(v, path, {"target", "replicas", "strategy", "config", "approvals", "failover"});
      if (const Node* t = r.get(v, "target"))
        if (auto name = r.text(*t, path + ".target")) env.target = *name;
      if (const Node* t = r.get(v, "replicas"))
        if (auto i = r.integer(*t, path + ".replicas", 0, INT32_MAX)) env.replicas = static_cast<int>(*i);
      if (const Node* t = r.get(v, "strategy")) read_strategy(r, *t, path + ".strategy", env.strategy);
      if (const Node* t = r.get(v, "config")) env.config = r.config_values(*t, path + ".config");
      if (const Node* t = r.get(v, "approvals")) read_approvals(r, *t, path + ".approvals", env.approvals);
      if (const Node* t = r.get(v, "failover"))
        if (auto how = r.text(*t, path + ".failover")) {
          if (*how != "auto" && *how != "manual")
            r.error(*t, path + ".failover", fmt::format("expected auto or manual, got '{}'", *how));
          env.failover_auto = *how == "auto";
        }
    }
    envs.push_back(std::move(env));
  }
}

// approvals: {required: 1, from: [release-managers], ttl: 24h}
void read_approvals(Reader& r, const Node& n, const std::string& path, Approvals& a) {
  if (!r.is_map(n, path, "required: 1, from: [GROUP, ...], ttl: 24h")) return;
  r.check_keys(n, path, {"required", "from", "ttl"});
  a.location = r.at(n);
  if (const Node* v = r.get(n, "required"))
    if (auto i = r.integer(*v, path + ".required", 0, 16)) a.required = static_cast<int>(*i);
  if (const Node* v = r.get(n, "from");
      v && r.is_list(*v, path + ".from", "groups of access.groups, e.g. [release-managers]"))
    for (std::size_t i = 0; i < v->items.size(); ++i)
      if (auto g = r.text(*v->items[i], fmt::format("{}.from[{}]", path, i))) a.from.push_back(*g);
  if (const Node* v = r.get(n, "ttl"))
    if (auto d = r.duration(*v, path + ".ttl")) a.ttl = *d;
}

}  // namespace ecp::descriptor::detail
