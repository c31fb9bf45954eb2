// ecp exec on an engine: the engine's own CLI (docker exec, else podman exec)
// against the instance's engine, run here for a socket engine and on the host,
// over ssh, for an engine of `hosts:`. ecp replaces itself with it, so the
// terminal, the signals and the exit status are the command's (as on hosts).
#include <fmt/format.h>

#include "core/util/error.hpp"
#include "plugins/engine/engine_backend.hpp"
#include "plugins/ssh/ssh_argv.hpp"

namespace ecp::plugins::engine {

namespace {

// A fixed script; the engine address, the container and the command are its
// arguments, never shell text. Which CLI a host has is only known there.
constexpr const char* exec_script =
    "a=$1 n=$2 t=$3; shift 3\n"
    "if command -v docker >/dev/null 2>&1; then exec docker -H \"$a\" exec -i $t \"$n\" \"$@\"; fi\n"
    "if command -v podman >/dev/null 2>&1; then exec podman --url \"$a\" exec -i $t \"$n\" \"$@\"; fi\n"
    "echo \"ecp exec: $(hostname) has neither the docker nor the podman command\" >&2; exit 127\n";

}  // namespace

std::vector<std::string> EngineBackend::exec_argv(const backend::InstanceRef& instance,
                                                  const std::vector<std::string>& command, bool tty) {
  Engine& e = engine(instance.location);
  std::string name = container_name(app_, instance);
  // Asked through ecp's own connection first: an engine that is down or a
  // container that does not run is ecp's error, with the instance named.
  auto r = api(instance.location).call({"GET", "/containers/" + name + "/json"}, {404});
  if (r.status == 404) fail(ErrorKind::usage, "engine {}: no container {} for {}", e.location, name, instance.name());
  auto j = Json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j["State"].value("Running", false))
    fail(ErrorKind::usage, "engine {}: {} does not run (ecp status --env {}; ecp start --env {})", e.location, name,
         app_.env, app_.env);
  std::string address = e.ssh                         ? "unix://" + e.forward_remote
                        : e.location.starts_with("/") ? "unix://" + e.location
                                                      : e.location;
  std::vector<std::string> argv = {"sh", "-c", exec_script, "ecp-exec", address, name, tty ? "-t" : ""};
  argv.insert(argv.end(), command.begin(), command.end());
  if (e.ssh) return ssh::ssh_exec_argv(e.ssh->config(), argv, tty);
  return argv;
}

}  // namespace ecp::plugins::engine
