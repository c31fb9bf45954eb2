#pragma once
// The strategy vocabulary. A strategy type is an enum everywhere it is compared;
// its name appears only at the edges: ecp.yaml, --strategy, plan.json, the
// ledger's text and --output json.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecp::strategy {

// blue_green and canary move traffic between two slots: they need a router.
enum class Type { recreate, rolling, blue_green, canary };

std::string_view to_string(Type t);  // recreate, rolling, blue-green, canary
std::optional<Type> type_from(std::string_view name);
const std::vector<std::string_view>& type_names();  // in the order of Type
bool needs_router(Type t);

using Duration = std::chrono::milliseconds;

// canary: what a step must show before traffic moves on (see judge()).
struct Analysis {
  int max_error_rate = 5;  // percent of the canary's requests answered 5xx
  Duration max_p95{0};     // p95 upstream latency; 0 = not judged
  int min_requests = 10;   // fewer requests in a step: the rates are not judged (health still is)
  // PromQL run against the target's Prometheus after each step (ops/prometheus.hpp),
  // with the placeholders of expand_query(); "" = none. error_rate answers a
  // fraction (0.05 = 5%), p95 seconds, as Prometheus' own conventions have it.
  std::string error_rate_query;
  std::string p95_query;
};

// What the placeholders of an analysis query stand for at a step.
struct QueryVars {
  std::string app, env, slot;  // the canary's slot
  int revision = 0;            // the canary's revision
  Duration window{0};          // since the step's traffic moved ({{window}}: whole seconds, at least 1s)
};
// The query with {{app}}, {{env}}, {{slot}}, {{revision}} and {{window}} replaced.
std::string expand_query(std::string_view query, const QueryVars& vars);
// The first "{{...}}" of `query` that is none of those, or "".
std::string unknown_placeholder(std::string_view query);

// An environment's `strategy:` in ecp.yaml, with its defaults (ecp.yaml(5)).
// core/descriptor parses it once; it travels as it is through core/ops (where
// --strategy may replace the type) into rollout().
struct Settings {
  Type type = Type::recreate;
  int batch = 1;                              // rolling: instances replaced at a time
  int max_unavailable = 1;                    // rolling: instances that may be down at once
  Duration keep = std::chrono::minutes(10);   // blue-green: how long the old slot stays for a fast rollback
  std::vector<int> steps = {10, 50, 100};     // canary: traffic percentages, increasing, ending at 100
  Duration pause = std::chrono::seconds(30);  // canary: wait between steps
  Analysis analysis;                          // canary
  // blue-green, canary: "HEADER: always" reaches the new slot; "" = off. The
  // gateway routes on it (backend::AppSpec::preview_header), not rollout().
  std::string header = "X-Canary";
};

}  // namespace ecp::strategy
