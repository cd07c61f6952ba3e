#!/usr/bin/env bash
# Hooks and `vipctl watch` against a running vipd and a real BIRD (issue 12, "Hooks and an event
# stream"): a hook gets the VIP transition in its environment when the check's listener stops;
# a hook that outlives its timeout is killed with its whole process group; a hook's output is
# capped in the log; `vipctl --json watch` sees the check and VIP transitions and the neighbor
# coming up, and is stopped by PID.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rtr=127.0.0.1 me=127.0.0.10
port=$(free_port "$rtr")
web_port=$(free_port 127.0.0.1)
d=$VIPD_TEST_DIR
mkdir -p "$d/www" "$d/env"
start_daemon web python3 -m http.server "$web_port" --bind 127.0.0.1 --directory "$d/www"
wait_or_fail 10 "web listener" curl -sf -o /dev/null "http://127.0.0.1:$web_port/"

cat >"$d/record.sh" <<'SH'
#!/bin/sh
# Writes the hook's VIPD_ environment to DIR/EVENT.
env | grep '^VIPD_' | sort >"$1/$VIPD_EVENT.tmp" && mv "$1/$VIPD_EVENT.tmp" "$1/$VIPD_EVENT"
SH
chmod +x "$d/record.sh"
cat >"$VIPD_TEST_DIR/vipd.json" <<JSON
{
  $(vipd_conf_global "$me" 1s),
  "neighbors": [ { "name": "rtr", "address": "$rtr", "port": $port, "local-address": "$me",
                   "remote-as": 65000, "families": ["ipv4"], "hold-time": 90, "connect-retry": "1s" } ],
  "checks": { "web": { "kind": "tcp", "address": "127.0.0.1", "port": $web_port,
                       "interval": "100ms", "timeout": "1s", "rise": 1, "fall": 1 } },
  "vips": [ { "name": "web", "prefixes": ["198.51.100.80/32"], "rule": "web", "damping": false } ],
  "hooks": {
    "record": { "command": ["$d/record.sh", "$d/env"], "events": ["announced", "withdrawn"],
                "vips": ["web"], "env": { "HOOK_TOKEN": "s3cret" } },
    "slow": { "command": "echo \$\$ >$d/slow.pid; sleep 30 & echo \$! >$d/slow.child; wait",
              "shell": true, "events": ["neighbor-up"], "timeout": "500ms" },
    "loud": { "command": ["seq", "20000"], "events": ["neighbor-up"],
              "max-output": 100 }
  }
}
JSON
"$VIPD_BINARY_DIR/vipd" --check-config "$d/vipd.json" >/dev/null
assert_contains "$("$VIPD_BINARY_DIR/vipd" --check-config "$d/vipd.json" --print)" \
    '"HOOK_TOKEN": "<redacted>"' "hook env redacted in --print"
ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$d/vipd.sock" "$@"; }
start_daemon vipd "$VIPD_BINARY_DIR/vipd" -c "$d/vipd.json"
vlog=$(daemon_log vipd)

log "the VIP is announced: the record hook ran with its environment"
wait_or_fail 10 "announced hook" test -s "$d/env/announced"
assert_contains "$(cat "$d/env/announced")" "VIPD_STATE=announced" "announced env"

wait_or_fail 10 "control socket" ctl version
start_daemon watch "$VIPD_BINARY_DIR/vipctl" -s "$d/vipd.sock" --json watch
start_daemon watchtext "$VIPD_BINARY_DIR/vipctl" -s "$d/vipd.sock" watch
wlog=$(daemon_log watch) tlog=$(daemon_log watchtext)
wait_or_fail 10 "both watchers subscribed" bash -c "[ \$(grep -c 'event=watching' '$vlog') = 2 ]"

log "BIRD comes up: watch sees the neighbor; the slow hook times out, the loud one is capped"
start_bird_router rtr "$rtr" "$port" "$me"
bird_wait_established rtr vipd 20
wait_or_fail 10 "watch: neighbor up" \
    grep -q '"kind":"neighbor".*"name":"rtr".*"to":"Established"' "$wlog"
wait_or_fail 10 "slow hook killed" grep -q 'hook=slow.*result=timeout' "$vlog"
slow_pid=$(cat "$d/slow.pid") slow_child=$(cat "$d/slow.child")
wait_or_fail 5 "slow hook's process group gone" bash -c "! pgrep -g $slow_pid >/dev/null"
wait_or_fail 5 "slow hook's background child gone" bash -c "! kill -0 $slow_child 2>/dev/null"
assert_contains "$(grep 'hook=slow' "$vlog")" "pid=$slow_pid" "timeout logged with the pid"
wait_or_fail 10 "loud hook logged" grep -q 'hook=loud.*result=ok' "$vlog"
loud=$(grep 'hook=loud' "$vlog")
assert_contains "$loud" "output=\"1\\n2\\n3\\n" "output logged"
assert_contains "$loud" "[108894 bytes in all; the first 100 kept]" "output capped"

log "the listener stops: the check goes down, the VIP is withdrawn, the hook sees it"
rm -f "$d/env/withdrawn"
stop_daemon web
wait_or_fail 10 "withdrawn hook" test -s "$d/env/withdrawn"
env_w=$(cat "$d/env/withdrawn")
for want in VIPD_EVENT=withdrawn VIPD_HOOK=record VIPD_VIP=web VIPD_STATE=withdrawn \
    VIPD_PREVIOUS_STATE=announced VIPD_PREFIXES=198.51.100.80/32 VIPD_COALESCED=0; do
    assert_contains "$env_w" "$want" "withdrawn env"
done
assert_match "$env_w" 'VIPD_REASON=.+' "withdrawn env has a reason"
assert_match "$env_w" 'VIPD_TIME=20[0-9-]+T[0-9:.]+Z' "withdrawn env has a time"
assert_not_cmd "no VIPD_NEIGHBOR for a VIP event" grep -q VIPD_NEIGHBOR "$d/env/withdrawn"
bird_wait_no_route rtr vipd 198.51.100.80/32 10
wait_or_fail 10 "watch: check down" grep -q '"kind":"check".*"name":"web".*"to":"down"' "$wlog"
wait_or_fail 10 "watch: VIP withdrawn" \
    grep -q '"from":"announced","kind":"vip","name":"web",.*"to":"withdrawn"' "$wlog"
wait_or_fail 10 "text watch: VIP withdrawn" grep -q ' vip web ' "$tlog"
assert_match "$(grep ' check web ' "$tlog")" \
    '^20[0-9-]+T[0-9:]+\.[0-9]{3}Z check web up -> down \(.+\)$' "text form of watch"
assert_match "$(grep ' vip web ' "$tlog")" \
    '^20[0-9-]+T[0-9:]+\.[0-9]{3}Z vip web announced -> withdrawn \(.+\)$' "text form of watch"

stop_daemon watch
stop_daemon watchtext
log "PASS"
