// HostBackend as a Router: an nginx per (app, env) on the gateway host, its
// configuration rendered here (gateway_conf.cpp) and applied by the agent's
// gw-apply verb, which checks it with `nginx -t` and reloads without dropping
// connections. The gateway keeps its state itself (nginx.conf, weights,
// access log), so any machine running ecp sees the same routes.
#include <fmt/format.h>

#include <cstdio>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "plugins/host/gateway_conf.hpp"
#include "plugins/host/host_backend.hpp"

namespace ecp::plugins::host {

void HostBackend::open_gateway() {
  const auto& g = *settings_.gateway;
  for (auto& h : hosts_)
    if (h->label == g.text) gateway_ = h.get();
  if (gateway_) return;
  if (g.text == "local") {
    own_gateway_ = std::make_unique<Host>();
    own_gateway_->label = "local";
    own_gateway_->address = "127.0.0.1";
    own_gateway_->transport = std::make_unique<LocalTransport>();
  } else {
    own_gateway_ = ssh_host(g);
  }
  own_gateway_->agent = std::make_unique<Agent>(*own_gateway_->transport, root_);
  gateway_ = own_gateway_.get();
}

std::string HostBackend::url() {
  const auto& a = gateway_->address;
  bool v6 = a.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}/", v6 ? "[" : "", a, v6 ? "]" : "", settings_.gateway_port);
}

namespace {
// gw-apply's last line: "applied MS", the gateway's clock once the routes serve.
std::int64_t applied_ms(const std::string& out) {
  auto p = out.rfind("applied ");
  return p == std::string::npos ? 0 : std::atoll(out.c_str() + p + 8);
}
}  // namespace

std::int64_t HostBackend::route(const std::map<std::string, int>& weights, const std::string& preview,
                                const std::vector<backend::InstanceRef>& leaving) {
  // The servers of each slot are the instances running in it now. A host that
  // does not answer is left out (its instances are as good as gone), so routes
  // can still go back to the live slot on the others.
  auto st = status();
  for (const auto& u : st.unreachable) log::warn("routing without it: {}", u);
  GatewaySpec spec;
  spec.app = app_.app;
  spec.env = app_.env;
  spec.dir = fmt::format("{}/{}/{}/gateway", root_, app_.app, app_.env);
  spec.listen_port = settings_.gateway_port;
  spec.weights = weights;
  spec.directives = settings_.gateway_nginx;
  spec.header = app_.preview_header;
  spec.preview = app_.preview_header.empty() ? "" : preview;
  apply_circuit(spec, app_);
  spec.servers = routed_servers(st, weights, spec.preview, leaving,
                                [&](const backend::InstanceStatus& i) { return host(i.ref.location).address; });
  auto text = render_gateway_conf(spec);
  Input in;
  in.data = text;
  auto r = gateway_->agent->call(verbs::gw_apply(place(), weights_text(weights)), in, std::chrono::seconds(60));
  if (r.ok()) return applied_ms(r.out);
  if (r.exit_code == 5)  // nginx rejected it: nothing changed
    fail(ErrorKind::deploy_rolled_back, "gateway {}: {}", gateway_->label, r.last_line());
  fail_call(*gateway_->transport, fmt::format("routing traffic ({})", weights_text(weights)), r);
}

std::map<std::string, int> HostBackend::weights() {
  auto r = gateway_->agent->call(verbs::gw_weights(place()));
  if (!r.ok()) fail_call(*gateway_->transport, "reading the gateway's weights", r);
  return parse_weights(r.out);
}

std::vector<std::string> HostBackend::out_of_rotation() {
  GatewaySpec circuit;
  apply_circuit(circuit, app_);
  auto r = gateway_->agent->call(verbs::gw_failed(place()));
  if (!r.ok()) fail_call(*gateway_->transport, "reading the gateway's error log", r);
  return parse_out_of_rotation(r.out, circuit.fail_timeout_s);
}

std::map<std::string, backend::SlotTraffic> HostBackend::traffic(std::int64_t since_ms) {
  std::map<std::string, std::string> slot_of;
  for (const auto& i : status().instances) {
    const auto& a = host(i.ref.location).address;
    bool v6 = a.find(':') != std::string::npos;
    slot_of[fmt::format("{}{}{}:{}", v6 ? "[" : "", a, v6 ? "]" : "", i.port)] = i.ref.slot;
  }
  auto r = gateway_->agent->call(verbs::gw_log(place(), since_ms), {}, std::chrono::seconds(60));
  if (!r.ok()) fail_call(*gateway_->transport, "reading the gateway's access log", r);
  return parse_access_log(r.out, slot_of);
}

}  // namespace ecp::plugins::host
