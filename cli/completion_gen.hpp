#pragma once
// Shell completion scripts generated from the CLI11 command tree. describe()
// reads the tree once into a plain model; one emitter per shell turns the model
// into a script. completions/ holds the output of the same code (see
// scripts/update-completions.sh), so a new subcommand or option reaches the
// shells without anyone editing a script by hand.
#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ecp::cli::completion {

// How the value of an option or positional argument completes.
enum class ValueKind {
  none,     // a flag: takes no value
  any,      // free text: nothing to offer
  file,     // a path to a file
  dir,      // a path to a folder
  choice,   // one of `choices`
  dynamic,  // what `ecp __complete SOURCE WORDS...` lists (environments, revisions, ...)
};

struct Value {
  ValueKind kind = ValueKind::none;
  std::vector<std::string> choices;
  std::string source;  // dynamic: envs, revisions, images, registries, targets
};

struct OptionSpec {
  std::vector<std::string> names;  // with dashes, short ones first: {"-o", "--output"}
  std::string help;
  std::string value_name;          // "FORMAT"; empty for flags
  Value value;
  bool repeatable = false;         // -vv, or an option collecting several values
};

struct PositionalSpec {
  std::string name;
  std::string help;
  Value value;
  bool many = false;  // takes every remaining argument
};

struct CommandSpec {
  std::vector<std::string> path;  // {"ecp"}, {"ecp", "validate"}, ...
  std::vector<std::string> aliases;
  std::string help;
  // Every option accepted here: its own first, then the ones that fall through
  // to its parents (CLI11 fallthrough), so `ecp validate --output json` completes.
  std::vector<OptionSpec> options;
  std::vector<PositionalSpec> positionals;
  std::vector<CommandSpec> subcommands;

  std::string name() const { return path.back(); }
  bool takes_value(std::string_view option) const;
  const OptionSpec* find_option(std::string_view option) const;
};

// Reads the visible part of the tree (hidden options and commands are skipped).
CommandSpec describe(const CLI::App& app);

// Value completion derived from an option's CLI11 type name and validators:
// "{a,b}" sets (IsMember, Transformer) become choices; DIR becomes folders;
// FILE and PATH (type names or ExistingFile/ExistingPath checks) become files;
// ENV, REVISION, IMAGE, REGISTRY and TARGET are asked of `ecp __complete`.
Value value_of(const CLI::Option& opt);

std::string bash_script(const CommandSpec& root);
std::string zsh_script(const CommandSpec& root);
std::string fish_script(const CommandSpec& root);

// The shells script_for() knows, in the order the help text lists them.
const std::vector<std::string>& shells();
// Throws ecp::Error (usage) for a shell not in shells().
std::string script_for(std::string_view shell, const CommandSpec& root);

// Helpers shared by the emitters.
std::vector<const CommandSpec*> all_commands(const CommandSpec& root);  // pre-order
std::string sh_quote(std::string_view s);    // POSIX single quotes (bash, zsh)
std::string fish_quote(std::string_view s);  // fish single quotes
std::string first_sentence(std::string_view help);

}  // namespace ecp::cli::completion
