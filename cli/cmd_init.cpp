// ecp init --type jar|nginx|tomcat [--name APP] [--force] [DIR]
// DIR (default: the current folder) is created when missing; the app name defaults
// to DIR's last component, so `ecp init --type jar demo` makes demo/ with app: demo.
#include <fmt/format.h>

#include <algorithm>

#include "cli/command_tree.hpp"
#include "core/ops/init.hpp"

namespace ecp::cli {
namespace {

struct InitArgs {
  std::string type;
  std::string name;
  std::string dir;
  bool force = false;
};

int run_init(const InitArgs& a, Output& out) {
  ops::InitOptions o;
  o.type = a.type;
  o.name = a.name;
  o.dir = a.dir.empty() ? std::filesystem::path(".") : std::filesystem::path(a.dir);
  o.force = a.force;
  auto r = ops::init(o);

  // Paths as the user would type them: relative to where ecp runs.
  auto shown = [&](const std::string& rel) {
    return a.dir.empty() ? rel : (std::filesystem::path(a.dir) / rel).generic_string();
  };
  nlohmann::json files = nlohmann::json::array();
  nlohmann::json replaced = nlohmann::json::array();
  nlohmann::json dirs = nlohmann::json::array();
  for (const auto& f : r.files) files.push_back(shown(f));
  for (const auto& f : r.replaced) replaced.push_back(shown(f));
  for (const auto& d : r.dirs) dirs.push_back(shown(d) + "/");
  out.text(fmt::format("Created the {} layout of {} in {}:", r.type, out.bold(r.name), a.dir.empty() ? "." : a.dir));
  for (const auto& f : r.files) {
    bool was = std::find(r.replaced.begin(), r.replaced.end(), f) != r.replaced.end();
    out.text(fmt::format("  {}{}", shown(f), was ? "  (replaced)" : ""));
  }
  for (const auto& d : r.dirs) out.text(fmt::format("  {}/", shown(d)));
  std::string c = a.dir.empty() ? "" : fmt::format("-C {} ", a.dir);
  if (r.type == "jar")
    out.info(fmt::format("Next: copy your jar to {}, then run 'ecp {}validate'.", shown("app/lib/application.jar"), c));
  else if (r.type == "nginx")
    out.info(fmt::format("Next: put your site in {}/, then run 'ecp {}validate'.", shown("app/html"), c));
  else
    out.info(fmt::format("Next: put your web application in {}/ (or a .war in {}/), then run 'ecp {}validate'.",
                         shown("app/webapps/ROOT"), shown("app/webapps"), c));
  out.result({{"app", r.name},
              {"layout", r.type},
              {"dir", a.dir.empty() ? "." : a.dir},
              {"files", files},
              {"replaced", replaced},
              {"dirs", dirs}});
  return 0;
}

}  // namespace

void add_init(CommandTree& t) {
  auto args = std::make_shared<InitArgs>();
  auto* cmd = t.add(&t.root, "init", "Create ecp.yaml and the standard layout for a jar, nginx or tomcat app",
                    [args](Output& out) { return run_init(*args, out); });
  cmd->add_option("-t,--type", args->type, "The application type: jar, nginx or tomcat")
      ->required()
      ->check(CLI::IsMember(ops::layout_types()))
      ->type_name("TYPE");
  cmd->add_option("-n,--name", args->name, "The app name (default: the folder's name)")->type_name("NAME");
  cmd->add_flag("--force", args->force, "Replace files of the layout that already exist");
  cmd->add_option("dir", args->dir, "The project folder, created when missing (default: the current folder)")
      ->type_name("DIR");
  cmd->footer(
      "Writes ecp.yaml and app/ (conf templates, bin/entrypoint.sh, bin/autoconfig.sh and the empty folders\n"
      "of the layout). Nothing is written when a file exists, unless --force. Example:\n"
      "  ecp init --type jar demo && ecp -C demo validate\n\n" +
      global_options_help());
}

}  // namespace ecp::cli
