// The KvStore of host targets: ROOT/APP/ENV/state on the hosts. Compare-and-swap
// (the lock) happens on the first host only, so there is one lock; plain writes
// (ledger records, configs) go to every host that answers, and reads come from
// the first host that answers.
#include <fmt/format.h>

#include "core/oci/digest.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "plugins/host/host_backend.hpp"

namespace ecp::plugins::host {

std::vector<std::pair<std::string, std::string>> parse_state_list(const std::string& out) {
  std::vector<std::pair<std::string, std::string>> entries;
  std::size_t p = 0;
  while (p < out.size()) {
    auto nl = out.find('\n', p);
    if (nl == std::string::npos) fail(ErrorKind::io, "state list: a header without a newline");
    std::string header = out.substr(p, nl - p);
    auto sp = header.rfind(' ');
    if (sp == std::string::npos) fail(ErrorKind::io, "state list: bad header '{}'", header);
    std::size_t size = std::stoull(header.substr(sp + 1));
    p = nl + 1;
    if (p + size > out.size()) fail(ErrorKind::io, "state list: '{}' is cut short", header.substr(0, sp));
    entries.emplace_back(header.substr(0, sp), out.substr(p, size));
    p += size;
  }
  return entries;
}

process::Result HostBackend::state_read(const AgentCommand& command) {
  std::vector<std::string> skipped;
  for (auto& h : hosts_) {
    auto r = h->agent->call(command, {}, std::chrono::seconds(60));
    if (!h->transport->local() && ssh_failed(r)) {
      skipped.push_back(fmt::format("{} ({})", h->label, h->transport->unreachable()));
      continue;
    }
    if (!skipped.empty()) log::warn("the ledger is read from {}: unreachable: {}", h->label, text::join(skipped, ", "));
    {
      std::lock_guard l(read_from_mu_);
      read_from_ = h->label;
    }
    if (!r.ok() && r.exit_code != 3) fail_call(*h->transport, "reading the ledger", r);
    return r;
  }
  fail(ErrorKind::io, "target '{}': no host answered to read the ledger: {}", target_.name, text::join(skipped, ", "));
}

std::optional<std::string> HostBackend::get(const std::string& key) {
  auto r = state_read(verbs::state_get(place(), key));
  if (r.exit_code == 3) return std::nullopt;
  return r.out;
}

std::string HostBackend::describe(const std::string& key) {
  std::lock_guard l(read_from_mu_);
  return fmt::format("{}/{}/{}/state/{} on {}", root_, app_.app, app_.env, key,
                     read_from_.empty() ? hosts_.front()->label : read_from_);
}

std::vector<std::pair<std::string, std::string>> HostBackend::list(const std::string& prefix) {
  return parse_state_list(state_read(verbs::state_list(place(), prefix)).out);
}

void HostBackend::put(const std::string& key, std::string_view data) {
  auto errors = each(all(), [&](Host& h) {
    h.agent->must("writing the ledger (" + key + ")", verbs::state_put(place(), key), Input{std::string(data), {}, {}});
  });
  std::vector<std::string> failed;
  for (const auto& e : errors) {
    if (!e) continue;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      failed.push_back(x.what());
    }
  }
  if (failed.size() == errors.size()) fail(ErrorKind::io, "{}", text::join(failed, "; "));
  if (!failed.empty()) log::warn("the ledger entry {} is missing on some hosts: {}", key, text::join(failed, "; "));
}

bool HostBackend::put_if(const std::string& key, std::string_view data, const std::optional<std::string>& expected) {
  Host& h = *hosts_.front();
  auto r = h.agent->call(verbs::state_cas(place(), key, expected ? oci::Sha256::of(*expected).hex() : "", true),
                         Input{std::string(data), {}, {}});
  if (r.exit_code == 3) return false;
  if (!r.ok()) fail_call(*h.transport, "updating the lock", r);
  return true;
}

bool HostBackend::remove_if(const std::string& key, const std::string& expected) {
  Host& h = *hosts_.front();
  auto r = h.agent->call(verbs::state_cas(place(), key, oci::Sha256::of(expected).hex(), false));
  if (r.exit_code == 3) return false;
  if (!r.ok()) fail_call(*h.transport, "removing the lock", r);
  return true;
}

}  // namespace ecp::plugins::host
