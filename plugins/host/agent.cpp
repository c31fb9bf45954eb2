#include "plugins/host/agent.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "core/oci/digest.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"

namespace ecp::plugins::host {

std::string_view agent_script() {
  for (const auto& f : embedded_files())
    if (f.path == "agent.sh") return f.content;
  fail(ErrorKind::internal, "agent.sh is not embedded in this build");
}

std::string agent_version() {
  static const std::string v = oci::Sha256::of(agent_script()).hex().substr(0, 16);
  return v;
}

std::string agent_path(const std::string& root) { return root + "/.ecp/agent-" + agent_version() + ".sh"; }

std::vector<std::string> agent_argv(const std::string& root, const std::string& verb,
                                    const std::vector<std::string>& args) {
  std::vector<std::string> a = {"sh", "-c", "[ -f \"$1\" ] || exit 97; exec sh \"$@\"", "ecp-agent",
                                agent_path(root), verb};
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

std::vector<std::string> agent_install_argv(const std::string& root, const std::string& tmp_suffix) {
  std::string path = agent_path(root);
  return {"sh", "-c", "umask 022 && mkdir -p \"$1\" && cat >\"$2\" && mv -f \"$2\" \"$3\"", "ecp-agent-install",
          root + "/.ecp", path + ".tmp-" + tmp_suffix, path};
}

void Agent::install() {
  auto r = t_.run(agent_install_argv(root_, fmt::format("{}-{}", ::getpid(), std::rand())),
                  Input{std::string(agent_script()), {}, {}}, std::chrono::seconds(60));
  if (!r.ok()) fail_call(t_, fmt::format("installing ecp's agent under {}", root_), r);
  log::debug("{}: installed the agent {}", t_.label(), agent_path(root_));
}

process::Result Agent::call(const AgentCommand& c, const Input& in, backend::Duration timeout) {
  auto r = t_.run(agent_argv(root_, c.verb, c.args), in, timeout);
  if (r.exit_code != agent_missing_exit) return r;
  install();
  return t_.run(agent_argv(root_, c.verb, c.args), in, timeout);
}

std::string Agent::must(const std::string& step, const AgentCommand& c, const Input& in, backend::Duration timeout) {
  auto r = call(c, in, timeout);
  if (!r.ok()) fail_call(t_, step, r);
  return r.out;
}

void fail_call(const Transport& t, const std::string& step, const process::Result& r) {
  std::string why = r.last_line();
  if (r.timed_out) why = "timed out" + (why.empty() ? "" : " (" + why + ")");
  if (why.empty()) why = fmt::format("exit status {}", r.exit_code);
  if (!t.local() && ssh_failed(r)) {
    std::string u = t.unreachable();
    fail(ErrorKind::io, "{}: {}: host unreachable: {}", t.label(), step, u.empty() ? why : u);
  }
  if (permission_denied(r.err)) fail(ErrorKind::permission, "{}: {}: {}", t.label(), step, why);
  if (r.err.find("No space left on device") != std::string::npos)
    fail(ErrorKind::io, "{}: {}: the disk is full (No space left on device): {}", t.label(), step, why);
  fail(ErrorKind::io, "{}: {}: {}", t.label(), step, why);
}

}  // namespace ecp::plugins::host
