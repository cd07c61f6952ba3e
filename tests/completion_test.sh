#!/usr/bin/env bash
# The shell completion of `vipctl completion bash|zsh` against the programs' own --help texts:
# every vipctl command (the registry's rows, plus decode, help, completion), every option of
# each command's usage, vipctl's global options and vipd's options are offered, and nothing
# that the help texts do not know. The bash script is run (its completion function is called
# with COMP_WORDS as bash would set them); the zsh script is parsed by zsh and its command list
# and per-command options are read back.
# Usage: VIPD_BINARY_DIR=build/dev bash tests/completion_test.sh
set -uo pipefail
bin=${VIPD_BINARY_DIR:?VIPD_BINARY_DIR: the build tree with vipctl and vipd}
vipctl=$bin/vipctl
vipd=$bin/vipd
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# sorted_words WORDS...: one per line, sorted, unique.
sorted_words() { printf '%s\n' "$@" | sed '/^$/d' | sort -u; }

# same_set WHAT EXPECTED GOT: both newline-separated sets.
same_set() {
    local missing extra
    missing=$(comm -23 <(sed '/^$/d' <<<"$2") <(sed '/^$/d' <<<"$3") | tr '\n' ' ')
    extra=$(comm -13 <(sed '/^$/d' <<<"$2") <(sed '/^$/d' <<<"$3") | tr '\n' ' ')
    [[ -z $missing ]] || fail "$1: not offered: $missing"
    [[ -z $extra ]] || fail "$1: offered but not in the help text: $extra"
}

# help_options TEXT: the option spellings of a usage text's option lines ("  -s, --socket PATH").
help_options() {
    grep -E '^ {2,6}-' <<<"$1" | sed -E 's/^ +//; s/ {2,}.*//; s/ [A-Z][A-Z ]*$//; s/\[[A-Z]+\]//g' |
        grep -oE -- '(^|[ ,])-{1,2}[A-Za-z][A-Za-z-]*' | tr -d ' ,' | sort -u
}

"$vipctl" completion bash >"$tmp/vipctl.bash" || fail "vipctl completion bash"
"$vipctl" completion zsh >"$tmp/_vipctl" || fail "vipctl completion zsh"
"$vipctl" completion fish >/dev/null 2>&1
[[ $? == 2 ]] || fail "vipctl completion fish: expected exit status 2 (usage)"

# ---- bash: run the completion functions -------------------------------------------------------
# shellcheck disable=SC1090
source "$tmp/vipctl.bash" || fail "sourcing the bash completion"
# complete PROGRAM WORDS...: what bash offers for the last word (may be "").
complete_line() {
    local fn=_$1
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    "$fn"
    sorted_words "${COMPREPLY[@]}"
}

usage=$("$vipctl" --help)
commands=$(sed -n '/^Commands:/,/^$/p' <<<"$usage" | grep -E '^  [a-z]' | awk '{print $1}' | sort -u)
registry_count=$(wc -l <<<"$commands")
[[ $registry_count -ge 15 ]] || fail "vipctl --help lists only $registry_count commands"
same_set "bash: vipctl COMMAND" "$(sorted_words $commands help)" "$(complete_line vipctl '')"
same_set "bash: vipctl help COMMAND" "$(sorted_words $commands help)" "$(complete_line vipctl help '')"
same_set "bash: vipctl -OPTION" "$(help_options "$(sed -n '/^Options:/,/^$/p' <<<"$usage")")" \
    "$(complete_line vipctl -)"
for c in $commands; do
    [[ $c == completion ]] && continue
    text=$("$vipctl" help "$c")
    want=$(sorted_words $(help_options "$(sed -n '/^Options:/,/^$/p' <<<"$text")") --help)
    [[ $c == decode ]] && want=$(sorted_words $want -h)
    same_set "bash: vipctl $c --OPTION" "$want" "$(complete_line vipctl --json "$c" -)"
done
same_set "bash: vipctl completion SHELL" "$(sorted_words bash zsh)" "$(complete_line vipctl completion '')"
touch "$tmp/prefixes.txt"
got=$(complete_line vipctl announce --file "$tmp/pre")
[[ $got == "$tmp/prefixes.txt" ]] || fail "bash: vipctl announce --file completes files (got '$got')"
[[ -z $(complete_line vipctl announce --med '') ]] || fail "bash: --med takes a number: no words offered"
same_set "bash: vipd -OPTION" "$(help_options "$("$vipd" --help)")" "$(complete_line vipd -)"
got=$(complete_line vipd -c "$tmp/pre")
[[ $got == "$tmp/prefixes.txt" ]] || fail "bash: vipd -c completes files (got '$got')"

# ---- zsh: parse, then read the command list and each command's options back ------------------
if ! command -v zsh >/dev/null; then
    fail "zsh is not installed (scripts/setup.sh installs it)"
else
    zsh -n "$tmp/_vipctl" || fail "zsh cannot parse the zsh completion"
    [[ $(head -1 "$tmp/_vipctl") == "#compdef vipctl vipd" ]] || fail "zsh: first line is not #compdef vipctl vipd"
    # The vipctl_commands=( ... ) items, evaluated by zsh itself.
    zcommands=$(zsh -c 'eval "$(sed -n "/^    vipctl_commands=(/,/^    )/p" "$1")"; for c in $vipctl_commands; do print -r -- ${c%%:*}; done' \
        zsh "$tmp/_vipctl" | sort -u)
    same_set "zsh: commands" "$(sorted_words $commands help)" "$zcommands"
    for c in $commands; do
        [[ $c == help || $c == completion ]] && continue
        text=$("$vipctl" help "$c")
        want=$(sorted_words $(help_options "$(sed -n '/^Options:/,/^$/p' <<<"$text")") --help)
        [[ $c == decode ]] && want=$(sorted_words $want -h)
        got=$(sed -n "/^            $c)\$/,/;;/p" "$tmp/_vipctl" | grep -oE "[{'(,*)]-{1,2}[A-Za-z][A-Za-z-]*" |
            tr -d "{'(,*)" | sort -u)
        same_set "zsh: vipctl $c options" "$want" "$got"
    done
    got=$(sed -n '/^_vipd() {$/,/^}$/p' "$tmp/_vipctl" | grep -oE "[{'(,]-{1,2}[A-Za-z][A-Za-z-]*" | tr -d "{'(," | sort -u)
    same_set "zsh: vipd options" "$(help_options "$("$vipd" --help)")" "$got"
fi

if ((failures)); then
    echo "completion: $failures failures"
    exit 1
fi
echo "completion: bash and zsh offer all $registry_count commands and every option of their help texts"
