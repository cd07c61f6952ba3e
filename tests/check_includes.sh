#!/usr/bin/env bash
# The include arrows of docs/architecture.md, checked on the sources: every `#include "x/…"`
# of a project header must be allowed for the part that includes it. Prints each violation as
# file:line: what, and exits 1 when there is one.
#   check_includes.sh [ROOT]     check the tree at ROOT (default: the repository)
#   check_includes.sh --self-test   also show that an added wrong include fails the check
set -euo pipefail

# part -> the parts it may include (besides itself). A part is a folder prefix; the longest
# prefix that matches a file names its part.
declare -A ALLOWED=(
    [bgp]=""
    [health]=""
    [announce]="bgp health"
    [cli/config]="bgp health announce"
    [cli/daemon/log]="cli/config"
    [cli/control/protocol]="bgp cli/control/registry"
    [cli/control/registry]="bgp cli/control/protocol cli/control/request cli/control/render cli/control/status_check"
    [cli/control/request]="bgp cli/control/protocol cli/control/registry"
    [cli/control/render]="bgp cli/control/protocol cli/control/registry cli/control/reply_json cli/control/table"
    [cli/control/status_check]="cli/control/registry cli/control/reply_json cli/control/request cli/control/render cli/control/table"
    [cli/control/reply_json]=""
    [cli/control/table]=""
    [cli/control/client]=""
    [cli/control]="bgp health announce cli/config cli/daemon/log cli/control/protocol cli/control/client cli/control/registry"
    [cli/status]="bgp health announce cli/config cli/daemon/log cli/control/reply_json"
    [cli/vipctl]="bgp cli/control/protocol cli/control/client cli/control/registry cli/control/request cli/control/render cli/control/table"
    [cli/daemon]="bgp health announce cli"
)
# Parts that must not include Asio (vipctl is a small static program; the pure cores have no
# sockets and no clock).
NO_ASIO="cli/vipctl cli/control/protocol cli/control/client cli/control/registry cli/control/request cli/control/render cli/control/status_check cli/control/reply_json cli/control/table announce/rule announce/policy"
# Pure bgp files: everything in bgp/ except the Asio shell.
BGP_SHELL="bgp/session bgp/speaker bgp/transport bgp/socket_options bgp/bfd/service"

part_of() {
    local f=$1 best="" p
    for p in "${!ALLOWED[@]}"; do
        if [[ $f == "$p"/* || $f == "$p".* ]] && [ ${#p} -gt ${#best} ]; then
            best=$p
        fi
    done
    echo "$best"
}

allowed() { # allowed PART TARGET_HEADER
    local part=$1 target=$2 tp a
    tp=$(part_of "$target")
    [ "$tp" = "$part" ] && return 0
    for a in ${ALLOWED[$part]}; do
        [[ $target == "$a"/* || $target == "$a".* || $tp == "$a" ]] && return 0
    done
    return 1
}

check_tree() {
    local root=$1 bad=0 f line n target part
    cd "$root"
    while IFS= read -r f; do
        part=$(part_of "$f")
        [ -n "$part" ] || continue
        n=0
        while IFS= read -r line; do
            n=$((n + 1))
            if [[ $line =~ ^#include\ \"([a-z_]+/[a-z_/0-9]+\.hpp)\" ]]; then
                target=${BASH_REMATCH[1]}
                if ! allowed "$part" "$target"; then
                    echo "$f:$n: $part may not include $target"
                    bad=1
                fi
            elif [[ $line =~ ^#include\ \<boost/asio ]]; then
                local p
                for p in $NO_ASIO; do
                    if [[ $f == "$p"/* || $f == "$p".* ]]; then
                        echo "$f:$n: $p may not include Asio"
                        bad=1
                    fi
                done
                if [[ $part == bgp ]]; then
                    local shell=0 s
                    for s in $BGP_SHELL; do [[ $f == "$s"* ]] && shell=1; done
                    if [ $shell = 0 ]; then
                        echo "$f:$n: the pure BGP core may not include Asio"
                        bad=1
                    fi
                fi
            fi
        done <"$f"
    done < <(find bgp health announce cli -name '*.[ch]pp' | sort)
    return $bad
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --self-test ]; then
    check_tree "$ROOT" || exit 1
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cp -r "$ROOT"/bgp "$ROOT"/health "$ROOT"/announce "$ROOT"/cli "$tmp"/
    echo '#include "health/check.hpp"' >>"$tmp"/bgp/types.hpp
    if out=$(check_tree "$tmp"); then
        echo "self-test: a bgp/ -> health/ include was not reported"
        exit 1
    fi
    grep -q 'bgp/types.hpp:.*may not include health/check.hpp' <<<"$out" || {
        echo "self-test: unexpected report: $out"
        exit 1
    }
    echo "include arrows: ok (and a broken arrow is reported)"
    exit 0
fi
check_tree "${1:-$ROOT}"
echo "include arrows: ok"
