#pragma once
// The nginx gateway of an (app, env) on a host target, as pure functions: the
// configuration ecp writes (unit-tested, then checked by `nginx -t` on the
// gateway host before it is used), and the reading of the access log in the
// format that configuration sets, for canary analysis.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/backend.hpp"

namespace ecp::plugins::host {

struct GatewayServer {
  std::string slot;
  std::string address;  // as the gateway reaches it
  int port = 0;
};

struct GatewaySpec {
  std::string app, env;
  std::string dir;  // the gateway's folder on its host (ROOT/APP/ENV/gateway)
  int listen_port = 80;
  std::map<std::string, int> weights;  // slot -> percent
  std::string preview;                 // slot for "HEADER: always" / cookie ecp_preview=always; "" = none
  std::string header = "X-Canary";
  std::vector<GatewayServer> servers;   // every instance of the slots named in weights or preview
  std::vector<std::string> directives;  // ops' extra lines for the server block (targets file)
  // Where nginx writes its logs; "" = DIR/logs/{access,error}.log. A gateway
  // container writes to /dev/stdout and /dev/stderr, read back through the engine.
  std::string access_log, error_log;
  // The circuit (run.circuit, see apply_circuit): max_fails failures within
  // fail_timeout take a server out for fail_timeout; a request that meets one
  // of retry_on goes to the next server, at most `tries` servers (0: every one)
  // within try_timeout_s (0: no limit).
  int max_fails = 3;
  int fail_timeout_s = 10;
  std::vector<std::string> retry_on = {"error", "timeout"};
  int tries = 0;
  int try_timeout_s = 0;
  // proxy_connect_timeout; 0 = nginx's default (60 s). The engine gateway sets
  // 1 s: a published port whose container is going away can accept nothing for
  // a while, and the request must move to the next server instead of waiting.
  int connect_timeout_s = 0;
};

// spec's circuit from the app's run.circuit, its defaults from run.health
// (its retries and its interval: an instance the health check would call
// failed is out of rotation for one interval).
void apply_circuit(GatewaySpec& spec, const backend::AppSpec& app);

// The servers ("ADDRESS:PORT") out of rotation now, from the agent's gw-failed
// output: those nginx took out less than `fail_timeout_s` ago by the gateway's
// own clock (nginx's error log and the agent's "now", in the same zone).
std::vector<std::string> parse_out_of_rotation(std::string_view text, int fail_timeout_s);

// The whole nginx.conf. Throws Error(validation) when a slot with traffic has no
// server, or the weights do not add up to 100.
std::string render_gateway_conf(const GatewaySpec& spec);

// Per-server weights for one upstream holding every slot with traffic, so that
// slot s gets weights[s] percent whatever its number of instances: each server
// of s weighs weights[s] x L / n_s, L the least common multiple of the n_s.
std::map<std::string, long> server_weights(const std::map<std::string, int>& weights,
                                           const std::map<std::string, int>& servers_per_slot);

// The servers routed to under `weights` and `preview`: the instances of `st`
// that run in those slots, each at address_of(it) and its port. The `leaving`
// ones are left out, unless their slot would then have no server at all.
std::vector<GatewayServer> routed_servers(const backend::TargetStatus& st, const std::map<std::string, int>& weights,
                                          const std::string& preview, const std::vector<backend::InstanceRef>& leaving,
                                          const std::function<std::string(const backend::InstanceStatus&)>& address_of);

// "a=75 b=25" <-> {a: 75, b: 25} (the weights file beside the configuration).
std::string weights_text(const std::map<std::string, int>& weights);
std::map<std::string, int> parse_weights(std::string_view text);

// Access log lines "MSEC|STATUS|UPSTREAM_ADDR|UPSTREAM_STATUS|UPSTREAM_TIME|REQUEST_TIME"
// -> traffic per slot. `slot_of` maps "address:port" to a slot; a request retried
// on several servers counts for the last one. Lines that do not parse are skipped.
std::map<std::string, backend::SlotTraffic> parse_access_log(std::string_view text,
                                                             const std::map<std::string, std::string>& slot_of);

}  // namespace ecp::plugins::host
