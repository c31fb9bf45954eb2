#include "core/ledger/record.hpp"

#include <time.h>

#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/util/enum_names.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ledger {

using Json = nlohmann::json;

namespace {

// A whole number of type T. nlohmann turns a float into an integer with a plain
// cast, undefined when it is out of range ("revision": 1e300), so that is refused.
template <typename T>
T whole(const Json& v, const char* key, std::string_view what) {
  if (v.is_number_float()) {
    double d = v.get<double>();
    auto low = static_cast<double>(std::numeric_limits<T>::min());
    if (!(d >= low && d < -low)) fail(ErrorKind::validation, "{}: '{}' is out of range", what, key);
  }
  return v.get<T>();
}

// j.value(key, fallback), through whole().
template <typename T>
T whole(const Json& j, const char* key, T fallback, std::string_view what) {
  if (!j.is_object()) return j.value(key, fallback);  // throws the type error
  auto it = j.find(key);
  return it == j.end() ? fallback : whole<T>(*it, key, what);
}

}  // namespace

namespace {
constexpr text::EnumName<Outcome> outcome_table[] = {{Outcome::in_progress, "in-progress"},
                                                     {Outcome::succeeded, "succeeded"},
                                                     {Outcome::failed_rolled_back, "failed-rolled-back"},
                                                     {Outcome::failed, "failed"},
                                                     {Outcome::paused, "paused"},
                                                     {Outcome::crashed, "crashed"}};
constexpr text::EnumName<Kind> kind_table[] = {
    {Kind::deploy, "deploy"}, {Kind::rollback, "rollback"}, {Kind::scale, "scale"}, {Kind::failover, "failover"}};
}  // namespace

std::string_view to_string(Outcome o) { return text::name_of(outcome_table, o, "failed"); }

std::string_view to_string(Kind k) { return text::name_of(kind_table, k, "deploy"); }

std::optional<Outcome> outcome_from(std::string_view s) { return text::value_of(outcome_table, s); }

std::optional<Kind> kind_from(std::string_view s) { return text::value_of(kind_table, s); }

Json record_json(const Record& r) {
  Json layers = Json::array();
  for (const auto& l : r.layers) layers.push_back(oci::layer_ref_json(l));
  Json instances = Json::array();
  for (const auto& i : r.instances)
    instances.push_back({{"location", i.location}, {"slot", i.slot}, {"index", i.index}, {"port", i.port}});
  Json j = {{"revision", r.revision},
            {"kind", to_string(r.kind)},
            {"app", r.app},
            {"env", r.env},
            {"target", r.target},
            {"image", r.image},
            {"image_digest", r.image_digest},
            {"layers", layers},
            {"config_digest", r.config_digest},
            {"strategy", r.strategy},
            {"who", r.who},
            {"when", r.when},
            {"finished", r.finished},
            {"change_id", r.change_id},
            {"outcome", to_string(r.outcome)},
            {"from_revision", r.from_revision},
            {"rollback_to", r.rollback_to},
            {"message", r.message},
            {"instances", instances}};
  // Only when known, so a record from before ports were recorded reads and
  // writes back byte for byte.
  if (r.base_port > 0) j["base_port"] = r.base_port;
  if (r.replicas > 0) j["replicas"] = r.replicas;
  if (r.runs > 0) j["runs"] = r.runs;
  if (!r.holder.empty()) j["holder"] = r.holder;
  if (!r.config_fingerprint.empty()) j["config_fingerprint"] = r.config_fingerprint;
  if (!r.overrides.empty()) j["overrides"] = r.overrides;
  if (!r.emergency.empty()) j["emergency"] = r.emergency;
  if (r.promoted_from)
    j["promoted_from"] = {{"env", r.promoted_from->env},
                          {"revision", r.promoted_from->revision},
                          {"image_digest", r.promoted_from->image_digest}};
  return j;
}

std::string to_json(const Record& r) { return record_json(r).dump(-1, ' ', false, Json::error_handler_t::replace); }

Record record_from_json(std::string_view text, std::string_view what) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail(ErrorKind::validation, "{}: not a ledger record (JSON object)", what);
  try {
    Record r;
    r.revision = whole<int>(j.at("revision"), "revision", what);
    auto kind = kind_from(j.value("kind", "deploy"));
    if (!kind) fail(ErrorKind::validation, "{}: unknown kind '{}'", what, j.value("kind", ""));
    r.kind = *kind;
    r.app = j.value("app", "");
    r.env = j.value("env", "");
    r.target = j.value("target", "");
    r.image = j.value("image", "");
    r.image_digest = j.value("image_digest", "");
    for (const auto& l : j.value("layers", Json::array())) r.layers.push_back(oci::layer_ref_from_json(l, what));
    r.config_digest = j.value("config_digest", "");
    r.config_fingerprint = j.value("config_fingerprint", "");
    r.strategy = j.value("strategy", "");
    r.who = j.value("who", "");
    r.holder = j.value("holder", "");
    r.when = j.value("when", "");
    r.finished = j.value("finished", "");
    r.change_id = j.value("change_id", "");
    r.overrides = j.value("overrides", std::vector<std::string>{});
    auto o = outcome_from(j.value("outcome", ""));
    if (!o) fail(ErrorKind::validation, "{}: unknown outcome '{}'", what, j.value("outcome", ""));
    r.outcome = *o;
    r.from_revision = whole(j, "from_revision", 0, what);
    r.rollback_to = whole(j, "rollback_to", 0, what);
    r.base_port = whole(j, "base_port", 0, what);
    r.replicas = whole(j, "replicas", 0, what);
    r.runs = whole(j, "runs", 0, what);
    r.message = j.value("message", "");
    for (const auto& i : j.value("instances", Json::array()))
      r.instances.push_back(
          {i.value("location", ""), i.value("slot", "a"), whole(i, "index", 0, what), whole(i, "port", 0, what)});
    r.emergency = j.value("emergency", "");
    if (auto p = j.find("promoted_from"); p != j.end() && p->is_object())
      r.promoted_from = Promotion{p->value("env", ""), whole(*p, "revision", 0, what), p->value("image_digest", "")};
    if (r.revision <= 0) fail(ErrorKind::validation, "{}: revision must be positive", what);
    return r;
  } catch (const Json::exception& e) {
    fail(ErrorKind::validation, "{}: bad ledger record: {}", what, e.what());
  }
}

Json event_json(const Event& e) { return {{"type", e.type}, {"who", e.who}, {"when", e.when}, {"message", e.message}}; }

std::string to_json(const Event& e) { return event_json(e).dump(-1, ' ', false, Json::error_handler_t::replace); }

Event event_from_json(std::string_view text, std::string_view what) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail(ErrorKind::validation, "{}: not a ledger event", what);
  // A field of another type ({"who": 1}) must be an Error too: Ledger::events()
  // skips only those, and an event line at the target may have been edited.
  try {
    return {j.value("type", ""), j.value("who", ""), j.value("when", ""), j.value("message", "")};
  } catch (const Json::exception& e) {
    fail(ErrorKind::validation, "{}: bad ledger event: {}", what, e.what());
  }
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ecp::ledger
