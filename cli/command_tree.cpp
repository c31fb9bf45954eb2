#include "cli/command_tree.hpp"

#include <fmt/format.h>

#include "ecp_version.hpp"

namespace ecp::cli {

CLI::App* CommandTree::add(CLI::App* parent, const std::string& name, const std::string& help,
                           std::function<int(Output&)> run) {
  CLI::App* sub = parent->add_subcommand(name, help);
  sub->footer(global_options_help());
  commands.push_back({sub, std::move(run)});
  return sub;
}

std::string global_options_help() {
  // CLI11 lists a subcommand's own options only: name the global ones too.
  return "Global options, before or after the command: -C DIR, -f/--file PATH, --targets PATH, "
         "-o/--output text|json|yaml, --no-color, -q/--quiet, -v/--verbose (ecp --help).\n"
         "Exit codes: see ecp(1), EXIT STATUS.";
}

ops::ValidateOptions project_of(const Globals& g) {
  ops::ValidateOptions o;
  o.descriptor = g.file;
  o.targets = g.targets;
  return o;
}

std::unique_ptr<CommandTree> make_command_tree() {
  auto t = std::make_unique<CommandTree>();
  auto& app = t->root;
  auto& g = t->globals;
  app.set_version_flag("--version", fmt::format("ecp {} (commit {})", ecp::version, ecp::commit),
                       "Print the version and the commit ecp was built from");
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the subcommand too
  app.add_option("-C,--directory", g.dir, "Run as if ecp was started in DIR")->type_name("DIR");
  app.add_option("-f,--file", g.file, "The application descriptor (default: ecp.yaml)")->type_name("PATH");
  app.add_option("--targets", g.targets,
                 "The targets file (default: $ECP_TARGETS, else ecp-targets.yaml beside the descriptor)")
      ->type_name("PATH");
  app.add_option(
         "-o,--output", g.output,
         "Output format: text or json; yaml for 'ecp plan' (the objects a kubernetes target gets), csv for 'ecp audit'")
      ->check(CLI::IsMember({"text", "json", "yaml", "csv"}))
      ->type_name("FORMAT");
  app.add_flag("--no-color", g.no_color, "Never use colors (also when NO_COLOR is set)");
  app.add_flag("-q,--quiet", g.quiet, "Print only results and errors");
  app.add_flag("-v,--verbose", g.verbose, "Print more detail; repeat for more");
  app.footer("Run 'ecp COMMAND --help' for a command's options. Exit codes: see ecp(1), EXIT STATUS.");

  add_validate(*t);
  add_init(*t);
  add_build(*t);
  add_images(*t);
  add_gc(*t);
  add_config(*t);
  add_completion(*t);
  add_push(*t);
  add_pull(*t);
  add_copy(*t);
  add_inspect(*t);
  add_login(*t);
  add_logout(*t);
  add_deploy(*t);
  add_release(*t);
  add_promote(*t);
  add_rollback(*t);
  add_status(*t);
  add_history(*t);
  add_logs(*t);
  add_plan(*t);
  add_apply(*t);
  add_unlock(*t);
  add_canary(*t);
  add_lifecycle(*t);
  add_exec(*t);
  add_top(*t);
  add_scale(*t);
  add_failover(*t);
  add_degrade(*t);
  add_approve(*t);
  add_audit(*t);
  add_freeze(*t);
  return t;
}

}  // namespace ecp::cli
