// `ecp degrade` and `ecp restore` on hosts (core/ops/degrade.hpp): the agent's
// hosted, degrade and undegrade verbs on every host of the target, the gateway's
// host too (its degraded.html makes nginx answer 503).
#include <fmt/format.h>

#include <map>
#include <mutex>

#include "core/util/error.hpp"
#include "core/util/text.hpp"
#include "plugins/host/host_backend.hpp"

namespace ecp::plugins::host {
namespace {

// The errors of `each`, rethrown: the first one.
void rethrow_first(const std::vector<std::exception_ptr>& errors) {
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace

std::vector<backend::HostedEnv> HostBackend::hosted() {
  std::map<std::pair<std::string, std::string>, backend::HostedEnv> found;
  std::mutex mu;
  rethrow_first(each(all(), [&](Host& h) {
    auto r = h.agent->call(verbs::hosted(root_));
    if (!r.ok()) fail_call(*h.transport, "listing the apps it runs", r);
    for (const auto& line : text::split(r.out, '\n')) {
      auto f = text::split(line, ' ');
      if (f.size() != 5) continue;
      std::lock_guard l(mu);
      auto& e = found[{f[0], f[1]}];
      e.app = f[0];
      e.env = f[1];
      e.priority = f[2];
      e.health_path = f[3] == "-" ? "" : f[3];
      e.degraded = e.degraded || f[4] == "1";
    }
  }));
  std::vector<backend::HostedEnv> out;
  for (auto& [key, e] : found) out.push_back(std::move(e));
  return out;
}

std::vector<std::string> HostBackend::degrade(const std::string& note) {
  std::vector<std::string> stopped;
  std::mutex mu;
  auto hosts = all();
  if (own_gateway_) hosts.push_back(own_gateway_.get());
  rethrow_first(each(hosts, [&](Host& h) {
    auto out = h.agent->must("pausing the app", verbs::degrade(place()), Input{note, {}, {}}, std::chrono::minutes(5));
    std::lock_guard l(mu);
    for (const auto& line : text::split(out, '\n'))
      if (line.starts_with("degraded ")) stopped.push_back(fmt::format("{} {}", h.label, line.substr(9)));
  }));
  return stopped;
}

void HostBackend::undegrade() {
  auto hosts = all();
  if (own_gateway_) hosts.push_back(own_gateway_.get());
  rethrow_first(each(hosts, [&](Host& h) { h.agent->must("routing to the app again", verbs::undegrade(place())); }));
}

}  // namespace ecp::plugins::host
