#include "core/oci/image_config.hpp"

#include <algorithm>

#include "core/util/error.hpp"

namespace ecp::oci {
namespace {

constexpr std::string_view what = "image config";
using detail::get_string;
using detail::get_strings;

template <class Set>
Json key_object(const Set& keys) {
  Json o = Json::object();
  for (const auto& k : keys) o[k] = Json::object();
  return o;
}

Json run_config_json(const RunConfig& c) {
  Json j = c.extra.is_object() ? c.extra : Json::object();
  auto put = [&j](const char* key, auto&& value, bool present) {
    if (present) j[key] = value;
    else j.erase(key);
  };
  put("User", c.user, !c.user.empty());
  put("ExposedPorts", key_object(c.exposed_ports), !c.exposed_ports.empty());
  put("Env", c.env, !c.env.empty());
  put("Entrypoint", c.entrypoint, !c.entrypoint.empty());
  put("Cmd", c.cmd, !c.cmd.empty());
  put("Volumes", key_object(c.volumes), !c.volumes.empty());
  put("WorkingDir", c.working_dir, !c.working_dir.empty());
  put("Labels", c.labels, !c.labels.empty());
  put("StopSignal", c.stop_signal, !c.stop_signal.empty());
  return j;
}

RunConfig run_config_from_json(const Json& j) {
  RunConfig c;
  if (j.is_null()) return c;
  detail::expect_object(j, "image config (config)");
  c.user = get_string(j, "User", what);
  for (auto& p : detail::get_object_keys(j, "ExposedPorts", what)) c.exposed_ports.insert(p);
  c.env = get_strings(j, "Env", what);
  c.entrypoint = get_strings(j, "Entrypoint", what);
  c.cmd = get_strings(j, "Cmd", what);
  for (auto& v : detail::get_object_keys(j, "Volumes", what)) c.volumes.insert(v);
  c.working_dir = get_string(j, "WorkingDir", what);
  c.labels = detail::get_string_map(j, "Labels", what);
  c.stop_signal = get_string(j, "StopSignal", what);
  for (const auto& [k, v] : j.items()) {
    static const std::set<std::string> known = {"User",    "ExposedPorts", "Env",        "Entrypoint", "Cmd",
                                                "Volumes", "WorkingDir",   "Labels",     "StopSignal"};
    if (!known.contains(k) && !v.is_null()) c.extra[k] = v;
  }
  return c;
}

History history_from_json(const Json& j) {
  detail::expect_object(j, "image config (history entry)");
  History h;
  h.created = get_string(j, "created", what);
  h.created_by = get_string(j, "created_by", what);
  h.author = get_string(j, "author", what);
  h.comment = get_string(j, "comment", what);
  if (auto e = j.find("empty_layer"); e != j.end() && !e->is_null()) {
    if (!e->is_boolean()) fail(ErrorKind::validation, "invalid image config: \"empty_layer\" must be a boolean");
    h.empty_layer = e->get<bool>();
  }
  return h;
}

Json history_json(const History& h) {
  Json j = Json::object();
  if (!h.created.empty()) j["created"] = h.created;
  if (!h.created_by.empty()) j["created_by"] = h.created_by;
  if (!h.author.empty()) j["author"] = h.author;
  if (!h.comment.empty()) j["comment"] = h.comment;
  if (h.empty_layer) j["empty_layer"] = true;
  return j;
}

}  // namespace

void RunConfig::set_env(std::string_view key, std::string_view value) {
  std::string entry = fmt::format("{}={}", key, value);
  for (auto& e : env) {
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') {
      e = std::move(entry);
      return;
    }
  }
  env.push_back(std::move(entry));
}

const std::string* RunConfig::find_env(std::string_view key) const {
  for (const auto& e : env)
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') return &e;
  return nullptr;
}

ImageConfig ImageConfig::from_json(std::string_view text) {
  Json j = parse_json(text, what);
  detail::expect_object(j, what);
  ImageConfig c;
  c.created = get_string(j, "created", what);
  c.author = get_string(j, "author", what);
  c.architecture = get_string(j, "architecture", what);
  c.os = get_string(j, "os", what);
  if (c.architecture.empty() || c.os.empty())
    fail(ErrorKind::validation, "invalid image config: \"architecture\" and \"os\" are required");
  c.variant = get_string(j, "variant", what);
  c.os_version = get_string(j, "os.version", what);
  c.os_features = get_strings(j, "os.features", what);
  if (auto rc = j.find("config"); rc != j.end()) c.config = run_config_from_json(*rc);
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object())
    fail(ErrorKind::validation, "invalid image config: \"rootfs\" is missing");
  if (get_string(*rootfs, "type", what) != "layers")
    fail(ErrorKind::validation, "invalid image config: rootfs.type must be \"layers\"");
  for (const auto& d : get_strings(*rootfs, "diff_ids", what)) {
    auto parsed = Digest::try_parse(d);
    if (!parsed) fail(ErrorKind::validation, "invalid image config: bad diff_id '{}'", d);
    c.diff_ids.push_back(*parsed);
  }
  if (auto h = j.find("history"); h != j.end() && !h->is_null()) {
    if (!h->is_array()) fail(ErrorKind::validation, "invalid image config: \"history\" must be an array");
    for (const auto& e : *h) c.history.push_back(history_from_json(e));
  }
  static const std::set<std::string> known = {"created", "author",      "architecture", "os",     "variant",
                                              "os.version", "os.features", "config",   "rootfs", "history"};
  for (const auto& [k, v] : j.items())
    if (!known.contains(k) && !v.is_null()) c.extra[k] = v;
  return c;
}

std::string to_json(const ImageConfig& c) {
  Json j = c.extra.is_object() ? c.extra : Json::object();
  if (!c.created.empty()) j["created"] = c.created;
  if (!c.author.empty()) j["author"] = c.author;
  j["architecture"] = c.architecture;
  j["os"] = c.os;
  if (!c.variant.empty()) j["variant"] = c.variant;
  if (!c.os_version.empty()) j["os.version"] = c.os_version;
  if (!c.os_features.empty()) j["os.features"] = c.os_features;
  j["config"] = run_config_json(c.config);
  Json diff_ids = Json::array();
  for (const auto& d : c.diff_ids) diff_ids.push_back(d.to_string());
  j["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  if (!c.history.empty()) {
    Json h = Json::array();
    for (const auto& e : c.history) h.push_back(history_json(e));
    j["history"] = h;
  }
  return canonical(j);
}

}  // namespace ecp::oci
