# shellcheck shell=bash
# tests/integration/bfd_lib.sh: what the BFD tests against BIRD share, on top of lib.sh. vipd and
# BIRD run in two network namespaces of the test's own joined by a veth pair (netns_pair; BIRD's
# end is "vb*"), vipd's neighbor is named "rtr" and BIRD's BGP protocol "vipd".
#
#   bfd_bird_conf RTR_ID LOCAL NEIGHBOR FAMILY   BIRD's config: BFD on the veth, BGP with `bfd on`
#   bfd_vipd_conf ROUTER_ID RTR ME FAMILY VIP [BFD_EXTRA]   vipd's config (one neighbor, one VIP)
#   bfd_ctl ARGS...                              vipctl on the test's control socket
#   bfd_nb_field KEY...                          a member of `vipctl --json neighbors rtr`

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# bfd_bird_conf RTR_ID LOCAL NEIGHBOR ipv4|ipv6: BFD on the veth at 100 ms x 3 (debug events:
# "Session to ... expired" tells a timeout from the peer's AdminDown), and a passive BGP
# protocol `vipd` from LOCAL (AS 65000) to vipd at NEIGHBOR (AS 65001) for FAMILY: hold time
# 30 s (only BFD can end it within seconds), error wait 1-2 s, `bfd on`.
bfd_bird_conf() {
    bird_conf_global --router-id "$1"
    cat <<EOF
protocol bfd {
  debug { events };
  interface "vb*" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
}
protocol bgp vipd {
  local $2 as 65000;
  neighbor $3 as 65001;
  passive on;
  hold time 30;
  error wait time 1, 2;
  bfd on;
  $4 { import all; export none; };
}
EOF
}

# bfd_vipd_conf ROUTER_ID RTR ME ipv4|ipv6 VIP [BFD_EXTRA]: vipd.json text: neighbor "rtr" at RTR
# from ME (hold time 30 s, connect retry 1 s, family FAMILY, BFD 100 ms x 3 plus BFD_EXTRA, e.g.
# ', "strict": true'), VIP "web" (always up) with prefix VIP, /metrics on 127.0.0.1:8080.
bfd_vipd_conf() {
    cat <<JSON
{
  // written by $(basename "$0") (bfd_lib.sh)
  $(vipd_conf_global "$1" 1s ', "http-status": "127.0.0.1:8080"'),
  "neighbors": [ { "name": "rtr", "address": "$2", "local-address": "$3", "remote-as": 65000,
                   "families": ["$4"], "hold-time": 30, "connect-retry": "1s",
                   "bfd": { "min-tx": 100, "min-rx": 100, "multiplier": 3 ${6:-} } } ],
  "vips": [ { "name": "web", "prefixes": ["$5"], "rule": "always()" } ]
}
JSON
}

bfd_ctl() { "$VIPD_BINARY_DIR/vipctl" -s "$VIPD_TEST_DIR/vipd.sock" "$@"; }

# bfd_nb_field KEY...: a member of `vipctl --json neighbors rtr` (e.g. "state", "bfd state").
bfd_nb_field() {
    bfd_ctl --json neighbors rtr | "$VIPD_PY" -c '
import json, sys
v = json.load(sys.stdin)["neighbor"]
for k in sys.argv[1:]:
    v = v[k]
print(v)' "$@"
}
