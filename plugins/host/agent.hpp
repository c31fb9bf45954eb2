#pragma once
// The agent: ecp's one script on each host (agent.sh, embedded at build time by
// ecp_embed in cmake/embed.cmake), called with one
// verb per command. ecp uploads it on first contact as ROOT/.ecp/agent-<sha>.sh
// (a new ecp version brings a new name, so hosts never run a stale copy).
#include <string>
#include <string_view>
#include <vector>

#include "plugins/host/agent_verbs.hpp"
#include "plugins/host/transport.hpp"

namespace ecp::plugins::host {

// The files of plugins/host embedded in the binary: agent.sh.
struct EmbeddedFile {
  std::string_view path;
  std::string_view content;
  bool executable;
};
const std::vector<EmbeddedFile>& embedded_files();

// The text of agent.sh.
std::string_view agent_script();
// The first 16 hex digits of the script's sha256.
std::string agent_version();
std::string agent_path(const std::string& root);

// Pure argv builders (compared in the unit tests).
// Runs the agent if it is installed, else exits 97 (fixed script, data as "$@").
std::vector<std::string> agent_argv(const std::string& root, const std::string& verb,
                                    const std::vector<std::string>& args);
// Installs stdin as the agent, atomically.
std::vector<std::string> agent_install_argv(const std::string& root, const std::string& tmp_suffix);

inline constexpr int agent_missing_exit = 97;

class Agent {
 public:
  Agent(Transport& transport, std::string root) : t_(transport), root_(std::move(root)) {}

  // Runs a verb, installing the agent first when the host lacks it. Exit codes are
  // the caller's to judge; exit 255 means ssh could not reach the host.
  process::Result call(const AgentCommand& command, const Input& in = {},
                       backend::Duration timeout = std::chrono::seconds(60));
  // Like call(), but a failure throws an Error naming the host and `step`.
  std::string must(const std::string& step, const AgentCommand& command, const Input& in = {},
                   backend::Duration timeout = std::chrono::seconds(60));

  Transport& transport() { return t_; }
  const std::string& root() const { return root_; }

 private:
  void install();
  Transport& t_;
  std::string root_;
};

// Throws the Error for a failed agent call: unreachable and permission problems
// get their own kinds; the message is "HOST: STEP: REASON".
[[noreturn]] void fail_call(const Transport& t, const std::string& step, const process::Result& r);

}  // namespace ecp::plugins::host
