// Where the engines are: the one of `socket:`, or each host of `hosts:` over SSH.
//
// A remote engine is reached through its host's ControlMaster (plugins/ssh, the
// same connection code the host plugin uses): `ssh -O forward -L LOCAL:REMOTE`
// asks the master to forward a local unix socket to the engine's socket on the
// host, and DockerApi speaks to LOCAL as to any local engine. LOCAL lives in a
// private folder (0700) of this ecp process under ECP_HOME/run; the forward is
// cancelled and the folder removed when the backend ends. A folder left by an
// ecp that was killed is removed by the next one (its PID is in the name).
#include <dirent.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/parallel.hpp"
#include "plugins/engine/engine_backend.hpp"

namespace ecp::plugins::engine {
namespace {

// The longest folder that still leaves room for "/NN.sock" in a unix socket path
// (and for ssh's own temporary name of a ControlMaster socket beside it).
constexpr std::size_t max_dir_length = 80;

// Removes ECP_HOME/run/engine-PID-* folders whose ecp process is gone.
void remove_stale(const std::filesystem::path& run_dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(run_dir, ec)) {
    auto name = entry.path().filename().string();
    if (!name.starts_with("engine-")) continue;
    long pid = std::strtol(name.c_str() + 7, nullptr, 10);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::filesystem::remove_all(entry.path(), ec);
  }
}

bool usable_dir(const std::string& path) {
  return path.size() <= max_dir_length && ssh::forward_path_problem(path + "/0.sock").empty();
}

}  // namespace

Engine::~Engine() {
  if (ssh && !forward_local.empty()) {
    ssh->cancel_forward(forward_local, forward_remote);
    ::unlink(forward_local.c_str());
  }
}

std::unique_ptr<Engine> socket_engine(const EngineSettings& settings) {
  auto address = settings.socket.empty() ? default_engine_address()
                                         : parse_engine_address(settings.socket, tls_dir_from_environment());
  auto e = std::make_unique<Engine>();
  e->location = address.text;
  if (address.unix_path.empty()) {
    // tcp://HOST:PORT: instances answer on HOST.
    auto rest = address.base_url.substr(address.base_url.find("://") + 3);
    e->address = rest.substr(0, rest.rfind(':'));
    if (e->address.size() > 1 && e->address.front() == '[') e->address = e->address.substr(1, e->address.size() - 2);
  } else {
    e->address = "127.0.0.1";
  }
  e->api = std::make_unique<DockerApi>(std::move(address));
  return e;
}

std::unique_ptr<fs::TempDir> forward_dir(const std::string& run_dir) {
  std::string prefix = fmt::format("engine-{}-", ::getpid());
  std::error_code ec;
  if (!run_dir.empty()) std::filesystem::create_directories(run_dir, ec);
  if (!run_dir.empty() && !ec) {
    remove_stale(run_dir);
    // mkdtemp adds six characters.
    if (usable_dir(run_dir + "/" + prefix + "XXXXXX")) return std::make_unique<fs::TempDir>(run_dir, prefix);
    log::debug("{} is too long a path for unix sockets: the engine forwards go under /tmp", run_dir);
  }
  return std::make_unique<fs::TempDir>("/tmp", "ecp-engine-");
}

std::vector<std::unique_ptr<Engine>> ssh_engines(const EngineSettings& settings, const std::filesystem::path& dir) {
  std::string persist = settings.ssh.persist;
  std::filesystem::path shared;
  if (!persist.empty()) shared = ssh::persist_dir();
  if (shared.empty()) persist.clear();
  std::vector<std::unique_ptr<Engine>> engines;
  for (const auto& h : settings.hosts) {
    ssh::SshConfig c;
    c.program = settings.ssh.program;
    c.config_file = settings.ssh.config_file;
    c.persist = persist;
    c.endpoint = h.endpoint;
    auto e = std::make_unique<Engine>();
    e->location = h.endpoint.text;
    e->address = h.endpoint.host;
    e->forward_remote = h.remote_socket;
    e->ssh = std::make_unique<ssh::SshMaster>(c, dir, static_cast<int>(engines.size()), shared);
    engines.push_back(std::move(e));
  }
  // Logging in is most of the cost: all hosts at once.
  auto errors = parallel_try(engines.size(), settings.parallel, [&](std::size_t i) {
    Engine& e = *engines[i];
    if (!e.ssh->open()) {
      e.unreachable = e.ssh->unreachable();
      return;
    }
    auto local = (dir / fmt::format("{}.sock", i)).string();
    try {
      e.ssh->forward(local, e.forward_remote);
    } catch (const Error& err) {
      if (err.kind() == ErrorKind::interrupted) throw;
      e.unreachable = err.what();
      return;
    }
    e.forward_local = local;
    auto address = parse_engine_address(local);
    address.text = e.location;  // messages name the host, not the local end
    e.api = std::make_unique<DockerApi>(std::move(address));
    if (!e.api->ping(std::chrono::seconds(15)))
      e.unreachable = fmt::format(
          "no engine answers at {} on the host (is dockerd or podman's service running "
          "there, and may the ssh user open its socket?)",
          e.forward_remote);
    else
      log::debug("engine {}: {} forwarded to {}", e.location, e.forward_remote, local);
  });
  for (auto& err : errors)
    if (err) std::rethrow_exception(err);
  return engines;
}

}  // namespace ecp::plugins::engine
