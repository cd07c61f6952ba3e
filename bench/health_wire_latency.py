#!/usr/bin/env python3
"""Health -> wire latency, end to end (issue: the vipd daemon).

A VIP on an HTTP check of a local service; a BIRD 2 receiver on loopback (the shared bench's
receiver.sh, port 17990, no root needed). The service is flipped between 200 and 503; for each
flip we take the time vipd logged the check transition (JSON log "ts", written when the probe
result that completes the fall/rise count arrives) and the time the receiver's table lost (or
regained) the route, polling BIRD's control socket over one persistent connection every
~0.2 ms. Prints p50/p95/max over N flips (default 100) for withdraw and announce.

    bench/health_wire_latency.py [--flips 100] [--vipd build/release/vipd]
Loopback only; every process started here is stopped by PID at the end.
"""
import argparse
import datetime
import http.server
import json
import os
import queue
import signal
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("SHARED_BENCH", os.path.join(ROOT, "..", "shared", "bench"))
sys.path.insert(0, os.path.join(SHARED, "lib"))
from birdsock import Bird  # noqa: E402  (the shared bench's BIRD control-socket client)


def rfc3339_seconds(ts):
    """vipd's JSON log "ts" ("2026-12-07T12:34:56.789012Z", UTC) as seconds since the epoch."""
    when = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")
    return when.replace(tzinfo=datetime.timezone.utc).timestamp()


VIP = "10.255.0.1/32"
STATE = {"up": True}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        code = 200 if STATE["up"] else 503
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # vipd's HTTP check resets the connection once it has the status it needs (as HAProxy
        # does, so no TIME_WAIT piles up): not an error for this bench.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def percentile(values, p):
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flips", type=int, default=100)
    ap.add_argument("--vipd", default=os.path.join(ROOT, "build", "release", "vipd"))
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="vipd-h2w.")
    print("work dir", work, file=sys.stderr)
    env = dict(os.environ, BENCH_RECV_DIR=os.path.join(work, "receiver"),
               BENCH_PEER_ADDR="127.0.0.1", BENCH_PEER_PORT="17990", BENCH_PEER_AS="65000",
               BENCH_LOCAL_ADDR="127.0.0.2", BENCH_LOCAL_AS="65001")
    os.makedirs(env["BENCH_RECV_DIR"])
    receiver = os.path.join(SHARED, "receiver.sh")
    web = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    web_port = web.server_address[1]

    config = {
        "global": {"router-id": "127.0.0.2", "local-as": 65001, "state-dir": work + "/state",
                   "control-socket": {"path": work + "/vipd.sock"}, "startup-grace": "0s",
                   "log-format": "json", "log-level": "info"},
        "neighbors": [{"name": "receiver", "address": "127.0.0.1", "port": 17990,
                       "local-address": "127.0.0.2", "remote-as": 65000, "families": ["ipv4"],
                       "export": {"next-hop-v4": "127.0.0.2"}}],
        "checks": {"web": {"kind": "http", "url": f"http://127.0.0.1:{web_port}/",
                           "interval": "100ms", "fast-interval": "100ms", "timeout": "500ms",
                           "rise": 1, "fall": 1}},
        "vips": [{"name": "bench", "prefixes": [VIP], "rule": "web", "damping": False}],
    }
    with open(work + "/vipd.json", "w") as f:
        json.dump(config, f)

    vipd = None
    events = queue.Queue()
    try:
        subprocess.run([receiver, "start"], env=env, check=True, stdout=subprocess.DEVNULL)
        vipd = subprocess.Popen([args.vipd, "-c", work + "/vipd.json"], stderr=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, text=True)
        vipd_log = open(work + "/vipd.log", "w")

        def reader():
            for line in vipd.stderr:
                vipd_log.write(line)
                vipd_log.flush()
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                if j.get("component") == "health" and j.get("check") == "web":
                    events.put((j["to"], rfc3339_seconds(j["ts"])))

        threading.Thread(target=reader, daemon=True).start()
        bird = Bird(os.path.join(env["BENCH_RECV_DIR"], "bird.ctl"))

        def count():
            return bird.proto("spk")["routes"]["ipv4"]

        deadline = time.time() + 30
        while count() != 1:
            if vipd.poll() is not None:
                raise SystemExit(f"vipd exited with {vipd.returncode}; see {work}/vipd.log")
            if time.time() > deadline:
                raise SystemExit(f"VIP never reached the receiver; see {work}/vipd.log")
            time.sleep(0.01)

        lat = {"withdraw": [], "announce": []}
        for i in range(args.flips):
            going_up = i % 2 == 1
            STATE["up"] = going_up
            want_state, want_count = ("up", 1) if going_up else ("down", 0)
            while True:
                to, ts = events.get(timeout=10)
                if to == want_state:
                    break
            while count() != want_count:
                if time.time() - ts > 10:
                    raise SystemExit(f"flip {i}: receiver did not follow")
                time.sleep(0.0002)
            seen = time.time()
            lat["announce" if going_up else "withdraw"].append((seen - ts) * 1000.0)
            time.sleep(0.05)

        allv = lat["withdraw"] + lat["announce"]
        print(f"health->wire latency over {args.flips} flips (ms, probe result -> receiver table)")
        print(f"{'':10} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7}")
        for name, v in (("withdraw", lat["withdraw"]), ("announce", lat["announce"]), ("all", allv)):
            print(f"{name:10} {len(v):4d} {statistics.median(v):7.3f} {percentile(v, 95):7.3f} "
                  f"{max(v):7.3f}")
    finally:
        if vipd is not None:
            vipd.send_signal(signal.SIGTERM)
            try:
                vipd.wait(10)
            except subprocess.TimeoutExpired:
                vipd.kill()
        subprocess.run([receiver, "stop"], env=env, stdout=subprocess.DEVNULL)
        web.shutdown()


if __name__ == "__main__":
    main()
