// HostBackend: hosts, the parallel runner, activate/cleanup/status/logs.
#include "plugins/host/host_backend.hpp"

#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <mutex>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/parallel.hpp"
#include "core/util/text.hpp"
#include "plugins/ssh/ssh_identity.hpp"

namespace ecp::plugins::host {

namespace {
// The agent writes 0 for a time it does not know.
std::string time_text(long long seconds) { return seconds > 0 ? text::rfc3339(seconds) : ""; }

}  // namespace

HostBackend::HostBackend(const backend::TargetSpec& target, const backend::AppSpec& app, HostSettings settings)
    : target_(target), settings_(std::move(settings)), app_(app) {
  if (!settings_.root.empty()) root_ = settings_.root;
  else if (settings_.hosts.empty()) root_ = settings_.local_root;
  else root_ = "/srv/ecp";
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  checked_dir_ = settings_.checked_dir;
  tmp_dir_ = settings_.tmp_dir;
  if (tmp_dir_.empty()) tmp_dir_ = std::filesystem::temp_directory_path();
  parallel_ = std::max(1, settings_.parallel);
  if (settings_.hosts.empty()) {
    auto h = std::make_unique<Host>();
    h->label = "local";
    h->address = "127.0.0.1";
    h->transport = std::make_unique<LocalTransport>();
    hosts_.push_back(std::move(h));
  } else {
    for (const auto& e : settings_.hosts) {
      for (const auto& h : hosts_)
        if (h->label == e.text) fail(ErrorKind::validation, "target '{}' lists host {} twice", target.name, e.text);
      hosts_.push_back(ssh_host(e));
    }
  }
  for (auto& h : hosts_) h->agent = std::make_unique<Agent>(*h->transport, root_);
  if (settings_.gateway) open_gateway();
  // Every command talks to every host: log in to all of them at once.
  if (hosts_.size() > 1) each(all(), [](Host& h) { h.transport->open(); });
}

HostBackend::~HostBackend() = default;

std::unique_ptr<Host> HostBackend::ssh_host(const Endpoint& e) {
  if (!control_dir_) {
    // ControlMaster sockets need a short path (unix sockets: 108 bytes).
    control_dir_ = std::make_unique<fs::TempDir>("/tmp", "ecp-ssh-");
    persist_ = settings_.ssh_persist;
    if (!persist_.empty()) shared_dir_ = ssh::persist_dir();
    if (shared_dir_.empty()) persist_.clear();
  }
  SshConfig c;
  c.program = settings_.ssh_program;
  c.config_file = settings_.ssh_config;
  c.endpoint = e;
  c.persist = persist_;
  auto h = std::make_unique<Host>();
  h->label = e.text;
  h->address = e.host;
  h->transport = std::make_unique<SshTransport>(c, control_dir_->path(), ssh_count_++, shared_dir_);
  return h;
}

backend::Capabilities HostBackend::capabilities() const {
  backend::Capabilities c;
  c.route = settings_.gateway.has_value();  // an nginx gateway (host_router.cpp)
  c.logs = true;
  c.needs_registry = false;  // ecp sends layers itself
  c.keeps_releases = true;
  c.metrics = true;  // the agent's top verb
  c.degrade = true;  // the agent's hosted, degrade and undegrade verbs
  return c;
}

std::vector<std::string> HostBackend::locations() {
  std::vector<std::string> out;
  for (const auto& h : hosts_) out.push_back(h->label);
  return out;
}

std::string HostBackend::address(const std::string& location) { return host(location).address; }

Host& HostBackend::host(const std::string& label) {
  for (auto& h : hosts_)
    if (h->label == label) return *h;
  fail(ErrorKind::internal, "target '{}' has no host {}", target_.name, label);
}

std::vector<Host*> HostBackend::all() {
  std::vector<Host*> out;
  for (auto& h : hosts_) out.push_back(h.get());
  return out;
}

std::vector<std::exception_ptr> HostBackend::each(const std::vector<Host*>& hosts,
                                                  const std::function<void(Host&)>& fn) {
  return parallel_try(hosts.size(), parallel_, [&](std::size_t i) { fn(*hosts[i]); });
}

void HostBackend::activate(int revision) {
  auto errors = each(all(), [&](Host& h) {
    h.agent->must(fmt::format("switching current to revision {}", revision), verbs::switch_current(place(), revision));
  });
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

std::vector<std::string> HostBackend::exec_argv(const backend::InstanceRef& instance,
                                                const std::vector<std::string>& command, bool tty) {
  Host& h = host(instance.location);
  // A call through ecp's own connection first: it installs the agent where it
  // is missing and tells an unreachable host from a missing instance.
  auto r = h.agent->call(verbs::status(place()));
  if (!r.ok()) fail_call(*h.transport, "reaching the host", r);
  auto c = verbs::exec(place(), instance, command);
  return h.transport->exec_argv(agent_argv(root_, c.verb, c.args), tty);
}

backend::Identity HostBackend::identity() {
  if (identity_) return *identity_;
  auto hosts = all();
  if (hosts.empty() || hosts.front()->transport->local()) return *(identity_ = Backend::identity());
  Host& h = *hosts.front();
  auto who = ssh::whoami_command();
  auto r = h.transport->run(who.argv, {}, std::chrono::seconds(30));
  if (!r.ok()) fail_call(*h.transport, "asking who this session is", r);
  auto id = ssh::identity_from_whoami(r.out, who.marker, h.label);
  return *(identity_ = id);
}

void HostBackend::purge() {
  auto errors = each(all(), [&](Host& h) {
    h.agent->must("removing the environment", verbs::purge(place()), {}, std::chrono::minutes(5));
  });
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

void HostBackend::cleanup(const std::vector<int>& keep) {
  auto errors = each(all(), [&](Host& h) {
    auto out = h.agent->must("removing old releases", verbs::prune(place(), keep), {}, std::chrono::minutes(5));
    if (!out.empty()) log::debug("{}: {}", h.label, out);
  });
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i]) continue;
    try {
      std::rethrow_exception(errors[i]);
    } catch (const std::exception& e) {
      log::warn("{}", e.what());
    }
  }
}

backend::TargetStatus parse_status(const std::string& location, const std::string& address, const std::string& out) {
  backend::TargetStatus s;
  std::size_t pos = 0;
  while (pos < out.size()) {
    auto nl = out.find('\n', pos);
    std::string line = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? out.size() : nl + 1;
    std::vector<std::string> f;
    for (std::size_t p = 0;;) {
      auto tab = line.find('\t', p);
      f.push_back(line.substr(p, tab == std::string::npos ? std::string::npos : tab - p));
      if (tab == std::string::npos) break;
      p = tab + 1;
    }
    if (f[0] == "current" && f.size() >= 2) {
      s.current[location] = std::atoi(f[1].c_str());
    } else if (f[0] == "instance" && f.size() >= 9) {
      backend::InstanceStatus i;
      i.ref = {location, f[1], std::atoi(f[2].c_str())};
      i.revision = std::atoi(f[3].c_str());
      i.port = std::atoi(f[4].c_str());
      i.pid = std::atoll(f[5].c_str());
      i.state = backend::instance_state_from(f[6]);
      i.since = time_text(std::atoll(f[7].c_str()));
      i.restarts = std::atoi(f[8].c_str());
      if (f.size() >= 10) i.stops_at = time_text(std::atoll(f[9].c_str()));
      if (f.size() >= 12) {
        i.image_digest = f[10];
        i.config_digest = f[11];
      }
      i.address = address;
      s.instances.push_back(i);
    }
  }
  return s;
}

backend::TargetStatus HostBackend::status() {
  backend::TargetStatus total;
  std::mutex mu;
  auto errors = each(all(), [&](Host& h) {
    auto r = h.agent->call(verbs::status(place()), {}, std::chrono::seconds(60));
    if (!r.ok()) fail_call(*h.transport, "reading the instances", r);
    auto s = parse_status(h.label, h.address, r.out);
    std::lock_guard l(mu);
    total.instances.insert(total.instances.end(), s.instances.begin(), s.instances.end());
    for (const auto& [k, v] : s.current) total.current[k] = v;
  });
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i]) continue;
    try {
      std::rethrow_exception(errors[i]);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      total.unreachable.push_back(e.what());
      total.lost.push_back(hosts_[i]->label);
    }
  }
  std::sort(total.instances.begin(), total.instances.end(),
            [](const auto& a, const auto& b) { return a.ref < b.ref; });
  return total;
}

void HostBackend::logs(const backend::LogOptions& options, const backend::LineSink& sink) {
  std::vector<backend::InstanceRef> refs = options.instances;
  if (refs.empty()) {
    auto s = status();
    for (const auto& u : s.unreachable) log::warn("{}", u);
    for (const auto& i : s.instances) refs.push_back(i.ref);
  }
  if (refs.empty()) {
    log::info("no instances of {}/{} on target {}", app_.app, app_.env, target_.name);
    return;
  }
  // Following streams never end, so every instance needs its own thread then.
  int jobs = options.follow ? static_cast<int>(refs.size()) : parallel_;
  auto errors = parallel_try(refs.size(), jobs, [&](std::size_t i) {
    const auto& ref = refs[i];
    Host& h = host(ref.location);
    Input in;
    in.on_line = [&](std::string_view line) { sink(ref, line); };
    // No timeout when following: it ends with an interrupt.
    auto r = h.agent->call(verbs::logs(place(), ref, options.lines, options.follow), in,
                           options.follow ? backend::Duration{0} : std::chrono::minutes(2));
    if (!r.ok() && r.exit_code != 4) fail_call(*h.transport, "reading the log of " + ref.name(), r);
  });
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

void register_host_backend(backend::Table& table) {
  table.add(
      "host",
      [](const backend::TargetSpec& t, const backend::AppSpec& a) {
        return std::unique_ptr<backend::Backend>(std::make_unique<HostBackend>(t, a, host_settings(t)));
      },
      [](const backend::Settings& section, Diagnostics& out) {
        HostSettings ignored;
        read_host_settings(section, ignored, out);
      });
}

}  // namespace ecp::plugins::host
