// `ecp stop`, `ecp start`, `ecp remove`: an environment's instances without a
// new revision (core/ops/lifecycle.hpp).
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli/release_flags.hpp"
#include "core/ops/lifecycle.hpp"
#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::cli {

namespace {

struct LifecycleArgs {
  ops::LifecycleOptions o;
  std::string wait;
  bool yes = false;
};

// --purge destroys the ledger: only a person at a terminal who types the
// environment's name, or --yes, may ask for it.
void confirm_purge(const LifecycleArgs& a, const std::string& app) {
  if (!a.o.purge || a.yes) return;
  if (::isatty(STDIN_FILENO) != 1)
    fail(ErrorKind::usage,
         "remove --purge deletes the releases and the ledger of {}/{}: confirm with --yes (stdin is not a terminal)",
         app, a.o.env);
  fmt::print(stderr,
             "remove --purge deletes the releases and the release history of {}/{}.\nType '{}' to confirm: ", app,
             a.o.env, a.o.env);
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != a.o.env) fail(ErrorKind::usage, "not confirmed: nothing was removed");
}

int run(ops::Lifecycle what, LifecycleArgs& a, const Globals& g, Output& out) {
  wire_release(a.o, g, a.wait, out);
  if (what == ops::Lifecycle::remove) confirm_purge(a, ops::load_project(a.o.project).descriptor.app);
  auto r = ops::run_lifecycle(what, a.o);
  nlohmann::json instances = nlohmann::json::array();
  for (const auto& i : r.instances) instances.push_back(i.name());
  std::string done = what == ops::Lifecycle::stop ? "stopped" : what == ops::Lifecycle::start ? "started" : "removed";
  out.text(fmt::format("{} {} instance(s) of {}/{} (revision {}){}", done, r.instances.size(), r.app, r.env, r.revision,
                       r.purged ? "; its releases and ledger are deleted" : "; recorded in the ledger"));
  out.result({{"app", r.app},
              {"env", r.env},
              {"target", r.target},
              {"revision", r.revision},
              {"instances", instances},
              {"purged", r.purged}});
  return 0;
}

CLI::App* add_one(CommandTree& t, ops::Lifecycle what, const std::string& help) {
  auto a = std::make_shared<LifecycleArgs>();
  auto* cmd = t.add(&t.root, std::string(ops::to_string(what)), help,
                    [&g = t.globals, a, what](Output& out) { return run(what, *a, g, out); });
  add_env_flag(cmd, a->o);
  cmd->add_option("--lock-wait", a->wait, "Wait up to DURATION for a release to finish (default: fail at once)")
      ->type_name("DURATION");
  if (what == ops::Lifecycle::remove) {
    cmd->add_flag("--purge", a->o.purge,
                  "Also delete the installed releases and the ledger (asks on a terminal, else needs --yes)");
    cmd->add_flag("-y,--yes", a->yes, "Confirm --purge without asking");
  }
  return cmd;
}

}  // namespace

void add_lifecycle(CommandTree& t) {
  add_one(t, ops::Lifecycle::stop, "Stop an environment's instances, keeping its release (ecp start brings them back)");
  add_one(t, ops::Lifecycle::start, "Start an environment's stopped instances again on their revision");
  add_one(t, ops::Lifecycle::remove,
          "Take an environment down: stop every instance (--purge: delete its releases too)");
}

}  // namespace ecp::cli
