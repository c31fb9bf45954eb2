// bash: the tree becomes four lookup functions (case tables keyed by the command
// path, e.g. 'ecp validate'); one fixed function walks COMP_WORDS with them.
#include <fmt/format.h>

#include "cli/completion_gen.hpp"
#include "core/util/text.hpp"

namespace ecp::cli::completion {
namespace {

// "choice a b", "file", "dir" or "any": how _ecp_reply completes a value.
std::string value_word(const Value& v) {
  switch (v.kind) {
    case ValueKind::none: return "";
    case ValueKind::any: return "any";
    case ValueKind::file: return "file";
    case ValueKind::dir: return "dir";
    case ValueKind::choice: return "choice " + text::join(v.choices, " ");
    case ValueKind::dynamic:
      return "dynamic " + v.source;
  }
  return "";
}

std::string path_key(const CommandSpec& c) { return text::join(c.path, " "); }

void tables(std::string& s, const CommandSpec& root) {
  auto cmds = all_commands(root);
  s += "# _ecp_subcommand PATH WORD: the subcommand WORD (a name or an alias) names at PATH\n";
  s += "_ecp_subcommand() {\n    case \"$1|$2\" in\n";
  for (const CommandSpec* c : cmds)
    for (const CommandSpec& sub : c->subcommands) {
      std::vector<std::string> keys{sh_quote(path_key(*c) + "|" + sub.name())};
      for (const auto& a : sub.aliases) keys.push_back(sh_quote(path_key(*c) + "|" + a));
      s += fmt::format("        {}) echo {} ;;\n", text::join(keys, "|"), sh_quote(sub.name()));
    }
  s += "        *) return 1 ;;\n    esac\n}\n\n";

  s += "# _ecp_words PATH: the subcommands and options offered at PATH\n";
  s += "_ecp_words() {\n    case $1 in\n";
  for (const CommandSpec* c : cmds) {
    std::vector<std::string> subs, opts;
    for (const CommandSpec& sub : c->subcommands) subs.push_back(sub.name());
    for (const OptionSpec& o : c->options) opts.insert(opts.end(), o.names.begin(), o.names.end());
    s += fmt::format("        {}) _ecp_subs={} _ecp_opts={} ;;\n", sh_quote(path_key(*c)),
                     sh_quote(text::join(subs, " ")), sh_quote(text::join(opts, " ")));
  }
  s += "    esac\n}\n\n";

  s += "# _ecp_value PATH OPTION: how OPTION's value completes; empty for a flag\n";
  s += "_ecp_value() {\n    case \"$1|$2\" in\n";
  for (const CommandSpec* c : cmds)
    for (const OptionSpec& o : c->options) {
      if (o.value.kind == ValueKind::none) continue;
      std::vector<std::string> keys;
      for (const auto& n : o.names) keys.push_back(sh_quote(path_key(*c) + "|" + n));
      s += fmt::format("        {}) echo {} ;;\n", text::join(keys, "|"), sh_quote(value_word(o.value)));
    }
  s += "    esac\n}\n\n";

  s += "# _ecp_positional PATH N: how the positional argument number N (from 0) completes\n";
  s += "_ecp_positional() {\n    case \"$1|$2\" in\n";
  for (const CommandSpec* c : cmds)
    for (std::size_t i = 0; i < c->positionals.size(); ++i) {
      const PositionalSpec& p = c->positionals[i];
      bool rest = p.many && i + 1 == c->positionals.size();
      std::string key = sh_quote(fmt::format("{}|{}", path_key(*c), rest ? "" : std::to_string(i)));
      s += fmt::format("        {}{}) echo {} ;;\n", key, rest ? "*" : "", sh_quote(value_word(p.value)));
    }
  s += "    esac\n}\n\n";
}

// The walker: finds the command path, the positional count and whether the
// word under the cursor is an option's value (also in the --opt=value form,
// which COMP_WORDBREAKS splits into '--opt' '=' 'value').
constexpr const char* walker = R"SH(# _ecp_reply SPEC CUR [PREFIX]: adds the candidates for a value described by SPEC
_ecp_reply() {
    case $1 in
        choice\ *) mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -P "${3-}" -W "${1#choice }" -- "$2") ;;
        file) compopt -o filenames 2>/dev/null; mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$2") ;;
        dir) compopt -o filenames 2>/dev/null; mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$2") ;;
        dynamic\ *) mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -P "${3-}" -W \
            "$("${COMP_WORDS[0]}" __complete "${1#dynamic }" "${COMP_WORDS[@]:1}" 2>/dev/null)" -- "$2") ;;
    esac
}

_ecp() {
    local cur=${COMP_WORDS[COMP_CWORD]} path=ecp npos=0 i=1 w sub value_of='' prefix='' only_args=0
    COMPREPLY=()
    while (( i < COMP_CWORD )); do
        w=${COMP_WORDS[i]}
        if (( !only_args )) && [[ $w == -- ]]; then
            only_args=1
        elif (( !only_args )) && [[ $w == -?* ]]; then
            if [[ $w != *=* && -n $(_ecp_value "$path" "$w") ]]; then
                if [[ ${COMP_WORDS[i+1]-} == = ]]; then
                    if (( i + 1 == COMP_CWORD )); then value_of=$w cur=''; break; fi
                    i=$((i + 1))
                fi
                if (( i + 1 == COMP_CWORD )); then value_of=$w; break; fi
                i=$((i + 1))
            fi
        elif (( !only_args )) && sub=$(_ecp_subcommand "$path" "$w"); then
            path="$path $sub" npos=0
        else
            npos=$((npos + 1))
        fi
        i=$((i + 1))
    done
    if [[ -z $value_of && $cur == -?*=* ]] && (( !only_args )); then
        value_of=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}
    fi
    if [[ -n $value_of ]]; then
        _ecp_reply "$(_ecp_value "$path" "$value_of")" "$cur" "$prefix"
        return 0
    fi
    local _ecp_subs='' _ecp_opts=''
    _ecp_words "$path"
    if [[ $cur == -* ]] && (( !only_args )); then
        _ecp_reply "choice $_ecp_opts" "$cur"
        return 0
    fi
    _ecp_reply "$(_ecp_positional "$path" "$npos")" "$cur"
    (( only_args )) || _ecp_reply "choice $_ecp_subs" "$cur"
    return 0
}

complete -F _ecp ecp
)SH";

}  // namespace

std::string bash_script(const CommandSpec& root) {
  std::string s =
      "# bash completion for ecp                                  -*- shell-script -*-\n"
      "# Generated by 'ecp completion bash' from ecp's command tree; do not edit.\n"
      "# Regenerate with scripts/update-completions.sh. Install: copy to\n"
      "# /usr/share/bash-completion/completions/ecp, or run: source <(ecp completion bash)\n\n";
  tables(s, root);
  s += walker;
  return s;
}

}  // namespace ecp::cli::completion
