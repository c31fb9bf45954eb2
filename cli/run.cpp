#include "cli/run.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "cli/command_tree.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "plugins/builtin.hpp"

namespace ecp::cli {
namespace {

int depth(const CLI::App* app) {
  int d = 0;
  for (auto* p = app->get_parent(); p != nullptr; p = p->get_parent()) ++d;
  return d;
}

const Command* chosen_command(const CommandTree& t) {
  const Command* best = nullptr;
  for (const auto& c : t.commands)
    if (c.app->parsed() && (best == nullptr || depth(c.app) > depth(best->app))) best = &c;
  return best;
}

bool want_color(const Globals& g) {
  if (g.no_color || g.output == "json") return false;
  if (const char* nc = std::getenv("NO_COLOR"); nc && *nc) return false;
  return ::isatty(STDERR_FILENO) == 1;
}

void report(Output& out, ErrorKind kind, std::string_view message) {
  out.result({{"ok", false}, {"error", {{"message", message}, {"exit_code", exit_code(kind)}}}});
  fmt::print(stderr, "ecp: {} {}\n", out.red("error:"), message);
}

}  // namespace

int run(int argc, char** argv) {
  // The only place built-in backends are registered: every command finds them.
  plugins::register_builtin_backends();
  auto tree = make_command_tree();
  try {
    tree->root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" to CLI11 with exit code 0.
    if (e.get_exit_code() == 0) return tree->root.exit(e);
    fmt::print(stderr, "ecp: error: {}\n", e.what());
    fmt::print(stderr, "Run 'ecp --help' for usage.\n");
    return exit_code(ErrorKind::usage);
  }
  const Globals& g = tree->globals;
  Output out(g.output == "json", want_color(g), g.quiet, g.verbose);
  log::set_sink([&out](log::Level level, std::string_view msg) {
    switch (level) {
      case log::Level::debug: out.debug(msg); break;
      case log::Level::info: out.info(msg); break;
      case log::Level::warn: out.warn(msg); break;
    }
  });
  try {
    if (!g.dir.empty() && ::chdir(g.dir.c_str()) != 0)
      fail(ErrorKind::usage, "-C {}: cannot change to that folder: {}", g.dir, std::strerror(errno));
    const Command* cmd = chosen_command(*tree);
    if (cmd == nullptr) fail(ErrorKind::usage, "no command given; run 'ecp --help'");
    return cmd->run(out);
  } catch (const Error& e) {
    report(out, e.kind(), e.what());
    return exit_code(e.kind());
  } catch (const std::exception& e) {
    report(out, ErrorKind::internal, fmt::format("internal error: {}", e.what()));
    return exit_code(ErrorKind::internal);
  }
}

}  // namespace ecp::cli
