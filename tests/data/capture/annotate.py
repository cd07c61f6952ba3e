#!/usr/bin/env python3
"""Turn capture.py recordings into commented hex vectors (tests/data/captured/*.hex).

    annotate.py --source bird2 --daemon "BIRD 2.0.12 (Debian bird2 2.0.12-7)" --out bird2.hex \
        [--session-note TEXT] RECORDING.jsonl...

Every message the daemon sent (direction "rx" of the capture peer) becomes one vector:

    --- bird2 update ipv4 announce 10.0.0.1/32
    # daemon: ...
    # captured: YYYY-MM-DD
    # session: ...
    # context: four-octet-as
    ff ff ... 02  # header: marker, length N, type 2 UPDATE
    00 00         # withdrawn routes length 0
    ...           (one field per line, at most 16 bytes a line, each with a comment)

The decode context comes from the two OPENs of the recording: "four-octet-as" or "two-octet-as",
plus "add-path=ipv4,ipv6" when the daemon sends path identifiers. Identical messages are kept once
(UPDATEs once per context, other messages once per file).
"""

import argparse
import datetime
import ipaddress
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bgpwire as bw  # noqa: E402

WELL_KNOWN_COMMUNITIES = {
    0xFFFFFF01: "NO_EXPORT", 0xFFFFFF02: "NO_ADVERTISE", 0xFFFFFF03: "NO_EXPORT_SUBCONFED",
    0xFFFFFF04: "NOPEER", 0xFFFF029A: "BLACKHOLE", 0xFFFF0000: "GRACEFUL_SHUTDOWN",
}


class Lines:
    """Annotated hex lines: (bytes, comment)."""

    def __init__(self):
        self.rows = []

    def add(self, data, comment, depth=0):
        data = bytes(data)
        prefix = "  " * depth
        for k in range(0, max(len(data), 1), 16):
            chunk = data[k:k + 16]
            if not chunk and k:
                break
            self.rows.append((chunk, prefix + (comment if k == 0 else "(continued)")))

    def items(self, data, size, fmt, depth=0, label=""):
        """Fixed-size items, as many per line as fit in 16 bytes, each line naming its items."""
        per_line = max(1, 16 // size)
        for k in range(0, len(data), size * per_line):
            chunk = data[k:k + size * per_line]
            names = [fmt(chunk[j:j + size]) for j in range(0, len(chunk), size)]
            self.rows.append((bytes(chunk), "  " * depth + label + " ".join(names)))

    def render(self):
        out = []
        for data, comment in self.rows:
            hx = " ".join(f"{b:02x}" for b in data)
            out.append(f"{hx:<47}  # {comment}" if comment else hx)
        return out


def u16(b):
    return struct.unpack("!H", bytes(b))[0]


def u32(b):
    return struct.unpack("!I", bytes(b))[0]


def family_text(afi, safi):
    return f"AFI {afi} {bw.AFI_NAMES.get(afi, '?')}, SAFI {safi} {bw.SAFI_NAMES.get(safi, '?')}"


def flags_text(flags):
    names = [n for bit, n in ((0x80, "optional"), (0x40, "transitive"), (0x20, "partial"),
                              (0x10, "extended length")) if flags & bit]
    return f"flags 0x{flags:02x}" + (f" ({', '.join(names)})" if names else "")


def ip_text(b):
    return str(ipaddress.ip_address(bytes(b)))


# ------------------------------------------------------------------------------------------------

def annotate_capability(L, code, val, depth):
    if code == 1 and len(val) == 4:
        L.add(val, family_text(u16(val[0:2]), val[3]) + " (byte 3 reserved)", depth)
    elif code == 65 and len(val) == 4:
        L.add(val, f"AS {u32(val)}", depth)
    elif code == 64 and len(val) >= 2:
        flags_time = u16(val[0:2])
        L.add(val[0:2], f"restart flags 0x{flags_time >> 12:x}, restart time {flags_time & 0xfff} s", depth)
        for k in range(2, len(val) - 3, 4):
            L.add(val[k:k + 4], family_text(u16(val[k:k + 2]), val[k + 2]) + f", flags 0x{val[k + 3]:02x}", depth)
    elif code == 69:
        modes = {1: "receive", 2: "send", 3: "send+receive"}
        for k in range(0, len(val) - 3, 4):
            L.add(val[k:k + 4], family_text(u16(val[k:k + 2]), val[k + 2]) + f", {modes.get(val[k + 3], val[k + 3])}", depth)
    elif code == 5:
        for k in range(0, len(val) - 5, 6):
            L.add(val[k:k + 6], f"NLRI {family_text(u16(val[k:k + 2]), u16(val[k + 2:k + 4]))}, next hop AFI {u16(val[k + 4:k + 6])}", depth)
    elif code == 71:
        for k in range(0, len(val) - 6, 7):
            L.add(val[k:k + 7], family_text(u16(val[k:k + 2]), val[k + 2]) + f", flags 0x{val[k + 3]:02x}, stale time {int.from_bytes(val[k + 4:k + 7], 'big')} s", depth)
    elif code == 73 and val:
        hl = val[0]
        L.add(val[0:1], f"hostname length {hl}", depth)
        if hl:
            L.add(val[1:1 + hl], f'hostname "{bytes(val[1:1 + hl]).decode(errors="replace")}"', depth)
        rest = val[1 + hl:]
        if rest:
            dl = rest[0]
            L.add(rest[0:1], f"domain name length {dl}", depth)
            if dl:
                L.add(rest[1:1 + dl], f'domain name "{bytes(rest[1:1 + dl]).decode(errors="replace")}"', depth)
    elif val:
        L.add(val, "value", depth)


def annotate_open(L, body):
    L.add(body[0:1], f"version {body[0]}")
    my_as = u16(body[1:3])
    L.add(body[1:3], f"my AS {my_as}" + (" (AS_TRANS)" if my_as == 23456 else ""))
    L.add(body[3:5], f"hold time {u16(body[3:5])} s")
    L.add(body[5:9], f"BGP identifier {ip_text(body[5:9])}")
    opt_len = body[9]
    L.add(body[9:10], f"optional parameters length {opt_len}")
    params = body[10:10 + opt_len]
    i = 0
    while i + 2 <= len(params):
        ptype, plen = params[i], params[i + 1]
        L.add(params[i:i + 2], f"optional parameter type {ptype}" + (" (capabilities)" if ptype == 2 else "") + f", length {plen}")
        val = params[i + 2:i + 2 + plen]
        if ptype == 2:
            j = 0
            while j + 2 <= len(val):
                code, clen = val[j], val[j + 1]
                L.add(val[j:j + 2], f"capability {code} {bw.CAP_NAMES.get(code, 'unknown')}, length {clen}", 1)
                annotate_capability(L, code, val[j + 2:j + 2 + clen], 2)
                j += 2 + clen
        elif val:
            L.add(val, "value", 1)
        i += 2 + plen


def annotate_nlri(L, afi, data, add_path, verb, depth):
    for start, end, path_id, text in bw.iter_prefixes(afi, data, add_path):
        off = start
        if add_path:
            L.add(data[off:off + 4], f"path identifier {path_id}", depth)
            off += 4
        if end - off <= 16:
            L.add(data[off:end], f"{verb} {text} (prefix length {data[off]})", depth)
        else:  # a /121../128 does not fit in one 16-byte line: length, then the address bytes
            L.add(data[off:off + 1], f"{verb} prefix length {data[off]}", depth)
            L.add(data[off + 1:end], f"{verb} {text}", depth)


def annotate_as_path(L, val, asn_size, depth):
    i = 0
    while i + 2 <= len(val):
        stype, count = val[i], val[i + 1]
        L.add(val[i:i + 2], f"segment {bw.SEGMENT_NAMES.get(stype, stype)}, {count} ASN{'' if count == 1 else 's'}", depth)
        asns = val[i + 2:i + 2 + count * asn_size]
        L.items(asns, asn_size, lambda b: str(int.from_bytes(b, "big")), depth + 1, "AS ")
        i += 2 + count * asn_size


def community_text(b):
    v = u32(b)
    return WELL_KNOWN_COMMUNITIES.get(v, f"{v >> 16}:{v & 0xffff}")


def annotate_attr_value(L, atype, val, ctx, depth):
    if atype == 1 and len(val) == 1:
        L.add(val, bw.ORIGIN_NAMES.get(val[0], f"origin {val[0]}"), depth)
    elif atype in (2, 17):
        annotate_as_path(L, val, 4 if (atype == 17 or ctx.four_octet_as) else 2, depth)
    elif atype == 3 and len(val) == 4:
        L.add(val, f"next hop {ip_text(val)}", depth)
    elif atype == 4 and len(val) == 4:
        L.add(val, f"MED {u32(val)}", depth)
    elif atype == 5 and len(val) == 4:
        L.add(val, f"LOCAL_PREF {u32(val)}", depth)
    elif atype in (7, 18) and len(val) in (6, 8):
        n = 4 if (atype == 18 or len(val) == 8) else 2
        L.add(val[:n], f"aggregator AS {int.from_bytes(val[:n], 'big')}", depth)
        L.add(val[n:], f"aggregator address {ip_text(val[n:])}", depth)
    elif atype == 8:
        L.items(val, 4, community_text, depth, "community ")
    elif atype == 32:
        for k in range(0, len(val), 12):
            g, d1, d2 = struct.unpack("!III", val[k:k + 12])
            L.add(val[k:k + 12], f"large community {g}:{d1}:{d2}", depth)
    elif atype == 16:
        for k in range(0, len(val), 8):
            L.add(val[k:k + 8], f"extended community type 0x{val[k]:02x} subtype 0x{val[k + 1]:02x}", depth)
    elif atype == 14 and len(val) >= 5:
        afi, safi, nhl = u16(val[0:2]), val[2], val[3]
        L.add(val[0:2], f"AFI {afi} {bw.AFI_NAMES.get(afi, '?')}", depth)
        L.add(val[2:3], f"SAFI {safi} {bw.SAFI_NAMES.get(safi, '?')}", depth)
        L.add(val[3:4], f"next hop length {nhl}", depth)
        nh = val[4:4 + nhl]
        if nhl in (4, 16):
            L.add(nh, f"next hop {ip_text(nh)}", depth)
        elif nhl == 32:
            L.add(nh[:16], f"next hop {ip_text(nh[:16])} (global)", depth)
            L.add(nh[16:], f"next hop {ip_text(nh[16:])} (link-local)", depth)
        elif nhl:
            L.add(nh, "next hop", depth)
        L.add(val[4 + nhl:5 + nhl], "reserved", depth)
        annotate_nlri(L, afi, val[5 + nhl:], (afi, safi) in ctx.add_path, "NLRI", depth)
    elif atype == 15 and len(val) >= 3:
        afi, safi = u16(val[0:2]), val[2]
        wd = val[3:]
        L.add(val[0:2], f"AFI {afi} {bw.AFI_NAMES.get(afi, '?')}", depth)
        L.add(val[2:3], f"SAFI {safi} {bw.SAFI_NAMES.get(safi, '?')}" + ("" if wd else " (no withdrawn routes: End-of-RIB)"), depth)
        annotate_nlri(L, afi, wd, (afi, safi) in ctx.add_path, "withdrawn", depth)
    elif val:
        L.add(val, "value", depth)


def annotate_update(L, msg, ctx):
    body = msg[bw.HEADER_LEN:]
    withdrawn, attrs, nlri = bw.split_update(msg)
    v4ap = (1, 1) in ctx.add_path
    L.add(body[0:2], f"withdrawn routes length {len(withdrawn)}")
    annotate_nlri(L, 1, withdrawn, v4ap, "withdrawn", 1)
    off = 2 + len(withdrawn)
    L.add(body[off:off + 2], f"total path attribute length {len(attrs)}"
          + (" (no attributes, no NLRI: IPv4 End-of-RIB)" if not withdrawn and not attrs and not nlri else ""))
    for start, hl, flags, atype, val in bw.iter_attrs(attrs):
        L.add(attrs[start:start + hl],
              f"attribute {bw.ATTR_NAMES.get(atype, 'unknown')} (type {atype}), {flags_text(flags)}, length {len(val)}")
        annotate_attr_value(L, atype, val, ctx, 1)
    annotate_nlri(L, 1, nlri, v4ap, "NLRI", 0)


def annotate_notification(L, msg):
    body = msg[bw.HEADER_LEN:]
    code, sub = body[0], body[1]
    cname, subs = bw.NOTIFY_CODES.get(code, (f"code {code}", {}))
    L.add(body[0:1], f"error code {code} {cname}")
    L.add(body[1:2], f"error subcode {sub}" + (f" {subs[sub]}" if sub in subs else ""))
    data = body[2:]
    if code == 6 and sub in (2, 4) and data and data[0] == len(data) - 1:
        L.add(data[0:1], f"shutdown communication length {data[0]} (RFC 9003)")
        text = bytes(data[1:])
        for k in range(0, len(text), 16):
            L.add(text[k:k + 16], json.dumps(text[k:k + 16].decode("utf-8", errors="replace")))
    elif code == 2 and sub == 2 and len(data) in (2, 4):
        L.add(data, f"data: the peer AS as received, {int.from_bytes(data, 'big')}")
    elif data:
        L.add(data, "data")


def annotate(msg, ctx):
    L = Lines()
    mtype = msg[18]
    L.rows.append((msg[:19], f"header: marker, length {len(msg)}, type {mtype} {bw.TYPE_NAMES.get(mtype, '?')}"))
    body = msg[bw.HEADER_LEN:]
    if mtype == bw.OPEN:
        annotate_open(L, body)
    elif mtype == bw.UPDATE:
        annotate_update(L, msg, ctx)
    elif mtype == bw.NOTIFICATION:
        annotate_notification(L, msg)
    elif mtype == bw.ROUTE_REFRESH and len(body) == 4:
        afi, sub, safi = u16(body[0:2]), body[2], body[3]
        L.add(body[0:2], f"AFI {afi} {bw.AFI_NAMES.get(afi, '?')}")
        L.add(body[2:3], f"subtype {sub} {bw.RR_SUBTYPES.get(sub, '?')}" + (" (a plain refresh request; RFC 2918 calls this byte reserved)" if sub == 0 else " (RFC 7313)"))
        L.add(body[3:4], f"SAFI {safi} {bw.SAFI_NAMES.get(safi, '?')}")
    elif body:
        L.add(body, "body")
    return L.render()


# ------------------------------------------------------------------------------------------------

def phase(msg, ctx):
    """Order of the session phases: OPEN, KEEPALIVE, announcements and End-of-RIB, withdrawals,
    ROUTE-REFRESH, NOTIFICATION."""
    mtype = msg[18]
    if mtype == bw.UPDATE:
        return 3 if bw.describe(msg, ctx).split(" ")[2] == "withdraw" else 2
    return {bw.OPEN: 0, bw.KEEPALIVE: 1, bw.ROUTE_REFRESH: 4, bw.NOTIFICATION: 5}.get(mtype, 6)


def load(path):
    meta, records = None, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if "meta" in rec:
                meta = rec
            else:
                records.append((rec["dir"], bytes.fromhex(rec["hex"])))
    if meta is None:
        raise SystemExit(f"annotate.py: {path}: no meta line (not a capture.py recording?)")
    return meta, records


def session_text(meta, our_open, their_open, note):
    m = meta["meta"]
    # (no port numbers: they change on every run and would make every recapture a diff)
    target = m.get("connect") or m.get("listen")
    mode = "capture peer connected to daemon at" if m.get("connect") else "daemon connected to capture peer at"
    ours = bw.open_capabilities(our_open)
    names = []
    for code, val in ours:
        if code == 1:
            names.append(f"MP {bw.FAMILY.get((u16(val[0:2]), val[3]), '?')}")
        elif code == 65:
            names.append("4-octet AS")
        elif code == 69:
            names.append("ADD-PATH receive")
        else:
            names.append(bw.CAP_NAMES.get(code, f"capability {code}"))
    their_as = u16(their_open[20:22]) if their_open else None
    for code, val in bw.open_capabilities(their_open) if their_open else []:
        if code == 65:
            their_as = u32(val)
    text = (f"eBGP, daemon AS {their_as}, capture peer AS {m['asn']}"
            f"{' (' + m['bind'] + ')' if m.get('bind') else ''}; {mode} {target[0]}; "
            f"peer OPEN: {', '.join(names)}; hold time {m['hold']}")
    return text + (f"; {note}" if note else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="vector name prefix, e.g. bird2 or gobgp")
    ap.add_argument("--daemon", required=True, help="daemon and version, e.g. 'BIRD 2.0.12 (Debian bird2 2.0.12-7)'")
    ap.add_argument("--out", required=True)
    ap.add_argument("--session-note", action="append", default=[],
                    help="FILE=TEXT: extra words for the session line of that recording")
    ap.add_argument("recordings", nargs="+")
    args = ap.parse_args()
    notes = dict(n.split("=", 1) for n in args.session_note)

    vectors, seen_any, seen_ctx, names = [], set(), set(), {}
    date = None
    for path in args.recordings:
        meta, records = load(path)
        date = date or datetime.datetime.fromtimestamp(meta["wall_clock"]).date().isoformat()
        our_open = next((m for d, m in records if d == "tx" and m[18] == bw.OPEN), None)
        their_open = next((m for d, m in records if d == "rx" and m[18] == bw.OPEN), None)
        if our_open is None or their_open is None:
            raise SystemExit(f"annotate.py: {path}: no OPEN exchange recorded")
        ctx = bw.Context.negotiated(our_open, their_open)
        ctx_lines = ctx.lines()
        label = " ".join(x for x in ctx_lines if x != "four-octet-as")
        # the recording's own name ("bird2-b-two-octet-as.jsonl" -> "two-octet-as"), to tell apart
        # non-UPDATE messages that differ between sessions (an OPEN with other capabilities)
        peer = os.path.basename(path).rsplit(".", 1)[0]
        peer = peer[len(args.source) + 1:] if peer.startswith(args.source + "-") else peer
        peer = peer.split("-", 1)[1] if len(peer) > 2 and peer[1] == "-" else peer
        session = session_text(meta, our_open, their_open, notes.get(os.path.basename(path), ""))
        kept = []
        for direction, msg in records:
            if direction != "rx":
                continue
            if msg[18] == bw.UPDATE:
                key = (tuple(ctx_lines), msg)
                if key in seen_ctx:
                    continue
                seen_ctx.add(key)
            else:
                if msg in seen_any:
                    continue
                seen_any.add(msg)
            kept.append((phase(msg, ctx), bw.describe(msg, ctx), msg))
        # A stable order, so that a recapture only shows real changes (GoBGP sends its routes in
        # map order): by phase of the session, then by description; the order on the wire within
        # a phase carries no meaning here.
        kept.sort(key=lambda k: (k[0], k[1]))
        for _, desc, msg in kept:
            name = f"{args.source} {desc}"
            if msg[18] == bw.UPDATE:
                name += f" ({label})" if label else ""
            elif name in names:
                name += f" (session {peer})"
            n = names.get(name, 0) + 1
            names[name] = n
            if n > 1:
                name += f" #{n}"
            head = [f"--- {name}", f"# daemon: {args.daemon}", f"# captured: {date}", f"# session: {session}"]
            head += [f"# context: {c}" for c in ctx_lines]
            vectors.append(head + annotate(msg, ctx))

    with open(args.out, "w") as f:
        f.write(f"# Messages sent by {args.daemon} to a capture peer (tests/data/capture/capture.py),\n")
        f.write(f"# one vector each; captured {date} by tests/data/capture/capture.sh. Do not edit by hand:\n")
        f.write("# re-run that script (see tests/data/capture/README.md).\n")
        f.write("# Format: '--- name' starts a vector, '#' starts a comment, '# context:' sets the decode context.\n")
        for v in vectors:
            f.write("\n" + "\n".join(v) + "\n")
    print(f"{args.out}: {len(vectors)} vectors", file=sys.stderr)


if __name__ == "__main__":
    main()
