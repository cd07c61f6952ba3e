#!/usr/bin/env python3
"""A long-lived client of vipd's control socket (docs/control-protocol.md).

One connection stays open and requests are JSON lines written to it, so a call costs one
round trip to the daemon and no process start: for programs that announce and withdraw
routes often (sub-millisecond calls), where starting `vipctl` each time would dominate.

    client = VipdClient("/run/vipd/vipd.sock")
    client.call("announce", prefixes=["198.51.100.7/32"], med=50)
    # -> {"ok": True, "results": {"tor1": "written"}, "id": 1}

As a program (for a quick try, and the tests): each argument is one request, as
COMMAND or COMMAND:JSON_ARGS; every reply is printed as one JSON line; the exit status is 1
when a reply has "ok": false.

    vipd_client.py -s /tmp/vipd.sock version 'announce:{"prefixes":["198.51.100.7/32"]}'
"""

import argparse
import itertools
import json
import socket
import sys


class VipdError(Exception):
    """A reply with "ok": false; the text is the daemon's "error"."""


class VipdClient:
    """One control connection. Requests carry an "id", checked against the reply's."""

    def __init__(self, path, timeout=30.0):
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        self._sock.connect(path)
        self._file = self._sock.makefile("rwb")
        self._ids = itertools.count(1)

    def request(self, command, **args):
        """Sends one request and returns the reply object, whatever its "ok"."""
        request_id = next(self._ids)
        line = json.dumps({"command": command, "args": args, "id": request_id})
        self._file.write(line.encode() + b"\n")
        self._file.flush()
        reply_line = self._file.readline()
        if not reply_line:
            raise ConnectionError("vipd closed the control connection")
        reply = json.loads(reply_line)
        if reply.get("id") != request_id:
            raise ConnectionError(f"reply for request {reply.get('id')}, expected {request_id}")
        return reply

    def call(self, command, **args):
        """As request(), but raises VipdError when the daemon refused."""
        reply = self.request(command, **args)
        if not reply.get("ok"):
            raise VipdError(reply.get("error", "refused without saying why"))
        return reply

    def close(self):
        self._file.close()
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main():
    parser = argparse.ArgumentParser(description="Send control requests to vipd.")
    parser.add_argument("-s", "--socket", default="/run/vipd/vipd.sock")
    parser.add_argument("requests", nargs="+", metavar="COMMAND[:JSON_ARGS]")
    opts = parser.parse_args()
    status = 0
    with VipdClient(opts.socket) as client:
        for word in opts.requests:
            command, _, args = word.partition(":")
            reply = client.request(command, **(json.loads(args) if args else {}))
            print(json.dumps(reply, sort_keys=True), flush=True)
            status |= 0 if reply.get("ok") else 1
    return status


if __name__ == "__main__":
    sys.exit(main())
