// fish: `complete` lines guarded by __ecp_at PATH [N], which is true when the
// words before the cursor select the command PATH (and N positionals so far).
// __ecp_at walks the words with generated tables of subcommands and of
// options that take a value, so it works for nested commands too.
#include <fmt/format.h>

#include "cli/completion_gen.hpp"
#include "core/util/text.hpp"

namespace ecp::cli::completion {
namespace {

std::string path_key(const CommandSpec& c) { return text::join(c.path, " "); }

// The `-n` condition: a fish command line, quoted once more as an argument.
std::string at(const CommandSpec& c, std::string_view n = "") {
  std::string cond = "__ecp_at " + fish_quote(path_key(c));
  if (!n.empty()) cond += fmt::format(" {}", n);
  return fish_quote(cond);
}

std::string value_args(const Value& v) {
  switch (v.kind) {
    case ValueKind::none: return "";
    case ValueKind::any: return " -x";
    case ValueKind::file: return " -r -F";
    case ValueKind::dir: return " -x -a '(__fish_complete_directories (commandline -ct))'";
    case ValueKind::choice: {
      std::vector<std::string> words;
      for (const auto& c : v.choices) words.push_back(fish_quote(c));
      return " -x -a " + fish_quote(text::join(words, " "));
    }
    case ValueKind::dynamic:
      return " -x -a " + fish_quote("(ecp __complete " + v.source + " (commandline -opc)[2..-1])");
  }
  return "";
}

void tables(std::string& s, const std::vector<const CommandSpec*>& cmds) {
  s += "# __ecp_subcommand PATH WORD: prints the subcommand WORD (a name or an alias) names at PATH\n";
  s += "function __ecp_subcommand\n    switch \"$argv[1]|$argv[2]\"\n";
  for (const CommandSpec* c : cmds)
    for (const CommandSpec& sub : c->subcommands) {
      std::vector<std::string> keys{fish_quote(path_key(*c) + "|" + sub.name())};
      for (const auto& a : sub.aliases) keys.push_back(fish_quote(path_key(*c) + "|" + a));
      s += fmt::format("        case {}\n            echo {}\n", text::join(keys, " "), fish_quote(sub.name()));
    }
  s += "        case '*'\n            return 1\n    end\nend\n\n";

  s += "# __ecp_takes_value PATH OPTION: true when OPTION takes a value at PATH\n";
  s += "function __ecp_takes_value\n    switch \"$argv[1]|$argv[2]\"\n";
  std::vector<std::string> keys;
  for (const CommandSpec* c : cmds)
    for (const OptionSpec& o : c->options)
      if (o.value.kind != ValueKind::none)
        for (const auto& n : o.names) keys.push_back(fish_quote(path_key(*c) + "|" + n));
  if (!keys.empty()) s += "        case " + text::join(keys, " ") + "\n            return 0\n";
  s += "    end\n    return 1\nend\n\n";
}

constexpr const char* walker = R"SH(# __ecp_at PATH [N]: the words before the cursor select PATH (with N positionals)
function __ecp_at
    set -l words (commandline -opc)
    set -e words[1]
    set -l path ecp
    set -l npos 0
    set -l skip 0
    set -l only_args 0
    set -l sub
    for w in $words
        if test $skip = 1
            set skip 0
        else if test $only_args = 0; and test "x$w" = x--
            set only_args 1
        else if test $only_args = 0; and string match -q -- '-?*' $w
            if not string match -q -- '*=*' $w; and __ecp_takes_value $path $w
                set skip 1
            end
        else if test $only_args = 0; and set sub (__ecp_subcommand $path $w)
            set path "$path $sub"
            set npos 0
        else
            set npos (math $npos + 1)
        end
    end
    test "$path" = "$argv[1]"; or return 1
    # Without N the caller offers options or subcommands: none after "--".
    test (count $argv) -lt 2; and test $only_args = 0; and return 0
    test (count $argv) -lt 2; and return 1
    string match -q -- '*+' $argv[2]; and test $npos -ge (string trim -r -c + -- $argv[2]); and return 0
    test $npos = $argv[2]
end

complete -c ecp -f
)SH";

void completes(std::string& s, const CommandSpec& c) {
  s += fmt::format("\n# {}\n", path_key(c));
  for (const CommandSpec& sub : c.subcommands)
    s += fmt::format("complete -c ecp -n {} -a {} -d {}\n", at(c), fish_quote(sub.name()),
                     fish_quote(first_sentence(sub.help)));
  for (const OptionSpec& o : c.options) {
    std::string names;
    for (const auto& n : o.names) {
      if (n.starts_with("--")) names += " -l " + fish_quote(n.substr(2));
      else if (n.size() == 2) names += " -s " + fish_quote(n.substr(1));
      else names += " -o " + fish_quote(n.substr(1));
    }
    s += fmt::format("complete -c ecp -n {}{}{} -d {}\n", at(c), names, value_args(o.value),
                     fish_quote(first_sentence(o.help)));
  }
  for (std::size_t i = 0; i < c.positionals.size(); ++i) {
    const PositionalSpec& p = c.positionals[i];
    if (p.value.kind == ValueKind::any) continue;
    bool rest = p.many && i + 1 == c.positionals.size();
    std::string n = fmt::format("{}{}", i, rest ? "+" : "");
    std::string args = value_args(p.value);
    // Positionals are not option values: drop -x/-r, keep the candidates.
    if (p.value.kind == ValueKind::file) args = " -F";
    else args = args.substr(args.find(" -a"));
    s += fmt::format("complete -c ecp -n {}{}\n", at(c, n), args);
  }
}

}  // namespace

std::string fish_script(const CommandSpec& root) {
  std::string s =
      "# fish completion for ecp. Generated by 'ecp completion fish' from ecp's command\n"
      "# tree; do not edit. Regenerate with scripts/update-completions.sh. Install: copy\n"
      "# to ~/.config/fish/completions/ecp.fish, or run: ecp completion fish | source\n\n";
  auto cmds = all_commands(root);
  tables(s, cmds);
  s += walker;
  for (const CommandSpec* c : cmds) completes(s, *c);
  return s;
}

}  // namespace ecp::cli::completion
