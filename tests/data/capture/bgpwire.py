"""Minimal BGP-4 wire helpers for the capture tools (python3 stdlib only).

Not a codec: just enough to build the capture peer's OPEN / KEEPALIVE / ROUTE-REFRESH, to tell
which message the daemon sent (for status lines and vector names) and to annotate a message one
field per line. Used by capture.py and annotate.py in this directory.
"""

import ipaddress
import struct

MARKER = b"\xff" * 16
HEADER_LEN = 19

OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
TYPE_NAMES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}

AFI_NAMES = {1: "IPv4", 2: "IPv6"}
SAFI_NAMES = {1: "unicast", 2: "multicast", 4: "labeled unicast", 128: "mpls-vpn"}
FAMILY = {(1, 1): "ipv4", (2, 1): "ipv6"}

CAP_NAMES = {
    1: "multiprotocol", 2: "route refresh", 5: "extended next hop", 6: "extended message",
    9: "BGP role", 64: "graceful restart", 65: "four-octet AS", 69: "ADD-PATH",
    70: "enhanced route refresh", 71: "long-lived graceful restart", 73: "FQDN (hostname)",
    128: "route refresh (pre-standard)",
}
ATTR_NAMES = {
    1: "ORIGIN", 2: "AS_PATH", 3: "NEXT_HOP", 4: "MULTI_EXIT_DISC", 5: "LOCAL_PREF",
    6: "ATOMIC_AGGREGATE", 7: "AGGREGATOR", 8: "COMMUNITIES", 9: "ORIGINATOR_ID",
    10: "CLUSTER_LIST", 14: "MP_REACH_NLRI", 15: "MP_UNREACH_NLRI", 16: "EXTENDED_COMMUNITIES",
    17: "AS4_PATH", 18: "AS4_AGGREGATOR", 32: "LARGE_COMMUNITY", 35: "OTC",
}
ORIGIN_NAMES = {0: "IGP", 1: "EGP", 2: "INCOMPLETE"}
SEGMENT_NAMES = {1: "AS_SET", 2: "AS_SEQUENCE", 3: "AS_CONFED_SEQUENCE", 4: "AS_CONFED_SET"}
NOTIFY_CODES = {
    1: ("message-header-error", {1: "connection-not-synchronized", 2: "bad-message-length", 3: "bad-message-type"}),
    2: ("open-message-error", {1: "unsupported-version-number", 2: "bad-peer-as", 3: "bad-bgp-identifier",
                               4: "unsupported-optional-parameter", 6: "unacceptable-hold-time",
                               7: "unsupported-capability", 8: "role-mismatch"}),
    3: ("update-message-error", {1: "malformed-attribute-list", 2: "unrecognized-well-known-attribute",
                                 3: "missing-well-known-attribute", 4: "attribute-flags-error",
                                 5: "attribute-length-error", 6: "invalid-origin-attribute",
                                 8: "invalid-next-hop-attribute", 9: "optional-attribute-error",
                                 10: "invalid-network-field", 11: "malformed-as-path"}),
    4: ("hold-timer-expired", {}),
    5: ("fsm-error", {1: "unexpected-message-in-opensent", 2: "unexpected-message-in-openconfirm",
                      3: "unexpected-message-in-established"}),
    6: ("cease", {1: "maximum-number-of-prefixes-reached", 2: "administrative-shutdown",
                  3: "peer-de-configured", 4: "administrative-reset", 5: "connection-rejected",
                  6: "other-configuration-change", 7: "connection-collision-resolution",
                  8: "out-of-resources", 9: "hard-reset", 10: "bfd-down"}),
}
RR_SUBTYPES = {0: "normal", 1: "BoRR", 2: "EoRR"}


# ------------------------------------------------------------------------------------------------
# Building the capture peer's messages

def message(msg_type, body=b""):
    return MARKER + struct.pack("!HB", HEADER_LEN + len(body), msg_type) + body


def keepalive():
    return message(KEEPALIVE)


def route_refresh(afi, safi, subtype=0):
    return message(ROUTE_REFRESH, struct.pack("!HBB", afi, subtype, safi))


def capability(code, value=b""):
    return struct.pack("!BB", code, len(value)) + value


def open_message(my_as, hold_time, router_id, families=((1, 1), (2, 1)), four_octet_as=True,
                 route_refresh_cap=True, enhanced_refresh=False, add_path_receive=(),
                 graceful_restart=False):
    """OPEN with one Capabilities optional parameter holding every capability."""
    caps = b""
    for afi, safi in families:
        caps += capability(1, struct.pack("!HBB", afi, 0, safi))
    if route_refresh_cap:
        caps += capability(2)
    if enhanced_refresh:
        caps += capability(70)
    if graceful_restart:
        caps += capability(64, struct.pack("!H", 0))  # no restart state, restart time 0, no AFs
    if four_octet_as:
        caps += capability(65, struct.pack("!I", my_as))
    if add_path_receive:
        caps += capability(69, b"".join(struct.pack("!HBB", afi, safi, 1) for afi, safi in add_path_receive))
    params = struct.pack("!BB", 2, len(caps)) + caps
    as2 = my_as if my_as < 65536 else 23456  # AS_TRANS
    body = struct.pack("!BHH4sB", 4, as2, hold_time, ipaddress.IPv4Address(router_id).packed, len(params))
    return message(OPEN, body + params)


# ------------------------------------------------------------------------------------------------
# Reading

def split_stream(buf):
    """Complete messages at the front of buf -> (messages, rest). Raises ValueError on a bad header."""
    out = []
    while len(buf) >= HEADER_LEN:
        if buf[:16] != MARKER:
            raise ValueError("bad marker")
        length = struct.unpack("!H", buf[16:18])[0]
        if length < HEADER_LEN or length > 65535:
            raise ValueError(f"bad length {length}")
        if len(buf) < length:
            break
        out.append(bytes(buf[:length]))
        buf = buf[length:]
    return out, buf


def open_capabilities(msg):
    """[(code, value)] of an OPEN (RFC 5492 parameters; RFC 9072 extended parameters)."""
    body = msg[HEADER_LEN:]
    opt_len = body[9]
    params = body[10:10 + opt_len]
    ext = False
    if opt_len == 255 and len(body) > 11 and body[10] == 255:  # RFC 9072
        ext = True
        opt_len = struct.unpack("!H", body[11:13])[0]
        params = body[13:13 + opt_len]
    caps, i = [], 0
    while i < len(params):
        ptype = params[i]
        if ext:
            plen = struct.unpack("!H", params[i + 1:i + 3])[0]
            val = params[i + 3:i + 3 + plen]
            i += 3 + plen
        else:
            plen = params[i + 1]
            val = params[i + 2:i + 2 + plen]
            i += 2 + plen
        if ptype != 2:
            continue
        j = 0
        while j + 2 <= len(val):
            code, clen = val[j], val[j + 1]
            caps.append((code, bytes(val[j + 2:j + 2 + clen])))
            j += 2 + clen
    return caps


def add_path_modes(caps):
    """{(afi, safi): send/receive bits} from an OPEN's ADD-PATH capabilities."""
    modes = {}
    for code, val in caps:
        if code == 69:
            for k in range(0, len(val) - 3, 4):
                afi, safi, sr = struct.unpack("!HBB", val[k:k + 4])
                modes[(afi, safi)] = sr
    return modes


class Context:
    """How a session's UPDATEs decode: AS number size and ADD-PATH per family (daemon -> us)."""

    def __init__(self, four_octet_as=True, add_path=()):
        self.four_octet_as = four_octet_as
        self.add_path = set(add_path)  # {(afi, safi)}

    @classmethod
    def negotiated(cls, our_open, their_open):
        ours, theirs = open_capabilities(our_open), open_capabilities(their_open)
        as4 = any(c == 65 for c, _ in ours) and any(c == 65 for c, _ in theirs)
        mine, peer = add_path_modes(ours), add_path_modes(theirs)
        ap = {f for f, sr in peer.items() if sr & 2 and mine.get(f, 0) & 1}  # they send, we receive
        return cls(as4, ap)

    def lines(self):
        """The '# context:' comment lines of the vector format."""
        out = ["four-octet-as" if self.four_octet_as else "two-octet-as"]
        if self.add_path:
            out.append("add-path=" + ",".join(FAMILY.get(f, f"{f[0]}/{f[1]}") for f in sorted(self.add_path)))
        return out


def prefix_str(afi, plen, raw):
    size = 4 if afi == 1 else 16
    addr = bytes(raw) + b"\0" * (size - len(raw))
    ip = ipaddress.ip_address(addr)
    return f"{ip}/{plen}"


def iter_prefixes(afi, data, add_path):
    """Yield (start, end, path_id, prefix_text) over an NLRI field."""
    i = 0
    while i < len(data):
        start, path_id = i, None
        if add_path:
            path_id = struct.unpack("!I", data[i:i + 4])[0]
            i += 4
        plen = data[i]
        nbytes = (plen + 7) // 8
        yield start, i + 1 + nbytes, path_id, prefix_str(afi, plen, data[i + 1:i + 1 + nbytes])
        i += 1 + nbytes


def iter_attrs(data):
    """Yield (start, header_len, flags, type, value) over a path attribute field."""
    i = 0
    while i < len(data):
        flags, atype = data[i], data[i + 1]
        if flags & 0x10:
            alen = struct.unpack("!H", data[i + 2:i + 4])[0]
            hl = 4
        else:
            alen = data[i + 2]
            hl = 3
        yield i, hl, flags, atype, data[i + hl:i + hl + alen]
        i += hl + alen


def split_update(msg):
    body = msg[HEADER_LEN:]
    wlen = struct.unpack("!H", body[0:2])[0]
    withdrawn = body[2:2 + wlen]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    attrs = body[4 + wlen:4 + wlen + alen]
    nlri = body[4 + wlen + alen:]
    return withdrawn, attrs, nlri


def _prefix_list(prefixes):
    if not prefixes:
        return ""
    if len(prefixes) <= 2:
        return " " + " ".join(prefixes)
    return f" {prefixes[0]} (+{len(prefixes) - 1})"


def describe(msg, ctx):
    """Short lowercase description used for status lines and vector names."""
    mtype = msg[18]
    if mtype == OPEN:
        return "open"
    if mtype == KEEPALIVE:
        return "keepalive"
    if mtype == ROUTE_REFRESH:
        afi, sub, safi = struct.unpack("!HBB", msg[19:23])
        fam = FAMILY.get((afi, safi), f"afi{afi}/safi{safi}")
        return f"route-refresh {fam}" + ("" if sub == 0 else " " + RR_SUBTYPES.get(sub, str(sub)).lower())
    if mtype == NOTIFICATION:
        code, sub = msg[19], msg[20]
        cname, subs = NOTIFY_CODES.get(code, (f"code-{code}", {}))
        return f"notification {cname}" + (f" {subs.get(sub, f'subcode-{sub}')}" if subs or sub else "")
    if mtype != UPDATE:
        return f"type-{mtype}"
    withdrawn, attrs, nlri = split_update(msg)
    v4ap = (1, 1) in ctx.add_path
    parts = []
    if withdrawn:
        parts.append("ipv4 withdraw" + _prefix_list([p for *_, p in iter_prefixes(1, withdrawn, v4ap)]))
    for _, _, _, atype, val in iter_attrs(attrs):
        if atype in (14, 15):
            afi, safi = struct.unpack("!HB", val[0:3])
            fam = FAMILY.get((afi, safi), f"afi{afi}/safi{safi}")
            ap = (afi, safi) in ctx.add_path
            if atype == 14:
                nhl = val[3]
                pfx = [p for *_, p in iter_prefixes(afi, val[5 + nhl:], ap)]
                parts.append(f"{fam} announce" + _prefix_list(pfx))
            else:
                pfx = [p for *_, p in iter_prefixes(afi, val[3:], ap)]
                parts.append(f"{fam} withdraw" + _prefix_list(pfx) if pfx else f"{fam} end-of-rib")
    if nlri:
        parts.append("ipv4 announce" + _prefix_list([p for *_, p in iter_prefixes(1, nlri, v4ap)]))
    if not withdrawn and not attrs and not nlri:
        parts.append("ipv4 end-of-rib")
    return "update " + ", ".join(parts)
