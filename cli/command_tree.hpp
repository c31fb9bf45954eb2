#pragma once
// The command tree: built once by make_command_tree(), used by main() and by the
// completion generator, so completions and --help always list the same commands.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/output.hpp"
#include "core/ops/validate.hpp"

namespace ecp::cli {

struct Globals {
  std::string dir;                   // -C DIR
  std::string file = "ecp.yaml";     // -f/--file
  std::string targets;               // --targets (else $ECP_TARGETS, else ecp-targets.yaml beside ecp.yaml)
  std::string output = "text";       // --output text|json
  bool no_color = false;
  bool quiet = false;
  int verbose = 0;
};

// The project the global flags name (-f/--file, --targets), as ops takes it.
ops::ValidateOptions project_of(const Globals& g);

struct Command {
  CLI::App* app;
  std::function<int(Output&)> run;  // returns the exit code; throws ecp::Error on failure
};

struct CommandTree {
  CLI::App root{"ecp - build, push and release applications to enterprise container platforms", "ecp"};
  Globals globals;
  std::vector<Command> commands;

  // Adds a subcommand of `parent` and returns it; `run` executes when it is chosen.
  CLI::App* add(CLI::App* parent, const std::string& name, const std::string& help, std::function<int(Output&)> run);
};

std::unique_ptr<CommandTree> make_command_tree();

// The footer of every command's --help: the global options and where exit codes are.
std::string global_options_help();

// One registration function per subcommand file (cmd_<verb>.cpp).
void add_validate(CommandTree& t);
void add_init(CommandTree& t);
void add_build(CommandTree& t);
void add_images(CommandTree& t);
void add_gc(CommandTree& t);
void add_config(CommandTree& t);
void add_completion(CommandTree& t);
void add_push(CommandTree& t);
void add_pull(CommandTree& t);
void add_copy(CommandTree& t);
void add_inspect(CommandTree& t);  // inspect, digest, tags
void add_login(CommandTree& t);
void add_logout(CommandTree& t);
void add_deploy(CommandTree& t);
void add_release(CommandTree& t);
void add_rollback(CommandTree& t);
void add_status(CommandTree& t);
void add_history(CommandTree& t);
void add_logs(CommandTree& t);
void add_plan(CommandTree& t);
void add_apply(CommandTree& t);
void add_unlock(CommandTree& t);
void add_canary(CommandTree& t);
void add_lifecycle(CommandTree& t);  // stop, start, remove
void add_exec(CommandTree& t);
void add_top(CommandTree& t);
void add_scale(CommandTree& t);
void add_failover(CommandTree& t);
void add_degrade(CommandTree& t);  // degrade, restore
void add_promote(CommandTree& t);
void add_audit(CommandTree& t);
void add_approve(CommandTree& t);
void add_freeze(CommandTree& t);  // freeze, unfreeze

}  // namespace ecp::cli
