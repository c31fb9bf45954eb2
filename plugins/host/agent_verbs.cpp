#include "plugins/host/agent_verbs.hpp"

#include <fmt/format.h>

namespace ecp::plugins::host {

const std::vector<AgentVerb>& agent_verbs() {
  static const std::vector<AgentVerb> table = {
      {"hello"},
      {"blobs-missing"},
      {"blob-put"},
      {"tar-put"},
      {"install-plan"},
      {"install"},
      {"switch"},
      {"start"},
      {"supervise", true},
      {"stop"},
      {"status"},
      {"prune"},
      {"purge"},
      {"logs"},
      {"hosted"},
      {"degrade"},
      {"undegrade"},
      {"resume", true},
      {"boot-hook"},
      {"exec"},
      {"state-get"},
      {"state-list"},
      {"state-put"},
      {"state-cas"},
      {"retire"},
      {"retire-wait", true},
      {"keep"},
      {"gw-apply"},
      {"gw-weights"},
      {"gw-log"},
      {"gw-failed"},
      {"probe"},
      {"top"},
  };
  return table;
}

namespace verbs {
namespace {

// VERB ROOT APP ENV EXTRA...: most verbs work on one (app, env).
AgentCommand at(std::string verb, const AgentPlace& p, std::vector<std::string> extra = {}) {
  AgentCommand c{std::move(verb), {p.root, p.app, p.env}};
  c.args.insert(c.args.end(), extra.begin(), extra.end());
  return c;
}

std::vector<std::string> instance(const backend::InstanceRef& ref) { return {ref.slot, std::to_string(ref.index)}; }

std::vector<std::string> with(std::vector<std::string> a, std::initializer_list<std::string> more) {
  a.insert(a.end(), more);
  return a;
}

}  // namespace

AgentCommand hello(const std::string& root) { return {"hello", {root}}; }

AgentCommand blobs_missing(const std::string& root, const std::vector<std::string>& hexes) {
  AgentCommand c{"blobs-missing", {root}};
  c.args.insert(c.args.end(), hexes.begin(), hexes.end());
  return c;
}

AgentCommand blob_put(const std::string& root, const std::string& hex, std::int64_t size, bool uncompressed) {
  return {uncompressed ? "tar-put" : "blob-put", {root, hex, std::to_string(size)}};
}

AgentCommand install_plan(const AgentPlace& p, const std::string& image_digest, const std::vector<AgentLayer>& layers) {
  auto c = at("install-plan", p, {image_digest});
  for (const auto& l : layers) c.args.push_back(l.hex + ":" + l.diff_hex);
  return c;
}

AgentCommand install(const AgentPlace& p, int revision, const std::string& image_digest,
                     const std::string& config_digest, const RunAs& run, const std::vector<AgentLayer>& layers) {
  auto c = at("install", p,
              {std::to_string(revision), image_digest, config_digest, run.user.empty() ? "-" : run.user,
               std::to_string(run.limits.cpu_millis), std::to_string(run.limits.memory_bytes), run.priority,
               run.health_path.empty() ? "-" : run.health_path});
  for (const auto& l : layers) c.args.push_back(l.hex + ":" + l.compression + ":" + l.diff_hex);
  return c;
}

AgentCommand switch_current(const AgentPlace& p, int revision) { return at("switch", p, {std::to_string(revision)}); }

AgentCommand start(const AgentPlace& p, const backend::InstanceRef& ref, int revision, int port, int grace_s) {
  return at("start", p, with(instance(ref), {std::to_string(revision), std::to_string(port), std::to_string(grace_s)}));
}

AgentCommand stop(const AgentPlace& p, const backend::InstanceRef& ref, int grace_s) {
  return at("stop", p, with(instance(ref), {std::to_string(grace_s)}));
}

AgentCommand status(const AgentPlace& p) { return at("status", p); }

AgentCommand prune(const AgentPlace& p, const std::vector<int>& keep) {
  auto c = at("prune", p);
  for (int k : keep) c.args.push_back(std::to_string(k));
  return c;
}

AgentCommand purge(const AgentPlace& p) { return at("purge", p); }
AgentCommand hosted(const std::string& root) { return {"hosted", {root}}; }
AgentCommand degrade(const AgentPlace& p) { return at("degrade", p); }
AgentCommand undegrade(const AgentPlace& p) { return at("undegrade", p); }
AgentCommand top(const std::string& root, std::chrono::milliseconds interval, const AgentPlace* only) {
  AgentCommand c{"top", {root, std::to_string(interval.count())}};
  if (only != nullptr) c.args.insert(c.args.end(), {only->app, only->env});
  return c;
}

AgentCommand boot_hook(const std::string& root) { return {"boot-hook", {root}}; }

AgentCommand exec(const AgentPlace& p, const backend::InstanceRef& ref, const std::vector<std::string>& command) {
  auto c = at("exec", p, instance(ref));
  c.args.insert(c.args.end(), command.begin(), command.end());
  return c;
}

AgentCommand logs(const AgentPlace& p, const backend::InstanceRef& ref, int lines, bool follow) {
  return at("logs", p, with(instance(ref), {std::to_string(lines), follow ? "1" : "0"}));
}

AgentCommand state_get(const AgentPlace& p, const std::string& key) { return at("state-get", p, {key}); }
AgentCommand state_list(const AgentPlace& p, const std::string& prefix) { return at("state-list", p, {prefix}); }
AgentCommand state_put(const AgentPlace& p, const std::string& key) { return at("state-put", p, {key}); }

AgentCommand state_cas(const AgentPlace& p, const std::string& key, const std::string& expected_hex, bool put) {
  return at("state-cas", p, {key, expected_hex.empty() ? "absent" : expected_hex, put ? "put" : "remove"});
}

AgentCommand retire(const AgentPlace& p, const backend::InstanceRef& ref, std::int64_t delay_s, int grace_s) {
  return at("retire", p, with(instance(ref), {std::to_string(delay_s), std::to_string(grace_s)}));
}

AgentCommand keep(const AgentPlace& p, const backend::InstanceRef& ref) { return at("keep", p, instance(ref)); }
AgentCommand gw_apply(const AgentPlace& p, const std::string& weights) { return at("gw-apply", p, {weights}); }
AgentCommand gw_weights(const AgentPlace& p) { return at("gw-weights", p); }
AgentCommand gw_failed(const AgentPlace& p) { return at("gw-failed", p); }

AgentCommand gw_log(const AgentPlace& p, std::int64_t since_ms) {
  return at("gw-log", p, {fmt::format("{}.{:03}", since_ms / 1000, since_ms % 1000)});
}

AgentCommand probe(std::chrono::milliseconds timeout, const std::string& path, const std::string& address,
                   const std::vector<int>& ports) {
  AgentCommand c{"probe", {std::to_string(timeout.count()), path, address}};
  for (int port : ports) c.args.push_back(std::to_string(port));
  return c;
}

}  // namespace verbs
}  // namespace ecp::plugins::host
