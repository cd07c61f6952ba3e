# shellcheck shell=bash
# tests/integration/lib.sh: helpers for the end-to-end tests (tests/integration/*_test.sh).
#
# Source it at the top of a test:
#     #!/usr/bin/env bash
#     set -euo pipefail
#     . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# What sourcing does: makes a private temp dir ($VIPD_TEST_DIR), installs an EXIT trap that stops
# every daemon started through this library by its recorded PID (SIGTERM, bounded wait, SIGKILL)
# and removes the dir (kept when VIPD_KEEP=1; on failure the daemons' log tails are printed).
# Every daemon also runs under coreutils `timeout`, so it dies by itself after VIPD_DAEMON_MAX_S
# even if the test is SIGKILLed. Only loopback addresses are accepted (assert_loopback).
#
# Reference (README.md next to this file has the long form):
#   general   log MSG | fail MSG | skip MSG | require_cmd CMD... | on_exit CMD...
#             wait_until TIMEOUT_S CMD... | wait_or_fail TIMEOUT_S WHAT CMD...
#             assert_eq EXPECTED ACTUAL [WHAT] | assert_ne | assert_contains HAYSTACK NEEDLE [WHAT]
#             assert_match STRING ERE [WHAT] | assert_cmd WHAT CMD... | assert_not_cmd WHAT CMD...
#             is_loopback_addr ADDR | assert_loopback ADDR... | free_port [ADDR]
#   daemons   start_daemon NAME CMD... | stop_daemon NAME [TIMEOUT_S] | daemon_pid NAME
#             daemon_alive NAME | daemon_dir NAME | daemon_log NAME | daemon_exit_status NAME
#             expect_exit NAME STATUS... (at exit every daemon's status and log are checked)
#   BIRD      bird_conf_global --router-id ID | bird_conf_bgp PROTO OPTIONS...
#             bird_conf_static PROTO --ipv4|--ipv6 [--disabled] PREFIX...
#             start_bird NAME CONFIG_TEXT | bird_reconfigure NAME CONFIG_TEXT | bird_cli NAME ARGS...
#             bird_bgp_state | bird_proto_state | bird_proto_since | bird_assert_same_session |
#             bird_proto_uptime
#             bird_last_error | bird_is_established | bird_wait_established | bird_wait_state
#             bird_route_count NAME PROTO [ipv4|ipv6] | bird_routes NAME PROTO [ipv4|ipv6]
#             bird_has_route NAME PROTO PREFIX | bird_wait_route | bird_wait_no_route
#             bird_wait_route_gone
#             bird_route_attr NAME PROTO PREFIX ATTR | bird_routes_json NAME [show-route-args...]
#             bird_table NAME PROTO | bird_expect_table NAME PROTO EXPECTED [TIMEOUT_S]
#   GoBGP     gobgp_conf_global OPTIONS... | gobgp_conf_neighbor OPTIONS...
#             start_gobgpd NAME CONFIG_TEXT [--api ADDR:PORT] | gobgp_reconfigure NAME CONFIG_TEXT
#             gobgp_cli NAME ARGS... | gobgp_neighbor_state NAME ADDR | gobgp_is_established
#             gobgp_wait_established | gobgp_neighbor_uptime | gobgp_adj_in_json NAME ADDR FAM
#             gobgp_routes NAME ADDR FAM | gobgp_routes_json | gobgp_has_route NAME ADDR FAM PREFIX
#             gobgp_wait_route | gobgp_wait_no_route | gobgp_route_attr NAME ADDR FAM PREFIX ATTR
#             gobgp_table NAME ADDR | gobgp_expect_table NAME ADDR EXPECTED [TIMEOUT_S]
#
# Attribute names understood by bird_route_attr and gobgp_route_attr (normalised output, the
# same for both daemons): origin (igp|egp|incomplete), as_path ("65001 65001 {1 2}"), med,
# local_pref, next_hop (space separated if several), community ("65001:100 65535:65281"),
# ext_community ("rt:65001:7 ro:65001:8"), large_community ("65001:1:2 4200000001:5:6").
# bird_table/gobgp_table print every route with all of these. bird_route_attr also takes BIRD's raw names
# ("BGP.med", "Type").
#
# Works with and without `set -euo pipefail` in the caller (it turns on errtrace and an ERR trap
# that names the failing command when errexit is on). Functions named *_wait_*, assert_* and
# start_* fail the test (readable message, exit 1); is_*/has_* are silent predicates.

if [[ -n "${_VIPD_LIB_LOADED:-}" ]]; then
    # shellcheck disable=SC2317  # (exit: when executed rather than sourced)
    return 0 2>/dev/null || exit 0
fi
_VIPD_LIB_LOADED=1

# ------------------------------------------------------------------------------------------------
# Settings (environment overrides)

VIPD_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${VIPD_SOURCE_DIR:=$(cd "$VIPD_LIB_DIR/../.." && pwd)}"
: "${VIPD_BINARY_DIR:=$VIPD_SOURCE_DIR/build}"
: "${VIPD_KEEP:=0}"               # 1: keep $VIPD_TEST_DIR (configs, daemon logs) after the test
: "${VIPD_DAEMON_MAX_S:=300}"     # hard cap on every daemon's life (coreutils timeout)
: "${VIPD_STOP_WAIT_S:=10}"       # stop_daemon: SIGTERM, wait this long, then SIGKILL
: "${VIPD_START_WAIT_S:=15}"      # start_bird/start_gobgpd: wait for the control API
: "${VIPD_WAIT_S:=30}"            # default timeout of the *_wait_* helpers
: "${VIPD_POLL_S:=0.1}"           # polling interval of wait_until
# free_port's range. ctest runs the integration tests in two lanes at once (tests/CMakeLists.txt)
# and gives each its own range through VIPD_LANE, so a port one lane's test frees (a router
# restarted on the same port, a port kept closed on purpose) is never handed to the other lane.
# Both ranges stay clear of the fixed ports of the demo (17917) and the C++ speaker tests
# (17961-17963).
case ${VIPD_LANE:-} in
a) : "${VIPD_PORT_MIN:=17000}" "${VIPD_PORT_MAX:=17099}" ;;
b) : "${VIPD_PORT_MIN:=17100}" "${VIPD_PORT_MAX:=17199}" ;;
*) : "${VIPD_PORT_MIN:=17000}" "${VIPD_PORT_MAX:=17199}" ;;
esac
: "${VIPD_LOG_TAIL:=40}"          # lines of each daemon log printed when a test fails
: "${VIPD_GOBGP_LOG_LEVEL:=info}" # gobgpd -l
if [[ -z "${VIPD_PY:-}" ]]; then
    # Debian's interpreter first: only the stdlib is used, and it is always there with the packages.
    if [[ -x /usr/bin/python3 ]]; then VIPD_PY=/usr/bin/python3; else VIPD_PY="$(command -v python3 || true)"; fi
fi

VIPD_TEST_NAME="$(basename "${0%.sh}")"
VIPD_MAIN_PID=$BASHPID

# ------------------------------------------------------------------------------------------------
# Logging and failing

# log MSG...: timestamped line on stderr.
log() {
    local t=${EPOCHREALTIME/,/.} ts
    printf -v ts '%(%H:%M:%S)T' "${t%.*}"
    printf '%s.%s %s: %s\n' "$ts" "${t:${#t}-6:3}" "$VIPD_TEST_NAME" "$*" >&2
}

# fail MSG...: print "FAIL: MSG" and end the test with status 1, also from inside $(...).
fail() {
    printf 'FAIL: %s: %s\n' "$VIPD_TEST_NAME" "$*" >&2
    if [[ $BASHPID != "$VIPD_MAIN_PID" ]]; then
        # In a subshell: `exit` would only leave the subshell; tell the test shell too.
        [[ -d "${VIPD_TEST_DIR:-}" ]] && printf '%s\n' "$*" >>"$VIPD_TEST_DIR/.failed"
        kill -TERM "$VIPD_MAIN_PID" 2>/dev/null
    fi
    exit 1
}

# skip MSG...: end the test with status 77 (ctest reports it as skipped if the test has
# SKIP_RETURN_CODE 77; otherwise as failed, which is the safe default).
skip() {
    printf 'SKIP: %s: %s\n' "$VIPD_TEST_NAME" "$*" >&2
    exit 77
}

# require_cmd CMD...: fail unless every command is on PATH.
require_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 ||
            fail "required command '$c' not found (Debian packages: bird2 for bird/birdc, gobgpd for gobgpd/gobgp, python3)"
    done
}

# ------------------------------------------------------------------------------------------------
# Time and waiting

# _vipd_now_ms: sets _VIPD_NOW_MS (wall clock, ms) without forking.
_vipd_now_ms() {
    local t=${EPOCHREALTIME/,/.}
    _VIPD_NOW_MS=$((${t%.*} * 1000 + 10#${t:${#t}-6:3}))
}

# _vipd_secs_to_ms VAR SECONDS: "2", "0.5", "1.25" -> milliseconds in VAR.
_vipd_secs_to_ms() {
    local -n _out=$1
    local s=$2 i f
    [[ $s =~ ^([0-9]+)(\.([0-9]{1,3}))?$ ]] || return 1
    i=${BASH_REMATCH[1]}
    f=${BASH_REMATCH[3]}000
    _out=$((10#$i * 1000 + 10#${f:0:3}))
}

# wait_until TIMEOUT_S CMD...: run CMD (output discarded) every VIPD_POLL_S until it succeeds;
# returns 1 when TIMEOUT_S has passed.
wait_until() {
    local t=${1:?wait_until TIMEOUT_S CMD...} ms end
    shift
    (($#)) || fail "wait_until: no command"
    _vipd_secs_to_ms ms "$t" || fail "wait_until: bad timeout '$t'"
    _vipd_now_ms
    end=$((_VIPD_NOW_MS + ms))
    while :; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        _vipd_now_ms
        ((_VIPD_NOW_MS < end)) || return 1
        sleep "$VIPD_POLL_S"
    done
}

# wait_or_fail TIMEOUT_S WHAT CMD...: wait_until, or fail with "timed out after Ns waiting for WHAT".
wait_or_fail() {
    local t=$1 what=$2
    shift 2
    wait_until "$t" "$@" || fail "timed out after ${t}s waiting for $what"
}

# ------------------------------------------------------------------------------------------------
# Assertions

assert_eq() {
    [[ "$1" == "$2" ]] || fail "${3:-assert_eq}: expected '$1', got '$2'"
}

assert_ne() {
    [[ "$1" != "$2" ]] || fail "${3:-assert_ne}: did not expect '$2'"
}

assert_contains() {
    [[ "$1" == *"$2"* ]] || fail "${3:-assert_contains}: '$2' not found in '$1'"
}

assert_match() {
    [[ "$1" =~ $2 ]] || fail "${3:-assert_match}: '$1' does not match /$2/"
}

# assert_cmd WHAT CMD...: CMD must succeed. assert_not_cmd WHAT CMD...: CMD must fail.
assert_cmd() {
    local what=$1 rc=0
    shift
    "$@" || rc=$?
    ((rc == 0)) || fail "$what: '$*' exited $rc"
}

assert_not_cmd() {
    local what=$1 rc=0
    shift
    "$@" || rc=$?
    ((rc != 0)) || fail "$what: '$*' succeeded"
}

# ------------------------------------------------------------------------------------------------
# Loopback guard and ports

# is_loopback_addr ADDR: 127.0.0.0/8 dotted quad, or ::1 (brackets allowed).
is_loopback_addr() {
    local a=${1#[}
    a=${a%]}
    if [[ $a =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]]; then
        ((10#${BASH_REMATCH[1]} <= 255 && 10#${BASH_REMATCH[2]} <= 255 && 10#${BASH_REMATCH[3]} <= 255))
        return
    fi
    [[ $a == ::1 || $a == 0:0:0:0:0:0:0:1 ]]
}

# assert_loopback ADDR...: fail on anything that is not a loopback address.
assert_loopback() {
    local a
    for a in "$@"; do
        is_loopback_addr "$a" ||
            fail "refusing non-loopback address '$a' (integration tests use 127.0.0.0/8 and ::1 only)"
    done
}

# free_port [ADDR]: print a TCP port of [VIPD_PORT_MIN, VIPD_PORT_MAX] that can be bound on ADDR
# (default 127.0.0.1) and that this test has not handed out before.
free_port() {
    local addr=${1:-127.0.0.1} port
    assert_loopback "$addr"
    port=$("$VIPD_PY" - "$addr" "$VIPD_PORT_MIN" "$VIPD_PORT_MAX" "$VIPD_TEST_DIR/.ports" <<'PY'
import random, socket, sys
addr, lo, hi, used_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
try:
    used = {int(x) for x in open(used_file).read().split()}
except FileNotFoundError:
    used = set()
ports = list(range(lo, hi + 1))
start = random.randrange(len(ports))
for port in ports[start:] + ports[:start]:
    if port in used:
        continue
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the daemons do
    try:
        s.bind((addr, port))
        s.listen(1)
    except OSError:
        continue
    finally:
        s.close()
    with open(used_file, "a") as f:
        f.write(f"{port}\n")
    print(port)
    sys.exit(0)
sys.exit(1)
PY
    ) || fail "free_port: no free port in $VIPD_PORT_MIN-$VIPD_PORT_MAX on $addr"
    printf '%s\n' "$port"
}

# ------------------------------------------------------------------------------------------------
# Per-test directory and cleanup

# Short name: BIRD's control socket path must fit in sun_path (108 bytes).
VIPD_TEST_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vipd-${VIPD_TEST_NAME:0:24}.XXXXXX")" ||
    { echo "lib.sh: cannot create a temp dir" >&2; exit 1; }
_VIPD_ON_EXIT=()

# on_exit CMD...: run CMD (eval'd) at exit, before the daemons are stopped; last added runs first.
on_exit() {
    _VIPD_ON_EXIT+=("$*")
}

_vipd_cleanup() {
    local rc=$? i name
    [[ $BASHPID == "$VIPD_MAIN_PID" ]] || return "$rc"
    trap - EXIT INT TERM HUP
    set +eu
    if [[ -s "$VIPD_TEST_DIR/.failed" && $rc == 143 ]]; then
        rc=1 # a fail() in a subshell
    fi
    for ((i = ${#_VIPD_ON_EXIT[@]} - 1; i >= 0; i--)); do
        eval "${_VIPD_ON_EXIT[i]}" || log "on_exit '${_VIPD_ON_EXIT[i]}' failed"
    done
    local names=()
    mapfile -t names < <(_vipd_daemon_names)
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do
        stop_daemon "${names[i]}"
    done
    ((rc != 0)) || _vipd_check_stopped "${names[@]}" || rc=1
    if ((rc != 0)); then
        for name in "${names[@]}"; do
            local f="$VIPD_TEST_DIR/$name/output.log"
            [[ -s $f ]] || continue
            printf -- '----- %s: last %s lines of %s -----\n' "$name" "$VIPD_LOG_TAIL" "$f" >&2
            tail -n "$VIPD_LOG_TAIL" "$f" >&2
        done
    fi
    if [[ $VIPD_KEEP == 1 ]]; then
        log "kept $VIPD_TEST_DIR"
    else
        rm -rf -- "$VIPD_TEST_DIR"
    fi
    if ((rc == 0)); then log "PASS"; else log "FAILED (exit $rc)"; fi
    exit "$rc"
}
# _vipd_check_stopped NAME...: every daemon ended as asked (status 0, or 143: ended by the
# SIGTERM of stop_daemon; a test that kills one on purpose says so with expect_exit NAME STATUS)
# and no sanitizer report (AddressSanitizer, LeakSanitizer, UBSan) is in its log.
_vipd_check_stopped() {
    local name f st want bad=0
    for name in "$@"; do
        f="$VIPD_TEST_DIR/$name/exit_status"
        want=$(cat "$VIPD_TEST_DIR/$name/expect_exit" 2>/dev/null || echo "0 143")
        if [[ -f $f ]]; then
            st=$(<"$f")
            if [[ " $want " != *" $st "* ]]; then
                log "FAIL: $name exited with status $st (expected one of: $want)"
                bad=1
            fi
        fi
        if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
            "$VIPD_TEST_DIR/$name/output.log" 2>/dev/null; then
            log "FAIL: sanitizer report in $name's log:"
            grep -m5 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
                "$VIPD_TEST_DIR/$name/output.log" >&2
            bad=1
        fi
    done
    return $bad
}

# expect_exit NAME STATUS...: the exit statuses NAME may end with (checked at the end).
expect_exit() {
    local name=$1
    shift
    printf '%s\n' "$*" >"$VIPD_TEST_DIR/$name/expect_exit"
}

trap _vipd_cleanup EXIT

# Under `set -e`, say which command ended the test (errexit alone exits silently).
_vipd_on_err() {
    local rc=$?
    [[ $- == *e* ]] || return 0
    # shellcheck disable=SC2016  # (literal backquotes)
    printf 'ERROR: %s: exit %s from `%s` at %s:%s\n' "$VIPD_TEST_NAME" "$rc" "$BASH_COMMAND" \
        "${BASH_SOURCE[1]:-?}" "${BASH_LINENO[0]:-?}" >&2
}
set -o errtrace
trap _vipd_on_err ERR
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ------------------------------------------------------------------------------------------------
# Daemons: each runs as `timeout -k VIPD_STOP_WAIT_S VIPD_DAEMON_MAX_S CMD...` in the background,
# stdin from /dev/null, stdout+stderr to $VIPD_TEST_DIR/NAME/output.log. timeout forwards our
# SIGTERM to the daemon (and its process group) and itself SIGKILLs it VIPD_STOP_WAIT_S later.
# The registry is a file so that it survives subshells: $VIPD_TEST_DIR/.daemons holds
# "NAME WRAPPER_PID" lines.

_vipd_check_name() {
    [[ $1 =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || fail "bad daemon name '$1' (letters, digits, _ . -)"
}

_vipd_daemon_names() {
    [[ -f "$VIPD_TEST_DIR/.daemons" ]] || return 0
    awk '{print $1}' "$VIPD_TEST_DIR/.daemons"
}

# _vipd_wpid NAME: the wrapper (timeout) PID recorded for NAME.
_vipd_wpid() {
    local n p
    [[ -f "$VIPD_TEST_DIR/.daemons" ]] || return 1
    while read -r n p; do
        [[ $n == "$1" ]] && { printf '%s\n' "$p"; return 0; }
    done <"$VIPD_TEST_DIR/.daemons"
    return 1
}

# _vipd_pid_alive PID: exists and is not a zombie.
_vipd_pid_alive() {
    local st
    [[ -n ${1:-} ]] || return 1
    # Not $(<file): when the process exits between the check and the read, a failed $(<...)
    # ends the whole script under `set -e`, even inside a condition.
    { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
    st=${st##*) }
    st=${st%% *}
    [[ -n $st && $st != Z && $st != X ]]
}

# daemon_dir NAME: the daemon's private dir (created).
daemon_dir() {
    _vipd_check_name "$1"
    mkdir -p "$VIPD_TEST_DIR/$1"
    printf '%s\n' "$VIPD_TEST_DIR/$1"
}

# daemon_log NAME: path of the daemon's stdout+stderr.
daemon_log() { printf '%s\n' "$VIPD_TEST_DIR/$1/output.log"; }

# start_daemon NAME CMD...: start CMD in the background under the lifetime cap, record its PID.
# Do not call it inside $(...): the daemon would be a child of the subshell (it still gets
# stopped at exit, but its exit status is lost).
start_daemon() {
    local name=${1:?start_daemon NAME CMD...} dir wpid
    shift
    (($#)) || fail "start_daemon $name: no command"
    _vipd_check_name "$name"
    _vipd_wpid "$name" >/dev/null && fail "start_daemon: '$name' was already started in this test"
    command -v "$1" >/dev/null 2>&1 || fail "start_daemon $name: '$1' not found"
    dir=$(daemon_dir "$name")
    timeout -k "$VIPD_STOP_WAIT_S" "$VIPD_DAEMON_MAX_S" "$@" </dev/null >>"$dir/output.log" 2>&1 &
    wpid=$!
    printf '%s %s\n' "$name" "$wpid" >>"$VIPD_TEST_DIR/.daemons"
    printf '%s\n' "$*" >"$dir/command"
    log "started $name (pid $wpid): $*"
}

# daemon_pid NAME: PID of the daemon process itself (the child of its timeout wrapper); use it to
# send signals such as SIGHUP (signalling the wrapper would start its SIGKILL countdown).
daemon_pid() {
    local w c i
    w=$(_vipd_wpid "$1") || fail "daemon_pid: no daemon '$1'"
    for ((i = 0; i < 100; i++)); do
        c=""
        if [[ -r /proc/$w/task/$w/children ]]; then
            read -r c _ <"/proc/$w/task/$w/children" || true
        else
            c=$(ps -o pid= --ppid "$w" 2>/dev/null | head -n 1 | tr -d ' ')
        fi
        [[ -n $c ]] && { printf '%s\n' "$c"; return 0; }
        _vipd_pid_alive "$w" || break
        sleep 0.02
    done
    return 1
}

# daemon_alive NAME: the daemon (its wrapper) is still running.
daemon_alive() {
    local w
    w=$(_vipd_wpid "$1") || return 1
    _vipd_pid_alive "$w"
}

# stop_daemon NAME [TIMEOUT_S]: SIGTERM, wait up to TIMEOUT_S (VIPD_STOP_WAIT_S), then SIGKILL the
# wrapper's process group (its PGID is the recorded PID). Idempotent. The exit status is kept
# for daemon_exit_status.
stop_daemon() {
    local name=$1 t=${2:-$VIPD_STOP_WAIT_S} w ms end rc=0 child="" i
    w=$(_vipd_wpid "$name") || fail "stop_daemon: no daemon '$name'"
    if _vipd_pid_alive "$w"; then
        [[ -r /proc/$w/task/$w/children ]] && { read -r child _ <"/proc/$w/task/$w/children" || true; }
        kill -TERM "$w" 2>/dev/null || true # it may have ended since (a daemon killed on purpose)
        _vipd_secs_to_ms ms "$t" || ms=10000
        _vipd_now_ms
        end=$((_VIPD_NOW_MS + ms))
        while _vipd_pid_alive "$w"; do
            _vipd_now_ms
            if ((_VIPD_NOW_MS >= end)); then
                log "$name (pid $w) ignored SIGTERM for ${t}s: SIGKILL"
                kill -KILL -- "-$w" 2>/dev/null || kill -KILL "$w" ${child:+"$child"} 2>/dev/null
                for ((i = 0; i < 20; i++)); do
                    _vipd_pid_alive "$w" || _vipd_pid_alive "$child" || break
                    sleep 0.05
                done
                break
            fi
            sleep 0.05
        done
    fi
    if [[ ! -f "$VIPD_TEST_DIR/$name/exit_status" ]]; then
        wait "$w" 2>/dev/null || rc=$?
        # 127: not our child (started from a subshell), status unknown
        ((rc == 127)) || printf '%s\n' "$rc" >"$VIPD_TEST_DIR/$name/exit_status"
    fi
    return 0
}

# daemon_exit_status NAME: exit status of a stopped daemon (124: killed by the lifetime cap,
# 137: SIGKILLed; a daemon that exits on SIGTERM with status 0 gives 0).
daemon_exit_status() {
    [[ -f "$VIPD_TEST_DIR/$1/exit_status" ]] || fail "daemon_exit_status: '$1' not stopped (or status unknown)"
    cat "$VIPD_TEST_DIR/$1/exit_status"
}

# _vipd_fail_daemon NAME MSG: fail with MSG plus the tail of the daemon's log.
_vipd_fail_daemon() {
    local f="$VIPD_TEST_DIR/$1/output.log" tailtxt=""
    [[ -s $f ]] && tailtxt=$'\n'"$(tail -n 15 "$f")"
    fail "$1: $2$tailtxt"
}

# ------------------------------------------------------------------------------------------------
# Embedded parsers (python3 stdlib). Mode and arguments on the command line, data on stdin.

_VIPD_PY_COMMON=$(
    cat <<'PY'
import ipaddress, json, re, sys

def norm_prefix(p):
    try:
        return str(ipaddress.ip_network(p, strict=False))
    except ValueError:
        return p

TABLE_KEYS = ("origin", "as_path", "med", "local_pref", "next_hop", "community", "ext_community",
              "large_community")

def table_line(r):
    """One route as "PREFIX origin=igp as_path=65001,65001 med=42 ...": every key of TABLE_KEYS,
    "-" when the attribute is absent, lists joined by commas (the form bird_expect_table and
    gobgp_expect_table compare)."""
    a = r["attrs"]
    vals = [(k, ",".join(str(a[k]).split()) if a.get(k) not in (None, "") else "-") for k in TABLE_KEYS]
    return r["prefix"] + " " + " ".join(f"{k}={v}" for k, v in vals)

def emit(routes, mode, args):
    """routes: list of dicts with 'prefix' and normalised 'attrs'."""
    if mode == "json":
        json.dump(routes, sys.stdout, indent=1)
        print()
    elif mode == "prefixes":
        seen = []
        for r in routes:
            if r["prefix"] not in seen:
                seen.append(r["prefix"])
        print("\n".join(seen)) if seen else None
    elif mode == "count":
        print(len(routes))
    elif mode == "table":
        print("\n".join(sorted(table_line(r) for r in routes)))
    elif mode in ("has", "attr"):
        want = norm_prefix(args[0])
        hits = [r for r in routes if r["prefix"] == want]
        if not hits:
            sys.exit(1)
        if mode == "attr":
            v = hits[0]["attrs"].get(args[1])
            if v is None:
                sys.exit(2)
            print(v)
    else:
        sys.exit("unknown mode " + mode)
PY
)

_VIPD_PY_BIRD=$(
    cat <<'PY'
# Parse `birdc show route all ...` text.
ROUTE = re.compile(r"^(?P<kind>.*?)\s*\[(?P<proto>\S+)\s+(?P<since>[^\]]*?)(?:\s+from\s+(?P<from>\S+))?\]"
                   r"\s*(?P<primary>\*)?\s*(?:\((?P<pref>[^)]*)\))?\s*(?:\[(?P<info>[^\]]*)\])?")

def pairs(text, n):
    """BIRD's "(a,b) (c, d, e)" -> ["a:b", "c:d:e"]."""
    out = []
    for m in re.finditer(r"\(([^)]*)\)", text):
        parts = [p.strip() for p in m.group(1).split(",")]
        out.append(":".join(parts))
    return " ".join(out)

NORMAL = {
    "BGP.origin": ("origin", lambda v: v.lower()),
    "BGP.as_path": ("as_path", lambda v: " ".join(v.split())),
    "BGP.next_hop": ("next_hop", lambda v: " ".join(v.split())),
    "BGP.med": ("med", str),
    "BGP.local_pref": ("local_pref", str),
    "BGP.community": ("community", lambda v: pairs(v, 2)),
    "BGP.large_community": ("large_community", lambda v: pairs(v, 3)),
    "BGP.ext_community": ("ext_community", lambda v: pairs(v, 3)),
}

routes, table, prefix, cur = [], None, None, None
for raw in sys.stdin:
    line = raw.rstrip("\n")
    if not line.strip() or re.match(r"^BIRD .* ready\.$", line):
        continue
    m = re.match(r"^Table (\S+):$", line)
    if m:
        table = m.group(1)
        continue
    if line.startswith("\t") and cur is not None:
        body = line.strip()
        if ":" in body and not re.match(r"^(via|dev|blackhole|unreachable|prohibit)\b", body):
            k, _, v = body.partition(":")
            k, v = k.strip(), v.strip()
            cur["attrs"][k] = v
            if k in NORMAL:
                name, f = NORMAL[k]
                cur["attrs"][name] = f(v)
        else:
            cur.setdefault("nexthops", []).append(body)
        continue
    if line[0] in " \t":
        rest = line.strip()          # another route for the same prefix
    else:
        first, _, rest = line.partition(" ")
        prefix = norm_prefix(first)
        rest = rest.strip()
    m = ROUTE.match(rest)
    cur = {"table": table, "prefix": prefix, "attrs": {}}
    if m:
        cur.update(kind=m.group("kind"), proto=m.group("proto"), since=m.group("since"),
                   primary=bool(m.group("primary")), info=m.group("info") or "")
        if m.group("from"):
            cur["from"] = m.group("from")
    else:
        cur["kind"] = rest
    routes.append(cur)

emit(routes, sys.argv[1], sys.argv[2:])
PY
)

_VIPD_PY_GOBGP=$(
    cat <<'PY'
# Parse `gobgp ... -j` RIB JSON: {"PREFIX": [path, ...], ...} or a list of destinations.
ORIGIN = {0: "igp", 1: "egp", 2: "incomplete"}
EXT_SUBTYPE = {2: "rt", 3: "ro"}  # RFC 4360 route target / route origin, BIRD's names

def comm(c):
    return f"{c >> 16}:{c & 0xffff}"

def norm(attrs):
    out, nh = {}, []
    for a in attrs:
        t = a.get("type")
        if t == 1:
            out["origin"] = ORIGIN.get(a.get("value", 0), str(a.get("value")))
        elif t == 2:
            segs = []
            for s in a.get("as_paths", []):
                asns = " ".join(str(x) for x in s.get("asns", []))
                segs.append("{" + asns + "}" if s.get("segment_type") in (1, 4) else asns)
            out["as_path"] = " ".join(x for x in segs if x)
        elif t == 3:
            nh.append(a.get("nexthop"))
        elif t == 4:
            out["med"] = str(a.get("metric", 0))
        elif t == 5:
            out["local_pref"] = str(a.get("value", 0))
        elif t == 8:
            out["community"] = " ".join(comm(c) for c in a.get("communities", []))
        elif t == 16:
            out["ext_community"] = " ".join(
                f"{EXT_SUBTYPE.get(v.get('subtype'), v.get('subtype'))}:{v.get('value')}"
                for v in a.get("value", []))
        elif t == 32:
            out["large_community"] = " ".join(
                f"{v.get('ASN', 0)}:{v.get('LocalData1', 0)}:{v.get('LocalData2', 0)}" for v in a.get("value", []))
        elif t == 14:
            if a.get("nexthop"):
                nh.append(a["nexthop"])
            if a.get("linklocal_nexthop"):
                nh.append(a["linklocal_nexthop"])
    if nh:
        out["next_hop"] = " ".join(nh)
    out["raw"] = attrs
    return out

text = sys.stdin.read().strip()
data = json.loads(text) if text else {}
items = data.items() if isinstance(data, dict) else ((d.get("prefix"), d.get("paths", [])) for d in data)
routes = []
for pfx, paths in items:
    for p in paths or []:
        prefix = norm_prefix((p.get("nlri") or {}).get("prefix") or pfx)
        r = {"prefix": prefix, "attrs": norm(p.get("attrs", [])), "best": p.get("best", False)}
        if "id" in (p.get("nlri") or {}):
            r["path_id"] = p["nlri"]["id"]
        routes.append(r)
emit(routes, sys.argv[1], sys.argv[2:])
PY
)

_vipd_py() { # _vipd_py PARSER MODE ARGS... < data
    local parser=$1
    shift
    "$VIPD_PY" -c "$_VIPD_PY_COMMON"$'\n'"$parser" "$@"
}

# ------------------------------------------------------------------------------------------------
# BIRD 2 (router side)
#
# Notes (BIRD 2.0.12): `listen bgp` is gone (BIRD 1 only): the listening address and port are the
# per-protocol `local ADDR port P`, and `strict bind on` keeps the listener on ADDR instead of the
# wildcard address. BIRD refuses loopback neighbors in `direct` mode ("Invalid remote address",
# also with `interface "lo"`), hence `multihop` (2 by default). No kernel protocol: nothing is
# installed in the FIB; imported routes resolve against empty tables and show as unreachable.

# bird_conf_global --router-id ID: log to stderr, ISO timestamps with ms, device protocol.
bird_conf_global() {
    local rid=""
    while (($#)); do
        case $1 in
        --router-id) rid=$2; shift 2 ;;
        *) fail "bird_conf_global: unknown option '$1'" ;;
        esac
    done
    [[ -n $rid ]] || fail "bird_conf_global: --router-id is required"
    cat <<EOF
# generated by tests/integration/lib.sh: bird_conf_global
log stderr all;
router id $rid;
timeformat base iso long ms;
timeformat log iso long ms;
timeformat protocol iso long ms;
timeformat route iso long ms;
protocol device { scan time 60; }
EOF
}

# bird_conf_bgp PROTO OPTIONS...: one `protocol bgp` block (router side of a session).
#   --local ADDR          our address (bind, source and, with strict bind, listen address)  [required]
#   --local-port P        our listening port (default: free_port ADDR)
#   --local-as N          [required]
#   --neighbor ADDR       the peer's address                                                [required]
#   --neighbor-port P     the peer's port, where we connect to when --active
#   --peer-as N           [required]
#   --passive (default) | --active    wait for the peer / connect to it (connect delay 0, retry 1 s)
#   --password PW         TCP MD5 signature (RFC 2385)
#   --no-ipv4 | --no-ipv6 channels (both on by default)
#   --multihop N          TTL (default 2; `direct` does not work on loopback)
#   --hold S | --keepalive S | --connect-retry S (1) | --error-wait "MIN, MAX" ("1, 2")
#   --import SPEC         channel import (default all); e.g. none, "filter f", "where ..."
#   --export SPEC         channel export (default none)
#   --next-hop6 ADDR      ipv6 channel `next hop address` (default ::1 on IPv4 sessions). Over ::1
#                         both ends share the address and BIRD refuses to export a next hop equal
#                         to the neighbor address: set another one (e.g. 2001:db8::3) there.
#   --extended-next-hop   ipv4 channel `extended next hop on` (RFC 8950)
#   --add-paths rx|tx|on  ADD-PATH on both channels
#   --graceful-restart on|off|aware
#   --disabled            start the protocol disabled (`birdc enable PROTO` later)
#   --ipv4-extra TEXT | --ipv6-extra TEXT | --extra TEXT   raw lines for a channel / the protocol
bird_conf_bgp() {
    local proto=${1:?bird_conf_bgp PROTO OPTIONS...}
    shift
    local local_addr="" local_port="" local_as="" nbr="" nbr_port="" peer_as="" mode=passive pw=""
    local v4=1 v6=1 multihop=2 hold="" keepalive="" retry=1 errwait="1, 2" import=all export=none
    local nh6="" ext_nh=0 addpaths="" gr="" disabled=0 x4="" x6="" extra=""
    while (($#)); do
        case $1 in
        --local) local_addr=$2; shift 2 ;;
        --local-port) local_port=$2; shift 2 ;;
        --local-as) local_as=$2; shift 2 ;;
        --neighbor) nbr=$2; shift 2 ;;
        --neighbor-port) nbr_port=$2; shift 2 ;;
        --peer-as) peer_as=$2; shift 2 ;;
        --passive) mode=passive; shift ;;
        --active) mode=active; shift ;;
        --password) pw=$2; shift 2 ;;
        --no-ipv4) v4=0; shift ;;
        --no-ipv6) v6=0; shift ;;
        --multihop) multihop=$2; shift 2 ;;
        --hold) hold=$2; shift 2 ;;
        --keepalive) keepalive=$2; shift 2 ;;
        --connect-retry) retry=$2; shift 2 ;;
        --error-wait) errwait=$2; shift 2 ;;
        --import) import=$2; shift 2 ;;
        --export) export=$2; shift 2 ;;
        --next-hop6) nh6=$2; shift 2 ;;
        --extended-next-hop) ext_nh=1; shift ;;
        --add-paths) addpaths=$2; shift 2 ;;
        --graceful-restart) gr=$2; shift 2 ;;
        --disabled) disabled=1; shift ;;
        --ipv4-extra) x4=$2; shift 2 ;;
        --ipv6-extra) x6=$2; shift 2 ;;
        --extra) extra=$2; shift 2 ;;
        *) fail "bird_conf_bgp $proto: unknown option '$1'" ;;
        esac
    done
    [[ -n $local_addr && -n $local_as && -n $nbr && -n $peer_as ]] ||
        fail "bird_conf_bgp $proto: --local, --local-as, --neighbor and --peer-as are required"
    assert_loopback "$local_addr" "$nbr"
    [[ $mode == passive || -n $nbr_port ]] || fail "bird_conf_bgp $proto: --active needs --neighbor-port"
    [[ -n $local_port ]] || local_port=$(free_port "$local_addr")
    ((v4 || v6)) || fail "bird_conf_bgp $proto: no channel left"

    printf '# generated by tests/integration/lib.sh: bird_conf_bgp (%s, router side)\n' "$mode"
    printf 'protocol bgp %s {\n' "$proto"
    ((disabled)) && printf '  disabled yes;\n'
    printf '  local %s port %s as %s;\n' "$local_addr" "$local_port" "$local_as"
    printf '  neighbor %s%s as %s;\n' "$nbr" "${nbr_port:+ port $nbr_port}" "$peer_as"
    printf '  strict bind on;     # listen on %s only, never on the wildcard address\n' "$local_addr"
    printf '  multihop %s;         # BIRD refuses loopback peers as directly connected\n' "$multihop"
    if [[ $mode == passive ]]; then
        printf '  passive on;\n'
    else
        printf '  connect delay time 0;\n'
    fi
    printf '  connect retry time %s;\n  error wait time %s;\n' "$retry" "$errwait"
    [[ -n $hold ]] && printf '  hold time %s;\n' "$hold"
    [[ -n $keepalive ]] && printf '  keepalive time %s;\n' "$keepalive"
    [[ -n $pw ]] && printf '  password "%s";\n' "$pw"
    [[ -n $gr ]] && printf '  graceful restart %s;\n' "$gr"
    [[ -n $extra ]] && printf '  %s\n' "$extra"
    if ((v4)); then
        printf '  ipv4 {\n    import %s;\n    export %s;\n' "$import" "$export"
        ((ext_nh)) && printf '    extended next hop on;\n'
        [[ -n $addpaths ]] && printf '    add paths %s;\n' "$addpaths"
        [[ -n $x4 ]] && printf '    %s\n' "$x4"
        printf '  };\n'
    fi
    if ((v6)); then
        printf '  ipv6 {\n    import %s;\n    export %s;\n' "$import" "$export"
        if [[ -n $nh6 ]]; then
            printf '    next hop address %s;\n' "$nh6"
        elif [[ $local_addr != *:* ]]; then
            # An IPv4 session has no IPv6 source address to use as next hop; without this BIRD
            # warns "Missing next hop address" (and cannot export IPv6 routes).
            printf '    next hop address ::1;\n'
        fi
        [[ -n $addpaths ]] && printf '    add paths %s;\n' "$addpaths"
        [[ -n $x6 ]] && printf '    %s\n' "$x6"
        printf '  };\n'
    fi
    printf '}\n'
}

# bird_conf_static PROTO --ipv4|--ipv6 [--disabled] PREFIX...: blackhole static routes (to export).
bird_conf_static() {
    local proto=${1:?bird_conf_static PROTO --ipv4|--ipv6 PREFIX...} fam="" disabled=0 p
    shift
    while (($#)); do
        case $1 in
        --ipv4 | --ipv6) fam=${1#--}; shift ;;
        --disabled) disabled=1; shift ;;
        -*) fail "bird_conf_static $proto: unknown option '$1'" ;;
        *) break ;;
        esac
    done
    [[ -n $fam ]] || fail "bird_conf_static $proto: --ipv4 or --ipv6 is required"
    printf 'protocol static %s {\n  %s;\n' "$proto" "$fam"
    ((disabled)) && printf '  disabled yes;\n'
    for p in "$@"; do printf '  route %s blackhole;\n' "$p"; done
    printf '}\n'
}

_vipd_bird_sock() { printf '%s\n' "$VIPD_TEST_DIR/$1/bird.ctl"; }

# _vipd_bird_check_conf FILE: every `local`/`neighbor` address literal must be loopback.
_vipd_bird_check_conf() {
    local a
    while read -r a; do
        assert_loopback "${a%%%*}"
    done < <(sed -nE 's/^[[:space:]]*(local|neighbor)[[:space:]]+([0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.%a-z]*).*/\2/p' "$1")
}

# start_bird NAME CONFIG_TEXT: check the config (bird -p), start `bird -f` with its own control
# socket, wait until birdc answers. Files: $VIPD_TEST_DIR/NAME/{bird.conf,bird.ctl,output.log}.
start_bird() {
    local name=${1:?start_bird NAME CONFIG_TEXT} conf=${2:?start_bird: CONFIG_TEXT missing} dir sock err
    require_cmd bird birdc
    dir=$(daemon_dir "$name")
    sock=$(_vipd_bird_sock "$name")
    ((${#sock} < 100)) || fail "start_bird $name: socket path too long for AF_UNIX: $sock (set TMPDIR shorter)"
    printf '%s\n' "$conf" >"$dir/bird.conf"
    _vipd_bird_check_conf "$dir/bird.conf"
    err=$(bird -p -c "$dir/bird.conf" 2>&1) || fail "start_bird $name: BIRD rejects the config: $err (see $dir/bird.conf)"
    start_daemon "$name" bird -f -c "$dir/bird.conf" -s "$sock" -P "$dir/bird.pid"
    wait_until "$VIPD_START_WAIT_S" birdc -s "$sock" show status ||
        _vipd_fail_daemon "$name" "bird did not answer on $sock within ${VIPD_START_WAIT_S}s"
}

# netns_new NS: a network namespace of the test's own (root only: skips otherwise), with lo up;
# deleted at exit. Nothing of the machine's own network is touched.
netns_new() {
    [ "$(id -u)" = 0 ] || skip "needs root for a network namespace"
    command -v ip >/dev/null || skip "no ip command (iproute2)"
    ip netns add "$1" || skip "cannot create a network namespace here"
    on_exit ip netns delete "$1"
    ip -n "$1" link set lo up
}

# netns_pair NSA ADDRA NSB ADDRB: two network namespaces of the test's own (netns_new) joined by
# a veth pair, ADDRA/24 on NSA's end and ADDRB/24 on NSB's (both up). Deleted at exit with them.
netns_pair() {
    local nsa=$1 a=$2 nsb=$3 b=$4 ifa="va$$" ifb="vb$$"
    netns_new "$nsa"
    netns_new "$nsb"
    ip link add "$ifa" netns "$nsa" type veth peer name "$ifb" netns "$nsb"
    ip -n "$nsa" addr add "$a/24" dev "$ifa"
    ip -n "$nsb" addr add "$b/24" dev "$ifb"
    ip -n "$nsa" link set "$ifa" up
    ip -n "$nsb" link set "$ifb" up
}

# start_bird_netns NS NAME CONFIG_TEXT: start_bird with BIRD inside the test's own network
# namespace NS (netns_new), for what loopback cannot show (single-hop BFD needs TTL 255 over an
# interface). Its addresses are the namespace's own (veth pairs between the test's namespaces),
# so start_bird's loopback check does not apply; nothing of the machine's network is reachable.
start_bird_netns() {
    local ns=${1:?start_bird_netns NS NAME CONFIG_TEXT} name=${2:?} conf=${3:?} dir sock err
    require_cmd bird birdc
    [[ -e /run/netns/$ns ]] || fail "start_bird_netns: no network namespace '$ns' (netns_new first)"
    dir=$(daemon_dir "$name")
    sock=$(_vipd_bird_sock "$name")
    ((${#sock} < 100)) || fail "start_bird_netns $name: socket path too long for AF_UNIX: $sock"
    printf '%s\n' "$conf" >"$dir/bird.conf"
    err=$(bird -p -c "$dir/bird.conf" 2>&1) || fail "start_bird_netns $name: BIRD rejects the config: $err"
    start_daemon "$name" ip netns exec "$ns" bird -f -c "$dir/bird.conf" -s "$sock" -P "$dir/bird.pid"
    wait_until "$VIPD_START_WAIT_S" birdc -s "$sock" show status ||
        _vipd_fail_daemon "$name" "bird did not answer on $sock within ${VIPD_START_WAIT_S}s"
}

# start_bird_router NAME RTR PORT ME [HOLD]: the router most vipd tests peer with: BIRD on RTR:PORT
# (AS 65000) with protocol `vipd`, an IPv4 eBGP session to vipd at ME (AS 65001), hold HOLD (90).
start_bird_router() {
    local name=$1 rtr=$2 port=$3 me=$4 hold=${5:-90}
    start_bird "$name" "$(bird_conf_global --router-id "$rtr")
$(bird_conf_bgp vipd --local "$rtr" --local-port "$port" --local-as 65000 --neighbor "$me" \
        --peer-as 65001 --no-ipv6 --hold "$hold")"
}

# vipd_conf_global ME GRACE [MEMBERS]: the "global" member of a test's vipd.json: router-id ME,
# AS 65001, state and control socket in $VIPD_TEST_DIR, startup-grace GRACE, then MEMBERS
# (more JSON members, comma-led).
vipd_conf_global() {
    printf '"global": { "router-id": "%s", "local-as": 65001, "state-dir": "%s",
              "control-socket": { "path": "%s" }, "startup-grace": "%s"%s }' \
        "$1" "$VIPD_TEST_DIR/state" "$VIPD_TEST_DIR/vipd.sock" "$2" "${3:-}"
}

# bird_reconfigure NAME CONFIG_TEXT: replace the config and `birdc configure` (fails if refused).
bird_reconfigure() {
    local name=$1 dir out
    dir="$VIPD_TEST_DIR/$name"
    printf '%s\n' "$2" >"$dir/bird.conf.new"
    _vipd_bird_check_conf "$dir/bird.conf.new"
    out=$(bird -p -c "$dir/bird.conf.new" 2>&1) || fail "bird_reconfigure $name: BIRD rejects the config: $out"
    mv "$dir/bird.conf.new" "$dir/bird.conf"
    out=$(bird_cli "$name" configure) || fail "bird_reconfigure $name: $out"
    [[ $out == *"Reconfigured"* || $out == *"Reconfiguration in progress"* ]] ||
        fail "bird_reconfigure $name: unexpected reply: $out"
}

# bird_cli NAME ARGS...: birdc on NAME's socket, without the "BIRD x ready." banner. Exit status is
# birdc's (non-zero on BIRD errors such as "Network not found" or a syntax error).
bird_cli() {
    local name=${1:?bird_cli NAME ARGS...} out rc=0
    shift
    out=$(birdc -s "$(_vipd_bird_sock "$name")" "$@" 2>&1) || rc=$?
    out=${out#BIRD * ready.}
    printf '%s\n' "${out#$'\n'}"
    return "$rc"
}

# _vipd_bird_proto_line NAME PROTO: "name proto table state since... info..." of show protocols.
_vipd_bird_proto_line() {
    local out
    out=$(bird_cli "$1" show protocols "$2") || return 1
    awk -v p="$2" '$1 == p { print; f = 1 } END { exit !f }' <<<"$out"
}

# bird_proto_state NAME PROTO: "STATE INFO", e.g. "up Established", "start Active", "down".
bird_proto_state() {
    local l
    l=$(_vipd_bird_proto_line "$1" "$2") || return 1
    awk '{ s = $4; i = ""; for (k = 7; k <= NF; k++) i = i (i == "" ? "" : " ") $k; print s (i == "" ? "" : " " i) }' <<<"$l"
}

# bird_bgp_state NAME PROTO: BGP state (Idle, Connect, Active, OpenSent, OpenConfirm, Established,
# Down, ...) from `show protocols all`.
bird_bgp_state() {
    local out
    out=$(bird_cli "$1" show protocols all "$2") || return 1
    awk -F': *' '/^ *BGP state:/ { print $2; f = 1; exit } END { exit !f }' <<<"$out"
}

# bird_last_error NAME PROTO: the "Last error" line of the protocol (empty if none).
bird_last_error() {
    local out
    out=$(bird_cli "$1" show protocols all "$2") || return 1
    awk -F': *' '/^ *Last error:/ { sub(/^ *Last error: */, ""); print; exit }' <<<"$out"
}

# bird_proto_since NAME PROTO: time of the last state change ("YYYY-MM-DD HH:MM:SS.mmm").
bird_proto_since() {
    local l
    l=$(_vipd_bird_proto_line "$1" "$2") || return 1
    awk '{ print $5 " " $6 }' <<<"$l"
}

# bird_assert_same_session NAME PROTO SINCE MSG: PROTO's last state change is still SINCE (from
# bird_proto_since): the session was not reset. BIRD keeps the change on its monotonic clock and
# converts it to wall time at each `show protocols`, so the same change can print 1 ms apart
# (seen: .600 then .601); a new session comes at least a connect-retry later. Within 20 ms is
# the same change.
bird_assert_same_session() {
    local now
    now=$(bird_proto_since "$1" "$2") || fail "$4: cannot read $1's protocol $2"
    "$VIPD_PY" -c '
import datetime, sys
t = [datetime.datetime.strptime(x, "%Y-%m-%d %H:%M:%S.%f").timestamp() for x in sys.argv[1:]]
sys.exit(0 if abs(t[0] - t[1]) <= 0.020 else 1)' "$3" "$now" 2>/dev/null ||
        fail "$4: expected '$3', got '$now'"
}

# bird_proto_uptime NAME PROTO: seconds (3 decimals) since the last state change; for an
# Established protocol this is the session uptime.
bird_proto_uptime() {
    local since
    since=$(bird_proto_since "$1" "$2") || return 1
    "$VIPD_PY" -c '
import datetime, sys, time
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%d %H:%M:%S.%f").timestamp()
print(f"{time.time() - t:.3f}")' "$since" 2>/dev/null ||
        fail "bird_proto_uptime: cannot parse '$since' (the config needs: timeformat protocol iso long ms)"
}

bird_is_established() { [[ "$(bird_bgp_state "$1" "$2" 2>/dev/null)" == Established ]]; }

_vipd_bird_state_is() { [[ "$(bird_bgp_state "$1" "$2" 2>/dev/null)" == "$3" ]]; }

# bird_wait_state NAME PROTO BGP_STATE [TIMEOUT_S]
bird_wait_state() {
    local name=$1 proto=$2 want=$3 t=${4:-$VIPD_WAIT_S}
    wait_until "$t" _vipd_bird_state_is "$name" "$proto" "$want" ||
        _vipd_fail_daemon "$name" "protocol $proto not $want within ${t}s: state '$(bird_proto_state "$name" "$proto")', last error '$(bird_last_error "$name" "$proto")'"
}

# bird_wait_established NAME PROTO [TIMEOUT_S]
bird_wait_established() { bird_wait_state "$1" "$2" Established "${3:-$VIPD_WAIT_S}"; }

# bird_route_count NAME PROTO [ipv4|ipv6]: routes imported by PROTO on that channel (default ipv4).
bird_route_count() {
    local out
    out=$(bird_cli "$1" show protocols all "$2") || return 1
    awk -v c="${3:-ipv4}" '/^ *Channel /{ ch = $2 } /^ *Routes:/{ if (ch == c) { print $2; f = 1 } } END { if (!f) print 0 }' <<<"$out"
}

# bird_routes_json NAME [ARGS...]: `show route all ARGS` parsed: JSON list of routes with table,
# prefix, kind, proto, since, from, primary, nexthops, attrs (raw BIRD names + normalised names).
bird_routes_json() {
    local name=$1 out
    shift
    out=$(bird_cli "$name" show route all "$@") || out=""
    _vipd_py "$_VIPD_PY_BIRD" json <<<"$out"
}

# _vipd_bird_show NAME PROTO [PREFIX|ipv4|ipv6]: `show route all` text limited to PROTO.
_vipd_bird_show() {
    local name=$1 proto=$2 what=${3:-} args=()
    case $what in
    "") ;;
    ipv4) args=(table master4) ;;
    ipv6) args=(table master6) ;;
    *) args=("$what") ;;
    esac
    bird_cli "$name" show route all "${args[@]}" protocol "$proto" 2>/dev/null || true
}

# bird_routes NAME PROTO [ipv4|ipv6]: prefixes imported from PROTO, one per line (default: every
# table, i.e. master4 and master6).
bird_routes() {
    local out
    out=$(_vipd_bird_show "$1" "$2" "${3:-}")
    _vipd_py "$_VIPD_PY_BIRD" prefixes <<<"$out"
}

# bird_has_route NAME PROTO PREFIX: PROTO has a route for exactly PREFIX.
bird_has_route() {
    local out
    out=$(_vipd_bird_show "$1" "$2" "$3")
    _vipd_py "$_VIPD_PY_BIRD" has "$3" <<<"$out" >/dev/null 2>&1
}

# bird_route_attr NAME PROTO PREFIX ATTR: print ATTR of the (first) route; status 1 if there is no
# such route, 2 if the route lacks ATTR.
bird_route_attr() {
    local out
    out=$(_vipd_bird_show "$1" "$2" "$3")
    _vipd_py "$_VIPD_PY_BIRD" attr "$3" "$4" <<<"$out"
}

bird_wait_route() { # NAME PROTO PREFIX [TIMEOUT_S]
    local t=${4:-$VIPD_WAIT_S}
    wait_until "$t" bird_has_route "$1" "$2" "$3" ||
        fail "$1: no route $3 from $2 within ${t}s (BGP state '$(bird_bgp_state "$1" "$2")'; routes: $(bird_routes "$1" "$2" | tr '\n' ' '))"
}

# _vipd_bird_lacks NAME PROTO PREFIX [any]: BIRD answered and PROTO has no route for PREFIX, and
# (unless "any") PROTO is Established: a withdrawal, not a session gone or a router that cannot
# be asked (birdc exits 1 for "Network not found" too, so the answer's text decides).
_vipd_bird_lacks() {
    local out rc=0
    out=$(bird_cli "$1" show route all "$3" protocol "$2" 2>&1) || rc=$?
    if ((rc != 0)); then
        [[ $out == *"Network not found"* ]] || return 1
    elif _vipd_py "$_VIPD_PY_BIRD" has "$3" <<<"$out" >/dev/null 2>&1; then
        return 1
    fi
    [[ ${4:-} == any ]] || bird_is_established "$1" "$2"
}

# _vipd_bird_why_present NAME PROTO PREFIX: why a wait for the route's absence failed.
_vipd_bird_why_present() {
    local out
    if ! out=$(bird_cli "$1" show route all "$3" protocol "$2" 2>&1) && [[ $out != *"Network not found"* ]]; then
        echo "BIRD cannot be asked: $out"
    elif [[ $out == *"Network not found"* ]]; then
        echo "the route is gone but $2 is not Established (state '$(bird_bgp_state "$1" "$2" 2>/dev/null)')"
    else
        echo "the route is still present"
    fi
}

# bird_wait_no_route NAME PROTO PREFIX [TIMEOUT_S]: the route is withdrawn while the session stays
# Established (fails when BIRD cannot be asked or the session went down).
bird_wait_no_route() {
    local t=${4:-$VIPD_WAIT_S}
    wait_until "$t" _vipd_bird_lacks "$1" "$2" "$3" ||
        fail "$1: route $3 from $2 not withdrawn within ${t}s: $(_vipd_bird_why_present "$1" "$2" "$3")"
}

# bird_wait_route_gone NAME PROTO PREFIX [TIMEOUT_S]: the route is gone, the session may be down
# too (vipd stopped); BIRD must answer.
bird_wait_route_gone() {
    local t=${4:-$VIPD_WAIT_S}
    wait_until "$t" _vipd_bird_lacks "$1" "$2" "$3" any ||
        fail "$1: route $3 from $2 still there after ${t}s: $(_vipd_bird_why_present "$1" "$2" "$3")"
}

# bird_table NAME PROTO: every route imported from PROTO (master4 and master6), one sorted line
# each in the normalised form compared by bird_expect_table (table_line in _VIPD_PY_COMMON:
# "PREFIX origin=igp as_path=65001,65001 med=42 local_pref=- next_hop=192.0.2.1
# community=65001:100 ext_community=rt:65001:7 large_community=65001:1:1"; lists comma-joined,
# "-" when absent). Status 1 when BIRD cannot be asked.
bird_table() {
    local out
    out=$(bird_cli "$1" show route all protocol "$2" 2>&1) || return 1
    _vipd_py "$_VIPD_PY_BIRD" table <<<"$out"
}

# bird_expect_table NAME PROTO EXPECTED [TIMEOUT_S]: wait (default 10 s) until PROTO is
# Established and bird_table is exactly EXPECTED (routes in any order, one per line; a line
# starting with key=value continues the route above; spacing free): nothing missing, nothing
# extra, every attribute equal. Fails showing the difference.
bird_expect_table() {
    _vipd_expect_table "$1/$2" "${4:-10}" "$3" bird_is_established "$1" "$2" -- bird_table "$1" "$2"
}

# ------------------------------------------------------------------------------------------------
# GoBGP (gobgpd + gobgp CLI)
#
# Notes (GoBGP 3.10): an active neighbor's first connect waits a random 5-10 s, so make gobgpd
# passive when the other side can connect. After a session reset gobgpd stays Idle (refusing
# connections) for idle-hold-time-after-reset (default 30 s); the generator sets 1 s. gobgpd's
# defaults listen on every address (BGP :179, gRPC :50051, pprof localhost:6060): start_gobgpd
# always passes --api-hosts on loopback and --pprof-disable, and the generator always sets
# local-address-list.

# gobgp_conf_global --as N --router-id ID --listen ADDR [--listen ADDR2...] [--port P]:
# [global.config] in TOML (port default: free_port on the first ADDR; --port -1: do not listen).
gobgp_conf_global() {
    local as="" rid="" port="" addrs=() list="" a
    while (($#)); do
        case $1 in
        --as) as=$2; shift 2 ;;
        --router-id) rid=$2; shift 2 ;;
        --listen) addrs+=("$2"); shift 2 ;;
        --port) port=$2; shift 2 ;;
        *) fail "gobgp_conf_global: unknown option '$1'" ;;
        esac
    done
    [[ -n $as && -n $rid && ${#addrs[@]} -gt 0 ]] || fail "gobgp_conf_global: --as, --router-id and --listen are required"
    assert_loopback "${addrs[@]}"
    [[ -n $port ]] || port=$(free_port "${addrs[0]}")
    for a in "${addrs[@]}"; do list+="${list:+, }\"$a\""; done
    cat <<EOF
# generated by tests/integration/lib.sh: gobgp_conf_global
[global.config]
  as = $as
  router-id = "$rid"
  port = $port
  local-address-list = [$list]
EOF
}

# gobgp_conf_neighbor OPTIONS...: one [[neighbors]] entry.
#   --neighbor ADDR [required] | --peer-as N [required] | --local ADDR (source/bind address)
#   --neighbor-port P     the peer's port (remote-port) when we connect
#   --passive             wait for the peer (recommended, see notes above)
#   --password PW         TCP MD5 signature (auth-password)
#   --no-ipv4 | --no-ipv6 afi-safis ipv4-unicast / ipv6-unicast (both on by default)
#   --hold S (90) | --keepalive S (30) | --connect-retry S (1) | --idle-hold S (1)
#   --multihop TTL        ebgp-multihop
#   --add-paths-receive | --add-paths-send-max N
#   --local-as N          per-neighbor local AS
#   --graceful-restart    graceful restart (RFC 4724) for the session and both families; GoBGP sends
#                         End-of-RIB markers only when graceful restart is negotiated
gobgp_conf_neighbor() {
    local nbr="" peer_as="" local_addr="" nport="" passive=false pw="" v4=1 v6=1 hold=90 ka=30 retry=1
    local idle=1 multihop="" ap_rx=false ap_tx=0 local_as="" fam gr=0
    while (($#)); do
        case $1 in
        --neighbor) nbr=$2; shift 2 ;;
        --peer-as) peer_as=$2; shift 2 ;;
        --local) local_addr=$2; shift 2 ;;
        --neighbor-port) nport=$2; shift 2 ;;
        --passive) passive=true; shift ;;
        --password) pw=$2; shift 2 ;;
        --no-ipv4) v4=0; shift ;;
        --no-ipv6) v6=0; shift ;;
        --hold) hold=$2; shift 2 ;;
        --keepalive) ka=$2; shift 2 ;;
        --connect-retry) retry=$2; shift 2 ;;
        --idle-hold) idle=$2; shift 2 ;;
        --multihop) multihop=$2; shift 2 ;;
        --add-paths-receive) ap_rx=true; shift ;;
        --add-paths-send-max) ap_tx=$2; shift 2 ;;
        --local-as) local_as=$2; shift 2 ;;
        --graceful-restart) gr=1; shift ;;
        *) fail "gobgp_conf_neighbor: unknown option '$1'" ;;
        esac
    done
    [[ -n $nbr && -n $peer_as ]] || fail "gobgp_conf_neighbor: --neighbor and --peer-as are required"
    assert_loopback "$nbr" ${local_addr:+"$local_addr"}
    cat <<EOF

[[neighbors]]
  [neighbors.config]
    neighbor-address = "$nbr"
    peer-as = $peer_as
EOF
    [[ -n $local_as ]] && printf '    local-as = %s\n' "$local_as"
    [[ -n $pw ]] && printf '    auth-password = "%s"\n' "$pw"
    cat <<EOF
  [neighbors.timers.config]
    connect-retry = $retry
    hold-time = $hold
    keepalive-interval = $ka
    idle-hold-time-after-reset = $idle
    minimum-advertisement-interval = 0
  [neighbors.transport.config]
    passive-mode = $passive
EOF
    [[ -n $local_addr ]] && printf '    local-address = "%s"\n' "$local_addr"
    [[ -n $nport ]] && printf '    remote-port = %s\n' "$nport"
    if [[ -n $multihop ]]; then
        printf '  [neighbors.ebgp-multihop.config]\n    enabled = true\n    multihop-ttl = %s\n' "$multihop"
    fi
    if ((gr)); then
        printf '  [neighbors.graceful-restart.config]\n    enabled = true\n    restart-time = 120\n'
    fi
    for fam in ipv4 ipv6; do
        [[ $fam == ipv4 ]] && ((!v4)) && continue
        [[ $fam == ipv6 ]] && ((!v6)) && continue
        printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s-unicast"\n' "$fam"
        if ((gr)); then
            printf '    [neighbors.afi-safis.mp-graceful-restart.config]\n      enabled = true\n'
        fi
        if [[ $ap_rx == true ]] || ((ap_tx > 0)); then
            printf '    [neighbors.afi-safis.add-paths.config]\n      receive = %s\n      send-max = %s\n' "$ap_rx" "$ap_tx"
        fi
    done
}

# _vipd_gobgp_check_conf FILE: neighbor/local addresses must be loopback.
_vipd_gobgp_check_conf() {
    local a
    while read -r a; do
        assert_loopback "$a"
    done < <(grep -E '^[[:space:]]*(neighbor-address|local-address|local-address-list)[[:space:]]*=' "$1" |
        grep -oE '"[^"]*"' | tr -d '"')
}

# start_gobgpd NAME CONFIG_TEXT [--api ADDR:PORT]: dry-run check, start gobgpd (TOML) with its gRPC
# API on ADDR:PORT (default 127.0.0.1:free_port), wait until the API answers.
start_gobgpd() {
    local name=${1:?start_gobgpd NAME CONFIG_TEXT [--api ADDR:PORT]} conf=${2:?start_gobgpd: CONFIG_TEXT missing}
    local api="" dir err host port
    shift 2
    while (($#)); do
        case $1 in
        --api) api=$2; shift 2 ;;
        *) fail "start_gobgpd $name: unknown option '$1'" ;;
        esac
    done
    require_cmd gobgpd gobgp
    dir=$(daemon_dir "$name")
    [[ -n $api ]] || api="127.0.0.1:$(free_port 127.0.0.1)"
    host=${api%:*}
    port=${api##*:}
    assert_loopback "$host"
    printf '%s\n' "$conf" >"$dir/gobgpd.toml"
    _vipd_gobgp_check_conf "$dir/gobgpd.toml"
    err=$(gobgpd -d -t toml -f "$dir/gobgpd.toml" 2>&1) ||
        fail "start_gobgpd $name: gobgpd rejects the config: $err (see $dir/gobgpd.toml)"
    printf '%s %s\n' "${host#[}" "$port" | tr -d ']' >"$dir/api"
    start_daemon "$name" gobgpd -f "$dir/gobgpd.toml" -t toml --api-hosts "$api" --pprof-disable \
        -p -l "$VIPD_GOBGP_LOG_LEVEL"
    wait_until "$VIPD_START_WAIT_S" gobgp_cli "$name" global ||
        _vipd_fail_daemon "$name" "gobgpd API $api did not answer within ${VIPD_START_WAIT_S}s"
}

# gobgp_reconfigure NAME CONFIG_TEXT: rewrite the config and SIGHUP gobgpd (neighbors are added,
# removed or updated; global settings are not reloaded by gobgpd).
gobgp_reconfigure() {
    local name=$1 dir err
    dir="$VIPD_TEST_DIR/$name"
    printf '%s\n' "$2" >"$dir/gobgpd.toml.new"
    _vipd_gobgp_check_conf "$dir/gobgpd.toml.new"
    err=$(gobgpd -d -t toml -f "$dir/gobgpd.toml.new" 2>&1) || fail "gobgp_reconfigure $name: rejected: $err"
    mv "$dir/gobgpd.toml.new" "$dir/gobgpd.toml"
    kill -HUP "$(daemon_pid "$name")" || fail "gobgp_reconfigure $name: cannot signal gobgpd"
}

# gobgp_cli NAME ARGS...: the gobgp CLI pointed at NAME's API.
gobgp_cli() {
    local name=${1:?gobgp_cli NAME ARGS...} host port
    shift
    read -r host port <"$VIPD_TEST_DIR/$name/api" || fail "gobgp_cli: no gobgpd '$name'"
    gobgp -u "$host" -p "$port" "$@"
}

# gobgp_neighbor_state NAME ADDR: idle, connect, active, opensent, openconfirm, established
# (unknown if gobgpd does not report one).
gobgp_neighbor_state() {
    local js
    js=$(gobgp_cli "$1" neighbor "$2" -j 2>/dev/null) || return 1
    "$VIPD_PY" -c '
import json, sys
names = {0: "unknown", 1: "idle", 2: "connect", 3: "active", 4: "opensent", 5: "openconfirm", 6: "established"}
s = (json.loads(sys.stdin.read()).get("state") or {}).get("session_state", 0)
print(names.get(s, str(s).lower()) if isinstance(s, int) else str(s).lower())' <<<"$js"
}

gobgp_is_established() { [[ "$(gobgp_neighbor_state "$1" "$2" 2>/dev/null)" == established ]]; }

# gobgp_wait_established NAME ADDR [TIMEOUT_S]
gobgp_wait_established() {
    local t=${3:-$VIPD_WAIT_S}
    wait_until "$t" gobgp_is_established "$1" "$2" ||
        _vipd_fail_daemon "$1" "neighbor $2 not established within ${t}s (state '$(gobgp_neighbor_state "$1" "$2")')"
}

# gobgp_neighbor_uptime NAME ADDR: seconds since the session came up (fails if not established).
gobgp_neighbor_uptime() {
    local js
    gobgp_is_established "$1" "$2" || { echo "gobgp_neighbor_uptime: $2 is not established" >&2; return 1; }
    js=$(gobgp_cli "$1" neighbor "$2" -j) || return 1
    "$VIPD_PY" -c '
import json, sys, time
up = json.loads(sys.stdin.read())["timers"]["state"]["uptime"]["seconds"]
print(f"{time.time() - int(up):.3f}")' <<<"$js"
}

# gobgp_adj_in_json NAME ADDR ipv4|ipv6 [PREFIX]: raw `gobgp neighbor ADDR adj-in [PREFIX] -a FAM
# -j`; with PREFIX only that exact prefix's paths (gobgpd looks it up: with 100,000 routes the
# whole table costs gobgp's CLI and the parser about 13 s, one prefix 0.06 s).
gobgp_adj_in_json() {
    gobgp_cli "$1" neighbor "$2" adj-in ${4:+"$4"} -a "${3:?gobgp_adj_in_json NAME ADDR ipv4|ipv6}" -j
}

_vipd_gobgp_adj_in() { gobgp_adj_in_json "$@" 2>/dev/null || true; }

# gobgp_routes NAME ADDR FAM: prefixes received from ADDR (adj-rib-in, before import policy).
gobgp_routes() { _vipd_gobgp_adj_in "$1" "$2" "$3" | _vipd_py "$_VIPD_PY_GOBGP" prefixes; }

# gobgp_routes_json NAME ADDR FAM: adj-rib-in parsed (prefix, path_id, attrs normalised + raw).
gobgp_routes_json() { _vipd_gobgp_adj_in "$1" "$2" "$3" | _vipd_py "$_VIPD_PY_GOBGP" json; }

gobgp_has_route() { # NAME ADDR FAM PREFIX
    _vipd_gobgp_adj_in "$1" "$2" "$3" "$4" | _vipd_py "$_VIPD_PY_GOBGP" has "$4" >/dev/null 2>&1
}

# gobgp_route_attr NAME ADDR FAM PREFIX ATTR: status 1 if no such route, 2 if it lacks ATTR.
gobgp_route_attr() {
    _vipd_gobgp_adj_in "$1" "$2" "$3" "$4" | _vipd_py "$_VIPD_PY_GOBGP" attr "$4" "$5"
}

gobgp_wait_route() { # NAME ADDR FAM PREFIX [TIMEOUT_S]
    local t=${5:-$VIPD_WAIT_S}
    wait_until "$t" gobgp_has_route "$1" "$2" "$3" "$4" ||
        fail "$1: no $3 route $4 from $2 within ${t}s (state '$(gobgp_neighbor_state "$1" "$2")'; routes: $(gobgp_routes "$1" "$2" "$3" | tr '\n' ' '))"
}

# _vipd_gobgp_lacks NAME ADDR FAM PREFIX: gobgp answered, ADDR is established and sent no PREFIX.
_vipd_gobgp_lacks() {
    local js
    gobgp_is_established "$1" "$2" || return 1
    js=$(gobgp_adj_in_json "$1" "$2" "$3" 2>/dev/null) || return 1
    ! _vipd_py "$_VIPD_PY_GOBGP" has "$4" <<<"$js" >/dev/null 2>&1
}

# gobgp_wait_no_route NAME ADDR FAM PREFIX [TIMEOUT_S]: withdrawn while the session stays
# established (fails when gobgp cannot be asked or the session went down).
gobgp_wait_no_route() {
    local t=${5:-$VIPD_WAIT_S}
    wait_until "$t" _vipd_gobgp_lacks "$1" "$2" "$3" "$4" ||
        fail "$1: $3 route $4 from $2 not withdrawn within ${t}s (state '$(gobgp_neighbor_state "$1" "$2" 2>/dev/null)'; routes: $(gobgp_routes "$1" "$2" "$3" | tr '\n' ' '))"
}

# gobgp_table NAME ADDR: the routes received from ADDR (adj-rib-in, IPv4 and IPv6) in
# bird_table's normalised form. Status 1 when gobgp cannot be asked.
gobgp_table() {
    local v4 v6
    v4=$(gobgp_adj_in_json "$1" "$2" ipv4 2>&1) && v6=$(gobgp_adj_in_json "$1" "$2" ipv6 2>&1) || return 1
    { _vipd_py "$_VIPD_PY_GOBGP" table <<<"$v4" && _vipd_py "$_VIPD_PY_GOBGP" table <<<"$v6"; } |
        sed '/^$/d' | sort
}

# gobgp_expect_table NAME ADDR EXPECTED [TIMEOUT_S]: as bird_expect_table, for gobgpd.
gobgp_expect_table() {
    _vipd_expect_table "$1/$2" "${4:-10}" "$3" gobgp_is_established "$1" "$2" -- gobgp_table "$1" "$2"
}

# _vipd_expect_table WHAT TIMEOUT EXPECTED ESTABLISHED_CMD... -- TABLE_CMD...
_vipd_expect_table() {
    local what=$1 t=$2 want got="" i
    # A line whose first word is key=value continues the route above; spacing is free.
    want=$(awk '$1 ~ /=/ { r = r " " $0; next } NF { if (r != "") print r; r = $0 }
                END { if (r != "") print r }' <<<"$3" | awk '{ $1 = $1; print }' | sort)
    shift 3
    for ((i = 1; i <= $#; i++)); do [[ ${!i} == -- ]] && break; done
    local up=("${@:1:i-1}") table=("${@:i+1}")
    _vipd_table_is() { "${up[@]}" && got=$("${table[@]}") && [[ $got == "$want" ]]; }
    wait_until "$t" _vipd_table_is && return 0
    got=$("${table[@]}" 2>&1) || got="(cannot be asked: $got)"
    "${up[@]}" || got="(session not Established) $got"
    fail "$what: table not as expected after ${t}s:
$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed -n 's/^</  expected:/p; s/^>/  actual:  /p')"
}

# ------------------------------------------------------------------------------------------------
# Self-check: `bash tests/integration/lib.sh --self-check` runs every helper against the real
# daemons (two BIRDs, BIRD <-> gobgpd with TCP MD5, a BIRD session over ::1); about 20 s.

_vipd_ended() { ! daemon_alive "$1"; }

_vipd_self_check() {
    set -euo pipefail
    require_cmd bird birdc gobgpd gobgp "$VIPD_PY"
    local r1=127.0.0.2 r2=127.0.0.3 g=127.0.0.4 bad=127.0.0.5 v

    log "guards"
    for v in 127.0.0.9 ::1 '[::1]' 127.255.255.254; do
        is_loopback_addr "$v" || fail "is_loopback_addr rejects $v"
    done
    for v in 10.0.0.1 127.0.0.256 ::2 0.0.0.0 localhost 127.1; do
        ! is_loopback_addr "$v" || fail "is_loopback_addr accepts $v"
    done
    local p1 p2
    p1=$(free_port "$r1")
    p2=$(free_port "$r1")
    assert_ne "$p1" "$p2" "free_port hands out a port twice"
    ! wait_until 0.3 false || fail "wait_until false succeeded"
    wait_until 1 true || fail "wait_until true failed"

    log "end-of-test check of exit statuses and sanitizer reports"
    start_daemon bad bash -c 'echo "==1==ERROR: AddressSanitizer: heap-use-after-free"; exit 3'
    wait_until 5 _vipd_ended bad || fail "bad did not end"
    stop_daemon bad
    ! _vipd_check_stopped bad 2>/dev/null || fail "exit status 3 and an ASan report passed"
    expect_exit bad 3
    : >"$(daemon_dir bad)/output.log"
    _vipd_check_stopped bad || fail "expect_exit bad 3 did not accept status 3"
    start_daemon ubsan bash -c 'echo "x.cpp:1:2: runtime error: signed integer overflow"'
    wait_until 5 _vipd_ended ubsan || fail "ubsan did not end"
    stop_daemon ubsan
    ! _vipd_check_stopped ubsan 2>/dev/null || fail "a UBSan report passed"
    : >"$(daemon_dir ubsan)/output.log"

    log "BIRD <-> BIRD over IPv4 (r1 passive router side, r2 active speaker side)"
    local r1_port r2_port r1_v6 r2_v6
    r1_port=$(free_port "$r1")
    r2_port=$(free_port "$r2")
    r1_v6=$(free_port ::1)
    r2_v6=$(free_port ::1)
    start_bird r1 "$(bird_conf_global --router-id "$r1")
$(bird_conf_bgp spk --local "$r1" --local-port "$r1_port" --local-as 65000 --neighbor "$r2" --peer-as 65001)
$(bird_conf_bgp spk6 --local ::1 --local-port "$r1_v6" --local-as 65000 --neighbor ::1 --peer-as 65001 --no-ipv4)"
    local r2_conf
    r2_conf="$(bird_conf_global --router-id "$r2")
filter vip_out {
  bgp_med = 20;
  bgp_origin = ORIGIN_EGP;
  bgp_path.prepend(65001); bgp_path.prepend(65001);
  bgp_community.add((65001,100)); bgp_community.add((65535,65281));
  bgp_large_community.add((65001,1,2)); bgp_large_community.add((4200000001,5,6));
  bgp_ext_community.add((rt,65001,7)); bgp_ext_community.add((ro,65001,8));
  accept;
}
$(bird_conf_static vip4 --ipv4 10.255.0.1/32 10.255.0.2/32)
$(bird_conf_static vip6 --ipv6 2001:db8:ff::1/128)
$(bird_conf_bgp rtr --local "$r2" --local-port "$r2_port" --local-as 65001 --neighbor "$r1" \
        --neighbor-port "$r1_port" --peer-as 65000 --active --export 'filter vip_out' --next-hop6 2001:db8::3)
$(bird_conf_bgp rtr6 --local ::1 --local-port "$r2_v6" --local-as 65001 --neighbor ::1 \
        --neighbor-port "$r1_v6" --peer-as 65000 --active --no-ipv4 --export all --next-hop6 2001:db8::3)"
    start_bird r2 "$r2_conf"
    bird_wait_established r1 spk 15
    bird_wait_established r2 rtr 5
    bird_wait_route r1 spk 10.255.0.1/32 10
    bird_wait_route r1 spk 2001:db8:ff::1/128 10
    assert_eq "10.255.0.1/32 10.255.0.2/32 2001:db8:ff::1/128" "$(bird_routes r1 spk | sort | paste -sd" ")" "bird_routes"
    assert_eq "2" "$(bird_route_count r1 spk ipv4)" "bird_route_count ipv4"
    assert_eq "1" "$(bird_route_count r1 spk ipv6)" "bird_route_count ipv6"
    assert_eq 20 "$(bird_route_attr r1 spk 10.255.0.1/32 med)" "med"
    assert_eq egp "$(bird_route_attr r1 spk 10.255.0.1/32 origin)" "origin"
    assert_eq "65001 65001 65001" "$(bird_route_attr r1 spk 10.255.0.1/32 as_path)" "as_path"
    assert_eq "65001:100 65535:65281" "$(bird_route_attr r1 spk 10.255.0.1/32 community)" "community"
    assert_eq "65001:1:2 4200000001:5:6" "$(bird_route_attr r1 spk 10.255.0.1/32 large_community)" "large_community"
    assert_eq "$r2" "$(bird_route_attr r1 spk 10.255.0.1/32 next_hop)" "next_hop v4"
    assert_eq "2001:db8::3" "$(bird_route_attr r1 spk 2001:DB8:FF::1/128 next_hop)" "next_hop v6"
    assert_eq "(65001,100) (65535,65281)" "$(bird_route_attr r1 spk 10.255.0.1/32 BGP.community)" "raw attr"
    v=0
    bird_route_attr r1 spk 10.255.0.1/32 BGP.originator_id >/dev/null || v=$?
    assert_eq 2 "$v" "missing attribute status"
    v=0
    bird_route_attr r1 spk 10.9.9.9/32 med >/dev/null || v=$?
    assert_eq 1 "$v" "missing route status"
    assert_eq "up Established" "$(bird_proto_state r1 spk)" "bird_proto_state"
    assert_match "$(bird_proto_since r1 spk)" '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3}$' "bird_proto_since"
    v=$(bird_proto_uptime r1 spk)
    assert_match "$v" '^[0-9]+\.[0-9]{3}$' "bird_proto_uptime"
    [[ $(bird_routes_json r1 2001:db8:ff::1/128) == *'"BGP.as_path": "65001"'* ]] || fail "bird_routes_json"
    local attrs="origin=egp as_path=65001,65001,65001 med=20 local_pref=100"
    local comms="community=65001:100,65535:65281 ext_community=rt:65001:7,ro:65001:8 large_community=65001:1:2,4200000001:5:6"
    bird_expect_table r1 spk "
        10.255.0.1/32 $attrs next_hop=$r2 $comms
        10.255.0.2/32 $attrs next_hop=$r2 $comms
        2001:db8:ff::1/128 $attrs next_hop=2001:db8::3 $comms" 5
    log "IPv6 transport over ::1"
    bird_wait_established r1 spk6 15
    bird_wait_route r1 spk6 2001:db8:ff::1/128 10
    assert_eq "2001:db8::3" "$(bird_route_attr r1 spk6 2001:db8:ff::1/128 next_hop)" "next_hop over ::1"
    log "withdrawal"
    bird_cli r2 disable vip4 >/dev/null
    bird_wait_no_route r1 spk 10.255.0.1/32 10
    bird_has_route r1 spk 2001:db8:ff::1/128 || fail "IPv6 route gone with the IPv4 one"

    log "gobgpd (passive, MD5 towards r1) <-> BIRD"
    local gconf
    gconf="$(gobgp_conf_global --as 65002 --router-id "$g" --listen "$g")
$(gobgp_conf_neighbor --neighbor "$r1" --peer-as 65000 --local "$g" --passive --password 's3cret')
$(gobgp_conf_neighbor --neighbor "$r2" --peer-as 65001 --local "$g" --passive)
$(gobgp_conf_neighbor --neighbor "$bad" --peer-as 65000 --local "$g" --passive --password 'right')"
    start_gobgpd g1 "$gconf"
    local gport
    gport=$(awk '/^  port =/ { print $3 }' "$(daemon_dir g1)/gobgpd.toml")
    bird_reconfigure r1 "$(cat "$(daemon_dir r1)/bird.conf")
$(bird_conf_bgp gob --local "$r1" --local-port "$r1_port" --local-as 65000 --neighbor "$g" --neighbor-port "$gport" \
        --peer-as 65002 --active --password 's3cret')"
    bird_reconfigure r2 "$r2_conf
$(bird_conf_bgp gob --local "$r2" --local-port "$r2_port" --local-as 65001 --neighbor "$g" --neighbor-port "$gport" \
        --peer-as 65002 --active --export 'filter vip_out' --next-hop6 2001:db8::3 \
        --ipv4-extra 'next hop address 192.0.2.3;  # gobgpd drops loopback next hops')"
    gobgp_wait_established g1 "$r1" 15
    bird_wait_established r1 gob 5
    gobgp_cli g1 global rib -a ipv4 add 10.0.1.0/24 nexthop "$g" origin igp aspath 4200000001 med 7 \
        community 65002:1 large-community 65002:3:4 >/dev/null
    gobgp_cli g1 global rib -a ipv6 add 2001:db8:1::/48 nexthop 2001:db8::4 med 8 >/dev/null
    bird_wait_route r1 gob 10.0.1.0/24 10
    bird_wait_route r1 gob 2001:db8:1::/48 10
    assert_eq "65002 4200000001" "$(bird_route_attr r1 gob 10.0.1.0/24 as_path)" "gobgp as_path"
    assert_eq "igp 7 65002:1 65002:3:4 $g" "$(for a in origin med community large_community next_hop; do
        bird_route_attr r1 gob 10.0.1.0/24 $a; done | tr '\n' ' ' | sed 's/ $//')" "gobgp attrs in BIRD"
    assert_eq "2001:db8::4" "$(bird_route_attr r1 gob 2001:db8:1::/48 next_hop)" "gobgp v6 next hop"
    gobgp_wait_established g1 "$r2" 15
    gobgp_wait_route g1 "$r2" ipv6 2001:db8:ff::1/128 10
    gobgp_wait_route g1 "$r2" ipv4 10.255.0.2/32 10
    # (the reconfiguration enabled vip4 again: its config text does not say "disabled")
    assert_eq "10.255.0.1/32 10.255.0.2/32" "$(gobgp_routes g1 "$r2" ipv4 | sort | paste -sd' ')" "gobgp_routes"
    assert_eq "65001 65001 65001|20|egp|65001:100 65535:65281|65001:1:2 4200000001:5:6|192.0.2.3" \
        "$(for a in as_path med origin community large_community next_hop; do
            gobgp_route_attr g1 "$r2" ipv4 10.255.0.2/32 $a; done | paste -sd'|')" "adj-in attributes"
    assert_eq "2001:db8::3" "$(gobgp_route_attr g1 "$r2" ipv6 2001:db8:ff::1/128 next_hop)" "adj-in v6 next hop"
    gobgp_expect_table g1 "$r2" "
        10.255.0.1/32 ${attrs% local_pref=*} local_pref=- next_hop=192.0.2.3 $comms
        10.255.0.2/32 ${attrs% local_pref=*} local_pref=- next_hop=192.0.2.3 $comms
        2001:db8:ff::1/128 ${attrs% local_pref=*} local_pref=- next_hop=2001:db8::3 $comms" 5
    v=$(gobgp_neighbor_uptime g1 "$r2")
    assert_match "$v" '^[0-9]+\.[0-9]{3}$' "gobgp_neighbor_uptime"
    bird_cli r2 disable vip4 >/dev/null
    gobgp_wait_no_route g1 "$r2" ipv4 10.255.0.1/32 10
    bird_cli r2 enable vip4 >/dev/null
    gobgp_wait_route g1 "$r2" ipv4 10.255.0.1/32 10

    log "MD5 mismatch must keep the session down"
    # Its own BIRD: one BIRD instance runs one protocol per neighbor address and port at a time
    # (object lock); a second one stays "start Idle" while the first holds the lock.
    local r3_conf
    r3_conf="$(bird_conf_global --router-id "$bad")
$(bird_conf_bgp bad --local "$bad" --local-as 65000 --neighbor "$g" --neighbor-port "$gport" \
        --peer-as 65002 --active --password 'wrong')"
    start_bird r3 "$r3_conf"
    _vipd_bird_trying() { [[ "$(bird_bgp_state "$@")" == Connect || "$(bird_bgp_state "$@")" == Active ]]; }
    wait_or_fail 5 "r3 to try to connect" _vipd_bird_trying r3 bad
    ! wait_until 4 bird_is_established r3 bad || fail "session with a wrong MD5 password came up"
    ! gobgp_is_established g1 "$bad" || fail "gobgpd accepted a wrong MD5 password"
    bird_reconfigure r3 "${r3_conf/\"wrong\"/\"right\"}"
    bird_wait_established r3 bad 15  # the same session with the right password: MD5 was the reason
    gobgp_wait_established g1 "$bad" 5

    log "stop by PID"
    local rpid
    rpid=$(daemon_pid r2)
    [[ $(cat "$(daemon_dir r2)/bird.pid") == "$rpid" ]] || fail "daemon_pid r2 is not bird's own pid"
    stop_daemon r2
    ! daemon_alive r2 || fail "r2 still alive"
    ! _vipd_pid_alive "$rpid" || fail "bird (pid $rpid) still alive"
    assert_eq 0 "$(daemon_exit_status r2)" "bird exit status on SIGTERM"
    _vipd_not_established() { ! bird_is_established "$@"; }
    wait_or_fail 10 "r1 to see the session to r2 go down" _vipd_not_established r1 spk
    log "absence waits: a session gone or a router that cannot be asked is no withdrawal"
    ! _vipd_bird_lacks r2 spk 10.255.0.1/32 || fail "a stopped BIRD counted as 'route withdrawn'"
    ! bird_table r2 spk >/dev/null || fail "bird_table answered for a stopped BIRD"
    ! _vipd_bird_lacks r1 spk 2001:db8:ff::1/128 || fail "a session that went down counted as a withdrawal"
    _vipd_bird_lacks r1 spk 2001:db8:ff::1/128 any || fail "route still there with the session down"
    [[ $(_vipd_bird_why_present r2 spk 10.255.0.1/32) == "BIRD cannot be asked"* ]] ||
        fail "the absence wait does not say BIRD cannot be asked"
    log "self-check passed"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    case "${1:-}" in
    --self-check) _vipd_self_check ;;
    *) echo "usage: bash ${BASH_SOURCE[0]} --self-check   (tests source this file)" >&2; exit 2 ;;
    esac
fi
