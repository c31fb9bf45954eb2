// plan.json, written by `ecp plan --out` and read by `ecp apply`. The reader sees
// a file that may have been edited or truncated since, so every way it can be
// wrong is an Error(validation) naming the file (tests/fuzz/fuzz_plan checks).
#include <fmt/format.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "core/ops/deploy.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

using Json = nlohmann::json;

namespace {

// A whole number of type T. nlohmann turns a float into an integer with a plain
// cast, undefined when it is out of range ("batch": 1e300), so that is refused.
template <typename T>
T whole(const Json& v, const char* key, const std::string& what) {
  if (v.is_number_float()) {
    double d = v.get<double>();
    auto low = static_cast<double>(std::numeric_limits<T>::min());
    if (!(d >= low && d < -low)) fail(ErrorKind::validation, "{}: '{}' is out of range", what, key);
  }
  return v.get<T>();
}

// j.value(key, fallback), through whole().
template <typename T>
T whole(const Json& j, const char* key, T fallback, const std::string& what) {
  if (!j.is_object()) return j.value(key, fallback);  // throws the type error
  auto it = j.find(key);
  return it == j.end() ? fallback : whole<T>(*it, key, what);
}

// The enum a name stands for; Error(validation) naming the file and the field.
template <typename From>
auto named(From from, const std::string& name, const std::string& field, const std::string& what) {
  auto value = from(name);
  if (!value) fail(ErrorKind::validation, "{}: unknown {} '{}'", what, field, name);
  return *value;
}

}  // namespace

std::string plan_to_json(const DeployPlan& p) {
  return plan_json(p).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Json plan_json(const DeployPlan& p) {
  Json layers = Json::array(), instances = Json::array(), config = Json::array();
  for (const auto& l : p.layers) layers.push_back(oci::layer_ref_json(l));
  for (const auto& i : p.instances)
    instances.push_back({{"location", i.location},
                         {"slot", i.slot},
                         {"index", i.index},
                         {"port", i.port},
                         {"from_revision", i.from_revision},
                         {"to_revision", i.to_revision},
                         {"action", to_string(i.action)}});
  for (const auto& c : p.config)
    config.push_back(
        {{"key", c.key}, {"change", config::to_string(c.change)}, {"before", c.before}, {"after", c.after}});
  Json j = {{"schema", 1},
            {"app", p.app},
            {"env", p.env},
            {"target", p.target},
            {"kind", ledger::to_string(p.kind)},
            {"rollback_to", p.rollback_to},
            {"strategy", strategy::to_string(p.strategy)},
            {"batch", p.batch},
            {"max_unavailable", p.max_unavailable},
            {"replicas", p.replicas},
            {"next_revision", p.next_revision},
            {"from_revision", p.from_revision},
            {"image", p.image},
            {"image_digest", p.image_digest},
            {"config_digest", p.config_digest},
            {"config_fingerprint", p.config_fingerprint},
            {"layers", layers},
            {"instances", instances},
            {"config", config},
            {"changed", p.changed}};
  if (!p.overrides.empty()) j["overrides"] = {{"values", p.overrides.values_files}, {"set", p.overrides.set}};
  return j;
}

DeployPlan plan_from_json(const std::string& text, const std::string& what) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail(ErrorKind::validation, "{}: not a plan (JSON object)", what);
  try {
    // Inside the try: {"schema": "1"} is a type error, which must name the file too.
    if (whole(j, "schema", 0, what) != 1) fail(ErrorKind::validation, "{}: unsupported plan schema", what);
    DeployPlan p;
    p.app = j.at("app").get<std::string>();
    p.env = j.at("env").get<std::string>();
    p.target = j.value("target", "");
    p.kind = named(ledger::kind_from, j.value("kind", "deploy"), "kind", what);
    p.rollback_to = whole(j, "rollback_to", 0, what);
    p.strategy = named(strategy::type_from, j.at("strategy").get<std::string>(), "strategy", what);
    p.batch = whole(j, "batch", 1, what);
    p.max_unavailable = whole(j, "max_unavailable", 1, what);
    p.replicas = whole(j, "replicas", 1, what);
    p.next_revision = whole<int>(j.at("next_revision"), "next_revision", what);
    p.from_revision = whole(j, "from_revision", 0, what);
    p.image = j.value("image", "");
    p.image_digest = j.at("image_digest").get<std::string>();
    p.config_digest = j.at("config_digest").get<std::string>();
    p.config_fingerprint = j.value("config_fingerprint", "");
    for (const auto& l : j.value("layers", Json::array())) p.layers.push_back(oci::layer_ref_from_json(l, what));
    if (auto ov = j.find("overrides"); ov != j.end()) {
      p.overrides.values_files = ov->value("values", std::vector<std::string>{});
      p.overrides.set = ov->value("set", std::vector<std::string>{});
    }
    std::size_t n = 0;
    for (const auto& i : j.value("instances", Json::array())) {
      auto action = named(instance_action_from, i.value("action", ""), fmt::format("instances[{}].action", n++), what);
      p.instances.push_back({i.value("location", ""), i.value("slot", "a"), whole(i, "index", 0, what),
                             whole(i, "port", 0, what), whole(i, "from_revision", 0, what),
                             whole(i, "to_revision", 0, what), action});
    }
    n = 0;
    for (const auto& c : j.value("config", Json::array())) {
      auto change = named(config::change_from, c.value("change", ""), fmt::format("config[{}].change", n++), what);
      p.config.push_back({c.value("key", ""), change, c.value("before", ""), c.value("after", "")});
    }
    p.changed = j.value("changed", true);
    return p;
  } catch (const Json::exception& e) {
    fail(ErrorKind::validation, "{}: {}", what, e.what());
  }
}

}  // namespace ecp::ops
