#include "cli/run.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_tree.hpp"
#include "core/ops/config_ops.hpp"
#include "core/util/error.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "ecp_version.hpp"
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

// Whether the command line asks for JSON (-o json, -ojson, --output json,
// --output=json), read from argv itself: the parser may stop before it gets
// there, and a JSON caller still needs its result line.
bool json_requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") break;
    if (a == "-ojson" || a == "--output=json") return true;
    if ((a == "-o" || a == "--output") && i + 1 < argc && std::string_view(argv[i + 1]) == "json") return true;
  }
  return false;
}

// The first word of the command line that is neither a global option (nor its
// value) nor a command: CLI11 would only say "a subcommand is required".
std::optional<std::string> unknown_command(CLI::App& root, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") break;
    if (a.starts_with("-")) {
      const CLI::Option* o = a.find('=') == std::string::npos ? root.get_option_no_throw(a) : nullptr;
      if (o != nullptr && o->get_items_expected_min() > 0) ++i;  // its value
      continue;
    }
    auto known = root.get_subcommands([&](CLI::App* c) { return c->check_name(a); });
    if (known.empty()) return a;
    break;
  }
  return std::nullopt;
}

// "unknown command 'statsu'; did you mean 'status'? (ecp --help lists the commands)"
std::string unknown_command_message(CLI::App& root, const std::string& word) {
  std::vector<std::string> names;
  for (const auto* c : root.get_subcommands([](CLI::App* c) { return !c->get_group().empty(); }))
    names.push_back(c->get_name());
  auto hint = text::did_you_mean(word, names);
  return fmt::format("unknown command '{}'{} (ecp --help lists the commands)", word,
                     hint ? fmt::format("; did you mean '{}'?", *hint) : "");
}

void report(Output& out, ErrorKind kind, std::string_view message) {
  out.result({{"ok", false}, {"error", {{"message", message}, {"exit_code", exit_code(kind)}}}});
  fmt::print(stderr, "ecp: {} {}\n", out.red("error:"), out.safe(message));
}

}  // namespace

int run(int argc, char** argv) {
  // The only place built-in backends are registered: every command finds them.
  plugins::register_builtin_backends();
  // The completion scripts' hidden helper: its words are the user's command line.
  if (argc >= 2 && std::string_view(argv[1]) == "__complete")
    return run_complete(std::vector<std::string>(argv + 2, argv + argc));
  auto tree = make_command_tree();
  try {
    tree->root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    bool json = json_requested(argc, argv);
    // --help and --version are "errors" to CLI11 with exit code 0.
    if (json && dynamic_cast<const CLI::CallForVersion*>(&e) != nullptr) {
      Output(true, false, false, 0).result({{"ok", true}, {"version", ecp::version}, {"commit", ecp::commit}});
      return 0;
    }
    if (e.get_exit_code() == 0) return tree->root.exit(e);
    Output out(json, false, false, 0);
    auto unknown = unknown_command(tree->root, argc, argv);
    report(out, ErrorKind::usage, unknown ? unknown_command_message(tree->root, *unknown) : e.what());
    fmt::print(stderr, "Run 'ecp --help' for usage.\n");
    return exit_code(ErrorKind::usage);
  }
  const Globals& g = tree->globals;
  Output out(g.output == "json", want_color(g), g.quiet, g.verbose);
  log::set_sink([&out](log::Level level, std::string_view msg) {
    switch (level) {
      case log::Level::debug:
        out.debug(msg);
        break;
      case log::Level::info:
        out.info(msg);
        break;
      case log::Level::warn:
        out.warn(msg);
        break;
    }
  });
  ops::key_masks_with_home_key();
  try {
    if (!g.dir.empty() && ::chdir(g.dir.c_str()) != 0)
      fail(ErrorKind::usage, "-C {}: cannot change to that folder: {}", g.dir, std::strerror(errno));
    const Command* cmd = chosen_command(*tree);
    if (cmd == nullptr) fail(ErrorKind::usage, "no command given; run 'ecp --help'");
    if (g.output == "yaml" && cmd->app->get_name() != "plan")
      fail(ErrorKind::usage, "-o yaml is for 'ecp plan' (the objects a kubernetes target would get); use text or json");
    if (g.output == "csv" && cmd->app->get_name() != "audit")
      fail(ErrorKind::usage, "-o csv is for 'ecp audit'; use text or json");
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
