#!/usr/bin/env python3
"""Crash -> route gone: the per-round breakdown of bench/crash_to_route.sh, on one clock.

Every time here is the wall clock (CLOCK_REALTIME) of the one machine:
  kill     bash's $EPOCHREALTIME just before `kill -KILL` (rounds.tsv, written by the script)
  exit     when a pidfd on the service became readable, as seen by a waiter process blocked in
           poll(2) on it since before the kill (exit-ROUND.ns): an upper bound of the exit, late
           by the waiter's own wait for a CPU (like vipd's: under load either may run first;
           FTRACE=1 gives the exact split)
  down     vipd's JSON log line of the check going down ("ts", microseconds)
  wire     the UPDATE withdrawing the VIP's prefix, vipd -> BIRD, in a tcpdump capture on lo
           (kernel time stamp of the packet, microseconds)
  removed  BIRD's `debug { routes }` trace of the removal (its log time stamp, milliseconds,
           truncated: this last step reads up to 1 ms short)

With FTRACE=1 the script also leaves ftrace.txt, a kernel trace on the monotonic clock, from
which the process check's steps are read at 1 us: the kill (signal_generate), the killed
process on a CPU (sched_switch) and exiting (sched_process_exit), vipd woken (sched_wakeup), on
a CPU and sending (sendto/sendmsg), BIRD woken, on a CPU and writing its log line (write on fd 2).

    crash_to_route.py DIR PREFIX_PROC PREFIX_HTTP SPEAKER
DIR holds rounds.tsv, exit-*.ns, vipd.log, bird.log, bgp.pcap (and ftrace.txt, ftrace.pids).
SPEAKER is vipd's address (the source of the UPDATEs). Prints markdown tables.
"""
import datetime
import json
import os
import re
import struct
import sys


def rfc3339(ts):
    """vipd's JSON "ts" ("2026-12-07T12:34:56.789012Z") as seconds since the epoch."""
    when = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")
    return when.replace(tzinfo=datetime.timezone.utc).timestamp()


def bird_time(line):
    """BIRD's "2026-12-07 15:07:26.202" (local time, like `date`) as seconds since the epoch."""
    return datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").timestamp()


def vipd_downs(path):
    """[(time, check)] of every check going down in vipd's JSON log."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("{"):
                continue
            j = json.loads(line)
            if j.get("component") == "health" and j.get("to") == "down" and "check" in j:
                out.append((rfc3339(j["ts"]), j["check"]))
    return out


def bird_removals(path):
    """[(time, prefix)] of BIRD's route traces "<proto> > removed ... PREFIX"."""
    out = []
    pattern = re.compile(r" > removed \S* ?(\d+\.\d+\.\d+\.\d+/\d+)")
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = pattern.search(line)
            if m and re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", line):
                out.append((bird_time(line), m.group(1)))
    return out


def ipv4_prefixes(data):
    """The IPv4 prefixes of an NLRI/withdrawn-routes field (RFC 4271 §4.3)."""
    out, i = [], 0
    while i < len(data):
        bits = data[i]
        n = (bits + 7) // 8
        addr = bytes(data[i + 1:i + 1 + n]) + bytes(4 - n)
        out.append("%d.%d.%d.%d/%d" % (*addr, bits))
        i += 1 + n
    return out


def withdrawn(message):
    """Prefixes withdrawn by one BGP UPDATE (the withdrawn routes field, or MP_UNREACH_NLRI for
    IPv4 unicast)."""
    body = message[19:]
    wlen = struct.unpack(">H", body[:2])[0]
    out = ipv4_prefixes(body[2:2 + wlen])
    attrs = body[2 + wlen + 2:2 + wlen + 2 + struct.unpack(">H", body[2 + wlen:4 + wlen])[0]]
    i = 0
    while i + 3 <= len(attrs):
        flags, code = attrs[i], attrs[i + 1]
        if flags & 0x10:
            alen, hdr = struct.unpack(">H", attrs[i + 2:i + 4])[0], 4
        else:
            alen, hdr = attrs[i + 2], 3
        value = attrs[i + hdr:i + hdr + alen]
        if code == 15 and value[:3] == b"\x00\x01\x01":  # RFC 4760 §4, AFI 1 SAFI 1
            out += ipv4_prefixes(value[3:])
        i += hdr + alen
    return out


def pcap_withdrawals(path, speaker):
    """[(time, prefix)] of the prefixes withdrawn in BGP UPDATEs sent by `speaker` (IPv4) in a
    pcap capture. Each TCP segment is read as whole BGP messages (vipd writes whole messages;
    loopback's MTU keeps them in one segment)."""
    out = []
    src = bytes(int(x) for x in speaker.split("."))
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return out
        magic = struct.unpack("<I", head[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
        link = struct.unpack(endian + "I", head[20:24])[0]
        skip = {1: 14, 113: 16, 276: 20, 0: 4}.get(link)
        if skip is None:
            sys.exit(f"{path}: link type {link} not understood")
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            sec, frac, caplen, _ = struct.unpack(endian + "IIII", rec)
            pkt = f.read(caplen)
            t = sec + frac / (1e9 if nano else 1e6)
            ip = pkt[skip:]
            if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6 or ip[12:16] != src:
                continue
            tcp = ip[(ip[0] & 0xF) * 4:struct.unpack(">H", ip[2:4])[0]]
            payload = tcp[(tcp[12] >> 4) * 4:]
            while len(payload) >= 19 and payload[:16] == b"\xff" * 16:
                length = struct.unpack(">H", payload[16:18])[0]
                if payload[18] == 2:  # UPDATE
                    out += [(t, p) for p in withdrawn(payload[:length])]
                payload = payload[length:]
    return out


TRACE_LINE = re.compile(r"^\s*(.+?)-(\d+)\s+(?:\(.*?\)\s+)?\[\d+\]\s+(?:\S+\s+)?([\d.]+):\s+(\S+?):?\s(.*)$")


def ftrace_events(path):
    """[(time, event, current pid, fields dict)] of an ftrace text dump."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = TRACE_LINE.match(line)
            if not m:
                continue
            _, cur, t, event, rest = m.groups()
            if event.startswith("sys_") and "(" in event:  # "sys_sendto(fd: 7, ...)"
                event = event[:event.index("(")]
            fields = dict(re.findall(r"(\w+)=(\S+)", rest))
            out.append((float(t), event, int(cur), fields))
    return out


def ftrace_steps(path, pids_path, killed):
    """Per round (the pids killed under the process check), each actor's phase split into time
    on a CPU and time waiting for one (runnable, preempted or not yet picked), in seconds:
      service  kill -> the dying process wakes vipd (the pidfd notification, in its exit)
      vipd     woken -> sendto/sendmsg of the UPDATE
      loopback that send -> BIRD woken (TCP over lo, softirq)
      BIRD     woken -> the write(2) of its removal trace to its log
    """
    with open(pids_path) as f:
        words = f.read().split()
    vipd, bird = int(words[2].rstrip(",")), int(words[4])
    events = ftrace_events(path)
    names = ["service: exiting, on a CPU", "service: exiting, waiting for a CPU",
             "vipd: on a CPU (pidfd event -> UPDATE sent)", "vipd: waiting for a CPU",
             "loopback: UPDATE sent -> BIRD woken", "BIRD: on a CPU (-> its log line)",
             "BIRD: waiting for a CPU", "kill -> BIRD's log line",
             "sum of the on-CPU steps and loopback"]
    steps = {n: [] for n in names}

    def after(i, test):
        for j in range(i, len(events)):
            if test(events[j]):
                return j
        return None

    def on_cpu(pid, i, j):
        """Time `pid` spent on a CPU between events i and j (not on one at i)."""
        total, since = 0.0, None
        for t, name, _, f in events[i:j + 1]:
            if name != "sched_switch":
                continue
            if f.get("next_pid") == str(pid):
                since = t
            elif f.get("prev_pid") == str(pid) and since is not None:
                total += t - since
                since = None
        return total + (events[j][0] - since if since is not None else 0.0)

    k = 0
    for pid in killed:
        k = after(k, lambda e: e[1] == "signal_generate" and e[3].get("pid") == str(pid))
        if k is None:
            break
        w = after(k, lambda e: e[1] == "sched_wakeup" and e[3].get("pid") == str(vipd) and
                  e[2] == pid)
        sent = w and after(w, lambda e: e[1] in ("sys_sendto", "sys_sendmsg") and e[2] == vipd)
        b = sent and after(sent, lambda e: e[1] == "sched_wakeup" and e[3].get("pid") == str(bird))
        logged = b and after(b, lambda e: e[1] == "sys_write" and e[2] == bird)
        if not logged:
            continue  # vipd was not asleep when the process exited, or the trace lost events
        t = [events[x][0] for x in (k, w, sent, b, logged)]
        service, vipd_cpu, bird_cpu = on_cpu(pid, k, w), on_cpu(vipd, w, sent), on_cpu(bird, b, logged)
        values = [service, t[1] - t[0] - service, vipd_cpu, t[2] - t[1] - vipd_cpu, t[3] - t[2],
                  bird_cpu, t[4] - t[3] - bird_cpu, t[4] - t[0],
                  service + vipd_cpu + (t[3] - t[2]) + bird_cpu]
        for n, v in zip(names, values):
            steps[n].append(v)
    return [(n, steps[n]) for n in names]


def first(events, key, since):
    """The first event time >= since with the key (events sorted by time), or None."""
    for t, k in events:
        if k == key and t >= since:
            return t
    return None


def round_steps(downs, wire, removals, check, prefix, t_kill, t_exit=None):
    """One round of one check: {step: seconds} for the times found (a step with a time missing
    is left out). "down" runs from the exit when it is known, else from the kill."""
    down = first(downs, check, t_kill)
    sent = first(wire, prefix, t_kill)
    gone = first(removals, prefix, int(t_kill * 1000) / 1000)
    out = {}
    if t_exit is not None:
        out["exit"] = t_exit - t_kill
    if down is not None:
        out["down"] = down - (t_kill if t_exit is None else t_exit)
        if sent is not None:
            out["wire"] = sent - down
    if sent is not None and gone is not None:
        out["bird"] = gone - sent
    if gone is not None:
        out["total"] = gone - t_kill
    return out


def percentile(values, q):
    v = sorted(values)
    return v[int((len(v) - 1) * q)]


def table(title, rows):
    print(f"\n{title}")
    print("| step | rounds | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    for name, values in rows:
        if not values:
            print(f"| {name} | 0 | | | |")
            continue
        ms = [v * 1000 for v in values]
        print(f"| {name} | {len(ms)} | {percentile(ms, 0.5):.2f} | {percentile(ms, 0.95):.2f} "
              f"| {max(ms):.2f} |")


def main():
    d, proc_prefix, http_prefix = sys.argv[1:4]
    rounds = []
    with open(f"{d}/rounds.tsv") as f:
        for line in f:
            r, t_proc, t_http, pid = line.split()
            with open(f"{d}/exit-{r}.ns") as e:
                t_exit = int(e.read().split()[0]) / 1e9
            rounds.append((float(t_proc), float(t_http), t_exit, int(pid)))
    downs = sorted(vipd_downs(f"{d}/vipd.log"))
    removals = sorted(bird_removals(f"{d}/bird.log"))
    wire = sorted(pcap_withdrawals(f"{d}/bgp.pcap", sys.argv[4]))
    proc, web = {}, {}
    for t_proc, t_http, t_exit, _ in rounds:
        for name, value in round_steps(downs, wire, removals, "proc", proc_prefix, t_proc,
                                       t_exit).items():
            proc.setdefault(name, []).append(value)
        for name, value in round_steps(downs, wire, removals, "web", http_prefix,
                                       t_http).items():
            web.setdefault(name, []).append(value)
    steps = {"h" + k: v for k, v in web.items()}
    steps.update(proc)
    for k in ("exit", "down", "wire", "bird", "total", "hdown", "hwire", "hbird", "htotal"):
        steps.setdefault(k, [])
    table("Crash -> route gone in BIRD (kill to BIRD's removal trace)", [
        ("process (pidfd)", steps["total"]),
        ("http, interval 1 s, fall 1", steps["htotal"])])
    table("process check, step by step", [
        ("kill -> exit seen by the pidfd waiter", steps["exit"]),
        ("waiter -> vipd's down log (< 0: vipd ran first)", steps["down"]),
        ("vipd's down log -> UPDATE on the wire", steps["wire"]),
        ("UPDATE on the wire -> BIRD's removal (1 ms clock)", steps["bird"]),
        ("kill -> BIRD's removal", steps["total"])])
    table("http check, step by step", [
        ("kill -> vipd's down log", steps["hdown"]),
        ("vipd's down log -> UPDATE on the wire", steps["hwire"]),
        ("UPDATE on the wire -> BIRD's removal (1 ms clock)", steps["hbird"]),
        ("kill -> BIRD's removal", steps["htotal"])])

    if os.path.exists(f"{d}/ftrace.txt"):
        table("process check under ftrace (kernel's monotonic clock, 1 us)",
              ftrace_steps(f"{d}/ftrace.txt", f"{d}/ftrace.pids", [r[3] for r in rounds]))


if __name__ == "__main__":
    main()
