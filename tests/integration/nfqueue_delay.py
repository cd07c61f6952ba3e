#!/usr/bin/env python3
"""nfqueue_delay.py QUEUE DELAY_MS: hold every packet of netfilter queue QUEUE for DELAY_MS, then
accept it (python3 stdlib only: the nfnetlink_queue protocol spoken over an AF_NETLINK socket).

It stands in for `tc qdisc ... netem delay` on kernels built without sch_netem: an iptables rule
`-j NFQUEUE --queue-num QUEUE` in the test's own network namespace sends the packets here (run
this in the same namespace). Without --queue-bypass on the rule, a delayer that is not running
drops the packets: the test fails loudly instead of running without delay. Verdicts are given
out of order by packet id, as the kernel allows. Prints "bound queue Q" once it is ready.
"""
import heapq
import select
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NF_ACCEPT = 1

queue, delay = int(sys.argv[1]), int(sys.argv[2]) / 1000.0
sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
sock.bind((0, 0))
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
seq = 0


def attr(kind, payload):
    size = 4 + len(payload)
    return struct.pack("=HH", size, kind) + payload + b"\0" * (-size % 4)


def send(msg_type, attrs, flags=NLM_F_REQUEST):
    global seq
    seq += 1
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + attrs
    header = struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type, flags, seq, 0)
    sock.send(header + body)


def messages(data):
    off = 0
    while off + 16 <= len(data):
        size, kind, _flags, _seq, _pid = struct.unpack_from("=IHHII", data, off)
        if size < 16:
            break
        yield kind, data[off + 16:off + size]
        off += (size + 3) & ~3


def expect_ack(what):
    for kind, body in messages(sock.recv(65536)):
        if kind == NLMSG_ERROR:
            err = struct.unpack_from("=i", body)[0]
            if err != 0:
                sys.exit(f"nfqueue_delay: {what} failed: errno {-err}")
            return
    sys.exit(f"nfqueue_delay: no answer to {what}")


send(NFQNL_MSG_CONFIG, attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET)),
     NLM_F_REQUEST | NLM_F_ACK)
expect_ack(f"binding queue {queue}")
send(NFQNL_MSG_CONFIG, attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META)), NLM_F_REQUEST | NLM_F_ACK)
expect_ack("setting the copy mode")
print(f"bound queue {queue}, delay {delay * 1000:.0f} ms", flush=True)

due = []  # (time, packet id)
while True:
    timeout = max(0.0, due[0][0] - time.monotonic()) if due else 1.0
    if select.select([sock], [], [], timeout)[0]:
        for kind, body in messages(sock.recv(1 << 20)):
            if kind != (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                continue
            off = 4  # struct nfgenmsg
            while off + 4 <= len(body):
                size, akind = struct.unpack_from("=HH", body, off)
                if size < 4:
                    break
                if akind & 0x7FFF == NFQA_PACKET_HDR:
                    packet_id = struct.unpack_from("!I", body, off + 4)[0]
                    heapq.heappush(due, (time.monotonic() + delay, packet_id))
                off += (size + 3) & ~3
    now = time.monotonic()
    while due and due[0][0] <= now:
        _, packet_id = heapq.heappop(due)
        send(NFQNL_MSG_VERDICT, attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id)))
