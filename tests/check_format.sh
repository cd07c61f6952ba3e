#!/usr/bin/env bash
# Fails when a C++ source is not formatted as .clang-format says (clang-format 14, Debian's
# clang-format package), naming each file; `clang-format -i FILE` fixes it.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format is not installed (scripts/setup.sh)"; exit 1; }
mapfile -t files < <(find bgp health announce cli tests bench -name '*.[ch]pp' | sort)
out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1)
status=$?
if [ $status -ne 0 ]; then
    grep -oE '^[^: ]+\.[ch]pp' <<<"$out" | sort -u | sed 's/^/not formatted (run clang-format -i): /'
    [ -n "$out" ] || echo "clang-format failed with status $status"
    exit 1
fi
echo "formatting: ${#files[@]} files ok"
