#pragma once
// What the release commands (deploy, rollback, release, apply, canary
// promote|abort) share: their common flags, in one wording and one order, and
// the wiring of their options when they run.
#include <string>

#include "cli/command_tree.hpp"
#include "cli/deploy_output.hpp"

namespace ecp::cli {

// -e/--env: a release acts on one environment, and so do status, history, logs
// and unlock. Comes first.
template <class Options>
void add_env_flag(CLI::App* cmd, Options& o) {
  cmd->add_option("-e,--env", o.env, "The environment (from ecp.yaml)")->required()->type_name("ENV");
}

// --set KEY=VALUE and --values FILE: the configuration's top layer for one release.
inline void add_override_flags(CLI::App* cmd, ops::ConfigOverrides& o) {
  cmd->add_option("--set", o.set,
                  "Set KEY to VALUE over every other source, as ecp config render does; recorded in the ledger "
                  "(repeatable)")
      ->type_name("KEY=VALUE");
  cmd->add_option("--values", o.values_files,
                  "Read values from a .yaml or .properties file, over ecp.yaml and env/ (repeatable)")
      ->type_name("FILE");
}

// The flags a release command ends with, those of them its options have:
// --strategy, --dry-run, --force, --manual, --change-id, --set, --values, then --lock-wait (into
// `wait`, read by wire_release).
template <class Options>
void add_release_flags(CLI::App* cmd, Options& o, std::string& wait,
                       const std::string& dry_run_help = "Print the plan and change nothing") {
  if constexpr (requires { o.strategy; })
    cmd->add_option("--strategy", o.strategy, "Override ecp.yaml's strategy: recreate, rolling, blue-green or canary")
        ->type_name("STRATEGY:{recreate,rolling,blue-green,canary}");
  if constexpr (requires { o.dry_run; }) cmd->add_flag("--dry-run", o.dry_run, dry_run_help);
  if constexpr (requires { o.force; })
    cmd->add_flag("--force", o.force, "Deploy even when this image and configuration already serve");
  if constexpr (requires { o.manual; })
    cmd->add_flag("--manual", o.manual, "canary: pause after each step until ecp canary promote (or abort)");
  if constexpr (requires { o.change_id; })
    cmd->add_option("--change-id", o.change_id, "A change or ticket id recorded in the ledger")->type_name("ID");
  if constexpr (requires { o.emergency; })
    cmd->add_option("--emergency", o.emergency,
                    "Release outside the change windows or during a freeze, for this reason (audited)")
        ->type_name("REASON");
  if constexpr (requires { o.overrides; }) add_override_flags(cmd, o.overrides);
  cmd->add_option("--lock-wait", wait, "Wait up to DURATION for another release to finish (default: fail at once)")
      ->type_name("DURATION");
}

// When the command runs: the project the global flags name, the
// --lock-wait value and the progress printer.
template <class Options>
void wire_release(Options& o, const Globals& g, const std::string& wait, Output& out) {
  o.project = project_of(g);
  o.lock_wait = lock_wait(wait);
  o.on_event = deploy_events(out);
}

}  // namespace ecp::cli
