#!/bin/sh
# completions/ is what `ecp completion SHELL` prints (else: run
# scripts/update-completions.sh), and the scripts really complete: bash by
# calling its function with COMP_WORDS set, fish with `complete -C`, zsh by
# loading it. zsh and fish are checked when installed (CI installs both).
. "$ECP_SOURCE_DIR/tests/lib/common.sh"
src=$ECP_SOURCE_DIR/completions

for pair in bash:ecp.bash zsh:_ecp fish:ecp.fish; do
  shell=${pair%%:*}
  file=$src/${pair#*:}
  expect_exit 0 "$ECP" completion "$shell"
  [ -s "$T/out" ] || die "ecp completion $shell printed nothing"
  if ! cmp -s "$file" "$T/out"; then
    diff -u "$file" "$T/out" | head -40 || true
    die "completions/${pair#*:} is stale: run scripts/update-completions.sh"
  fi
done
expect_exit 2 "$ECP" completion tcsh
expect_grep '^ecp: error:' "$T/err"

# The subcommands --help lists: each must be offered.
"$ECP" --help > "$T/help"
commands=$(awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' "$T/help")
[ -n "$commands" ] || die "no subcommands in ecp --help"

# --- bash, for real
mkdir -p "$T/tree/a_dir" && : > "$T/tree/a_file"
cat > "$T/drive.bash" <<'DRIVE'
set -u
source "$1"
complete -p ecp
t() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _ecp; printf '%s\n' "${COMPREPLY[*]}"; }
t ecp ''
t ecp v
t ecp --output ''
t ecp -o j
t ecp --output = ''
t ecp completion ''
t ecp -q completion z
t ecp validate --outp
t ecp -C "$2/a"
t ecp -C "$2" --no-color -f validate completion ''
t ecp -C "$3" deploy --env ''
t ecp -C "$3" release -e p
t ecp deploy --strategy ''
t ecp -C "$3" config render --env = ''
DRIVE
# A project whose environments are dev, test and prod, for the values only ecp
# knows (`ecp __complete`, which the scripts call by the name they complete).
proj=$ECP_SOURCE_DIR/examples/hello-jar
PATH=$(dirname "$ECP"):$PATH
export PATH
expect_exit 0 "$ECP" __complete envs -C "$proj" deploy --env
[ "$(tr '\n' ' ' <"$T/out")" = "dev test prod " ] || die "ecp __complete envs: $(cat "$T/out")"
expect_exit 0 "$ECP" __complete envs -C "$T/tree" deploy
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] || die "ecp __complete printed something without an ecp.yaml"
expect_exit 0 "$ECP" --help
expect_no_grep "__complete" "$T/out"
bash "$T/drive.bash" "$src/ecp.bash" "$T/tree" "$proj" > "$T/bash.out" 2>"$T/bash.err" || { cat "$T/bash.err"; die "bash failed"; }
[ ! -s "$T/bash.err" ] || { cat "$T/bash.err"; die "bash printed errors"; }
line() { sed -n "$1p" "$T/bash.out"; }
[ "$(line 1)" = "complete -F _ecp ecp" ] || die "not registered: $(line 1)"
for c in $commands; do
  case " $(line 2) " in *" $c "*) ;; *) die "bash: 'ecp <TAB>' lacks $c: $(line 2)" ;; esac
done
[ "$(line 3)" = "validate" ] || die "bash: 'ecp v<TAB>': $(line 3)"
[ "$(line 4)" = "text json yaml csv" ] || die "bash: 'ecp --output <TAB>': $(line 4)"
[ "$(line 5)" = "json" ] || die "bash: 'ecp -o j<TAB>': $(line 5)"
[ "$(line 6)" = "text json yaml csv" ] || die "bash: 'ecp --output=<TAB>': $(line 6)"
[ "$(line 7)" = "bash zsh fish" ] || die "bash: 'ecp completion <TAB>': $(line 7)"
[ "$(line 8)" = "zsh" ] || die "bash: 'ecp -q completion z<TAB>': $(line 8)"
[ "$(line 9)" = "--output" ] || die "bash: global option after the command: $(line 9)"
[ "$(line 10)" = "$T/tree/a_dir" ] || die "bash: -C completes folders only: $(line 10)"
[ "$(line 11)" = "bash zsh fish" ] || die "bash: options with values before a command: $(line 11)"
[ "$(line 12)" = "dev test prod" ] || die "bash: 'ecp -C DIR deploy --env <TAB>': $(line 12)"
[ "$(line 13)" = "prod" ] || die "bash: 'ecp -C DIR release -e p<TAB>': $(line 13)"
[ "$(line 14)" = "recreate rolling blue-green canary" ] || die "bash: '--strategy <TAB>': $(line 14)"
[ "$(line 15)" = "dev test prod" ] || die "bash: 'config render --env=<TAB>': $(line 15)"

# --- fish, for real
if command -v fish >/dev/null 2>&1; then
  fish -n "$src/ecp.fish" || die "fish -n failed"
  mkdir -p "$T/home"
  fishc() { HOME=$T/home XDG_CONFIG_HOME=$T/home XDG_DATA_HOME=$T/home fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$src/ecp.fish" "$1" | cut -f1 | tr '\n' ' '; }
  got=$(fishc 'ecp ')
  for c in $commands; do
    case " $got" in *" $c "*) ;; *) die "fish: 'ecp <TAB>' lacks $c: $got" ;; esac
  done
  [ "$(fishc 'ecp --output ')" = "csv json text yaml " ] || die "fish: 'ecp --output <TAB>': $(fishc 'ecp --output ')"
  [ "$(fishc 'ecp -C /tmp completion ')" = "bash fish zsh " ] || die "fish: completion: $(fishc 'ecp -C /tmp completion ')"
  case " $(fishc 'ecp validate --') " in *" --output "*) ;; *) die "fish: global options after the command" ;; esac
  [ "$(fishc "ecp -C $proj deploy --env ")" = "dev prod test " ] || die "fish: --env: $(fishc "ecp -C $proj deploy --env ")"
else
  skip_part "fish is not installed: fish checks not run"
fi

# --- zsh: syntax, and sourcing it registers _ecp for ecp
if command -v zsh >/dev/null 2>&1; then
  zsh -n "$src/_ecp" || die "zsh -n failed"
  HOME=$T/home zsh -f -c 'autoload -U compinit && compinit -u -d "$1/zcompdump" && source "$2" && [[ $_comps[ecp] == _ecp ]] && (( $+functions[_ecp__completion] ))' \
    zsh "$T" "$src/_ecp" || die "zsh: sourcing _ecp does not register it"
else
  skip_part "zsh is not installed: zsh checks not run"
fi
echo "completions are fresh and complete"
