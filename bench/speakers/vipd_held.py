#!/usr/bin/env python3
"""Held control connection to vipd, for the speaker bench's `vipd-held` plugin.

  vipd_held.py SOCKET FIFO [MAX_IDLE_S]

Connects once to vipd's control socket (docs/control-protocol.md: one JSON request per line,
one reply per line) and keeps that connection for its whole life. Reads lines from FIFO:
"announce P..." / "withdraw P..." become one request each on the held connection, and the
reply is read before the next line; "quit" (or MAX_IDLE_S without input, default 3600) ends
it. A reply with "ok": false is written to stderr. If vipd closed the connection (it closes
clients idle for 60 s), the client connects again and resends the request once. What a program that needs sub-millisecond
API calls does instead of starting vipctl per call (cf. the shared bench's gobgp_grpc.py serve).
"""
import json
import os
import select
import socket
import sys
import time


class Control:
    """One held connection to the control socket."""

    def __init__(self, path):
        self.path = path
        self.conn = self.reader = None
        self.connect()

    def connect(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.conn.connect(self.path)
        self.reader = self.conn.makefile("rb")

    def exchange(self, line):
        self.conn.sendall(line)
        reply = self.reader.readline()
        if not reply:
            raise ConnectionError("vipd closed the control connection")
        return reply

    def request(self, op, prefixes, rid):
        line = json.dumps({"command": op, "args": {"prefixes": prefixes}, "id": rid}).encode() + b"\n"
        try:
            reply = self.exchange(line)
        except OSError:
            self.connect()
            reply = self.exchange(line)
        if not json.loads(reply).get("ok"):
            sys.stderr.write("%s %s: %s" % (op, " ".join(prefixes), reply.decode(errors="replace")))


def serve(sock_path, fifo, max_idle):
    ctl = Control(sock_path)
    fd = os.open(fifo, os.O_RDWR)  # O_RDWR: never sees EOF when a writer closes
    buf, rid, last = b"", 0, time.monotonic()
    while time.monotonic() - last < max_idle:
        if not select.select([fd], [], [], 1.0)[0]:
            continue
        buf += os.read(fd, 65536)
        last = time.monotonic()
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            words = line.decode().split()
            if not words:
                continue
            if words[0] == "quit":
                return 0
            if words[0] in ("announce", "withdraw") and len(words) > 1:
                rid += 1
                ctl.request(words[0], words[1:], rid)
            else:
                sys.stderr.write("ignored: %s\n" % line.decode(errors="replace"))
    return 0


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    return serve(argv[1], argv[2], float(argv[3]) if len(argv) == 4 else 3600.0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
