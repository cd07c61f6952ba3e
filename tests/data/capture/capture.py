#!/usr/bin/env python3
"""Minimal BGP endpoint that records what a real BGP daemon sends (capture only, loopback only).

It connects to the daemon (--connect ADDR:PORT, from --bind ADDR) or waits for it (--listen
ADDR:PORT), sends its own OPEN (4-octet AS, MP IPv4 + IPv6 unicast, route refresh; options below),
answers the daemon's OPEN with a KEEPALIVE, keeps the session up with KEEPALIVEs and records every
message of both directions until the daemon closes the connection or --duration runs out.

Output (--out FILE): JSON lines {"t": seconds since start, "dir": "rx"|"tx", "hex": "..."}; the
first line is {"meta": {...}} with the command line settings. annotate.py turns them into vectors.
Status (--status FILE): one line per event ("established", "rx update ipv4 end-of-rib", "closed")
for the driver script to wait on. SIGUSR1 sends a ROUTE-REFRESH for every family of our OPEN.
"""

import argparse
import ipaddress
import json
import os
import select
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bgpwire  # noqa: E402


def loopback(addr):
    try:
        return ipaddress.ip_address(addr).is_loopback
    except ValueError:
        return False


def host_port(text):
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not loopback(host):
        raise argparse.ArgumentTypeError(f"refusing non-loopback address '{host}'")
    return host, int(port)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--connect", type=host_port, metavar="ADDR:PORT", help="connect to the daemon")
    where.add_argument("--listen", type=host_port, metavar="ADDR:PORT", help="wait for the daemon")
    ap.add_argument("--bind", help="source address when connecting (loopback)")
    ap.add_argument("--as", dest="asn", type=int, required=True, help="our AS number")
    ap.add_argument("--router-id", required=True)
    ap.add_argument("--hold", type=int, default=90, help="hold time in our OPEN (default 90)")
    ap.add_argument("--no-as4", action="store_true", help="no 4-octet AS capability (2-octet AS_PATH + AS4_PATH)")
    ap.add_argument("--add-path", action="store_true", help="ADD-PATH: we receive for IPv4 and IPv6 unicast")
    ap.add_argument("--enhanced-refresh", action="store_true", help="enhanced route refresh capability (RFC 7313)")
    ap.add_argument("--graceful-restart", action="store_true", help="graceful restart capability (no state)")
    ap.add_argument("--no-keepalive", action="store_true",
                    help="confirm the OPEN, then stay silent (the daemon's hold timer expires)")
    ap.add_argument("--duration", type=float, default=20, help="stop after this many seconds (default 20)")
    ap.add_argument("--connect-timeout", type=float, default=10, help="retry the connect this long")
    ap.add_argument("--out", required=True)
    ap.add_argument("--status", required=True)
    args = ap.parse_args()
    if args.bind and not loopback(args.bind):
        ap.error(f"refusing non-loopback --bind '{args.bind}'")
    return args


def _terminate(*_):
    raise KeyboardInterrupt


class Capture:
    def __init__(self, args):
        self.args = args
        self.t0 = time.monotonic()
        self.out = open(args.out, "w")
        self.status = open(args.status, "w")
        self.ctx = bgpwire.Context(four_octet_as=not args.no_as4)
        self.our_open = None
        self.refresh_requested = False
        json.dump({"meta": {k: v for k, v in vars(args).items()}, "wall_clock": time.time()}, self.out)
        self.out.write("\n")

    def now(self):
        return time.monotonic() - self.t0

    def event(self, text):
        self.status.write(f"{self.now():.3f} {text}\n")
        self.status.flush()

    def record(self, direction, msg):
        self.out.write(json.dumps({"t": round(self.now(), 6), "dir": direction, "hex": msg.hex()}) + "\n")
        self.out.flush()

    def connect(self):
        a = self.args
        if a.listen:
            host, port = a.listen
            fam = socket.AF_INET6 if ":" in host else socket.AF_INET
            srv = socket.socket(fam, socket.SOCK_STREAM)
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind((host, port))
            srv.listen(1)
            self.event(f"listening {host} {port}")
            srv.settimeout(max(0.1, a.duration - self.now()))
            while True:
                try:
                    sock, peer = srv.accept()
                except socket.timeout:
                    raise SystemExit(f"capture.py: nobody connected to {host}:{port} within {a.duration}s")
                if loopback(peer[0]):
                    break
                sock.close()  # never talk to anything off the box
            srv.close()
            return sock
        host, port = a.connect
        deadline = self.now() + a.connect_timeout
        while True:
            fam = socket.AF_INET6 if ":" in host else socket.AF_INET
            sock = socket.socket(fam, socket.SOCK_STREAM)
            if a.bind:
                sock.bind((a.bind, 0))
            sock.settimeout(2)
            try:
                sock.connect((host, port))
                return sock
            except OSError as e:
                sock.close()
                if self.now() >= deadline:
                    raise SystemExit(f"capture.py: cannot connect to {host}:{port}: {e}")
                time.sleep(0.2)

    def send(self, sock, msg):
        sock.sendall(msg)
        self.record("tx", msg)

    def run(self):
        a = self.args
        signal.signal(signal.SIGUSR1, lambda *_: setattr(self, "refresh_requested", True))
        signal.signal(signal.SIGTERM, _terminate)
        families = ((1, 1), (2, 1))
        sock = self.connect()
        self.event("connected")
        self.our_open = bgpwire.open_message(
            a.asn, a.hold, a.router_id, families=families, four_octet_as=not a.no_as4,
            enhanced_refresh=a.enhanced_refresh, graceful_restart=a.graceful_restart,
            add_path_receive=families if a.add_path else ())
        self.send(sock, self.our_open)
        buf = b""
        got_open = established = False
        next_keepalive = None
        keepalive_every = max(1.0, a.hold / 3)
        try:
            while self.now() < a.duration:
                if self.refresh_requested and established:
                    self.refresh_requested = False
                    for afi, safi in families:
                        self.send(sock, bgpwire.route_refresh(afi, safi))
                        self.event(f"tx route-refresh {bgpwire.FAMILY[(afi, safi)]}")
                if next_keepalive is not None and self.now() >= next_keepalive:
                    self.send(sock, bgpwire.keepalive())
                    next_keepalive = self.now() + keepalive_every
                ready, _, _ = select.select([sock], [], [], 0.1)
                if not ready:
                    continue
                data = sock.recv(65536)
                if not data:
                    self.event("closed by peer")
                    return
                msgs, buf = bgpwire.split_stream(buf + data)
                for msg in msgs:
                    self.record("rx", msg)
                    if msg[18] == bgpwire.OPEN and not got_open:
                        got_open = True
                        self.ctx = bgpwire.Context.negotiated(self.our_open, msg)
                        self.event("rx open; context " + " ".join(self.ctx.lines()))
                        self.send(sock, bgpwire.keepalive())
                        if not a.no_keepalive:
                            next_keepalive = self.now() + keepalive_every
                        continue
                    self.event("rx " + bgpwire.describe(msg, self.ctx))
                    if msg[18] == bgpwire.KEEPALIVE and got_open and not established:
                        established = True
                        self.event("established")
            self.event("duration over")
        except (ConnectionError, OSError) as e:
            self.event(f"connection error: {e}")
        except KeyboardInterrupt:
            self.event("terminated")
        finally:
            sock.close()
            self.event("closed")


def main():
    cap = Capture(parse_args())
    cap.run()


if __name__ == "__main__":
    main()
