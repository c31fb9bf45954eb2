#pragma once
// Every verb of the host agent (agent.sh) with one pure builder each, as Kamal's
// lib/kamal/commands: the builder says which words a verb takes, in which order,
// and the unit tests (test_host_agent_argv.cpp) compare what it gives. The host
// backend never writes a verb's arguments by hand.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/types.hpp"

namespace ecp::plugins::host {

// One call of the agent: `sh AGENT VERB ARGS...` (agent_argv() adds the rest).
struct AgentCommand {
  std::string verb;
  std::vector<std::string> args;
  bool operator==(const AgentCommand&) const = default;
};

// Where an (app, env) lives on a host: ROOT/APP/ENV.
struct AgentPlace {
  std::string root;
  std::string app;
  std::string env;
};

// A layer as install-plan and install name it.
struct AgentLayer {
  std::string hex;          // of the blob's digest
  std::string diff_hex;     // of the uncompressed tar's digest
  std::string compression;  // gzip | zstd | none
};

// How a revision's instances run: run.user ("" = the SSH user) and run.resources (0 = none).
struct RunAs {
  std::string user;
  backend::ResourceSpec limits;
  std::string priority = "normal";  // what `ecp degrade` reads of the revision that serves
  std::string health_path;          // and what `ecp restore` probes ("" = a TCP connect)
};

// The verbs of agent.sh, in the order of its case statement. `internal`: the agent
// calls it itself (never ecp).
struct AgentVerb {
  std::string_view name;
  bool internal = false;
};
const std::vector<AgentVerb>& agent_verbs();

namespace verbs {
AgentCommand hello(const std::string& root);
AgentCommand blobs_missing(const std::string& root, const std::vector<std::string>& hexes);
// blob-put (a compressed blob) or tar-put (an uncompressed tar), the bytes on stdin.
AgentCommand blob_put(const std::string& root, const std::string& hex, std::int64_t size, bool uncompressed);
AgentCommand install_plan(const AgentPlace& p, const std::string& image_digest, const std::vector<AgentLayer>& layers);
// The rendered configuration on stdin; `run`: how its instances run.
AgentCommand install(const AgentPlace& p, int revision, const std::string& image_digest,
                     const std::string& config_digest, const RunAs& run, const std::vector<AgentLayer>& layers);
AgentCommand switch_current(const AgentPlace& p, int revision);
AgentCommand start(const AgentPlace& p, const backend::InstanceRef& ref, int revision, int port, int grace_s);
AgentCommand stop(const AgentPlace& p, const backend::InstanceRef& ref, int grace_s);
AgentCommand status(const AgentPlace& p);
AgentCommand prune(const AgentPlace& p, const std::vector<int>& keep);
// Everything of the (app, env) but its state/ (remove --purge).
AgentCommand purge(const AgentPlace& p);
// The host's CPU, memory and load and its instances' CPU and RSS over
// `interval` (ecp top); those of `only`'s (app, env), else of every one under root.
AgentCommand top(const std::string& root, std::chrono::milliseconds interval, const AgentPlace* only);
// Every (app, env) under root with a release that serves: priority, health path,
// whether it is degraded (ecp degrade, ecp restore).
AgentCommand hosted(const std::string& root);
// Pauses the (app, env): its instances stop as "degraded", its gateway answers
// 503 with the note (stdin); undegrade ends that once restore started them.
AgentCommand degrade(const AgentPlace& p);
AgentCommand undegrade(const AgentPlace& p);
// The host runs `resume ROOT` when it boots (a systemd unit, else crontab).
AgentCommand boot_hook(const std::string& root);
// `command` in the instance's folder, environment and user (ecp exec).
AgentCommand exec(const AgentPlace& p, const backend::InstanceRef& ref, const std::vector<std::string>& command);
AgentCommand logs(const AgentPlace& p, const backend::InstanceRef& ref, int lines, bool follow);
AgentCommand state_get(const AgentPlace& p, const std::string& key);
AgentCommand state_list(const AgentPlace& p, const std::string& prefix);
AgentCommand state_put(const AgentPlace& p, const std::string& key);
// Compare-and-swap: `expected_hex` is the sha256 of the current bytes, "" when the
// key must be absent; put writes stdin, else the key is removed.
AgentCommand state_cas(const AgentPlace& p, const std::string& key, const std::string& expected_hex, bool put);
AgentCommand retire(const AgentPlace& p, const backend::InstanceRef& ref, std::int64_t delay_s, int grace_s);
AgentCommand keep(const AgentPlace& p, const backend::InstanceRef& ref);
// The nginx configuration on stdin; `weights` as "a=90,b=10".
AgentCommand gw_apply(const AgentPlace& p, const std::string& weights);
AgentCommand gw_weights(const AgentPlace& p);
AgentCommand gw_log(const AgentPlace& p, std::int64_t since_ms);
// When nginx took which server out of rotation, with the gateway's own clock.
AgentCommand gw_failed(const AgentPlace& p);
// An HTTP GET of `path` on each port, run on the host (the health check of hosts
// whose application port only the host itself may reach).
AgentCommand probe(std::chrono::milliseconds timeout, const std::string& path, const std::string& address,
                   const std::vector<int>& ports);
}  // namespace verbs

}  // namespace ecp::plugins::host
