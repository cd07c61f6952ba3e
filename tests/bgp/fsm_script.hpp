// Helpers for the FSM scenario tests: a default neighbor (us 10.0.0.1 AS 65001, the peer
// 10.0.0.2 AS 65002), the peer's OPEN, and actions rendered as short text so that a scenario
// reads as "event in → exact actions out". No sockets, no clock.
#pragma once

#include <string>
#include <vector>

#include "bgp/fsm.hpp"

namespace vipd::bgp::test {

inline constexpr std::uint32_t our_id = 0x0a000001;  // 10.0.0.1
inline constexpr std::uint32_t peer_id = 0x0a000002; // 10.0.0.2 (higher than ours)
inline constexpr Asn our_as = 65001;
inline constexpr Asn peer_as = 65002;

inline LocalPeer local_peer()
{
    LocalPeer p;
    p.local_as = our_as;
    p.bgp_identifier = RouterId{our_id};
    p.remote_as = peer_as;
    p.hold_time = 90;
    return p;
}

/// Jitter off so that durations are exact; the jitter test turns it on.
inline FsmConfig fsm_config()
{
    FsmConfig c;
    c.jitter = false;
    return c;
}

/// The peer's OPEN: version 4, hold time `hold`, multiprotocol IPv4 unicast, route refresh,
/// 4-octet AS, plus `extra` capabilities.
inline Open peer_open(std::uint32_t id = peer_id, std::uint16_t hold = 90,
                      std::vector<Capability> extra = {}, Asn as = peer_as)
{
    Open o;
    o.version = 4;
    o.my_as = static_cast<std::uint16_t>(as > 0xffff ? as_trans : as);
    o.hold_time = hold;
    o.bgp_identifier = id;
    std::vector<Capability> caps{MultiprotocolCap{ipv4_unicast}, RouteRefreshCap{},
                                 FourOctetAsCap{as}};
    caps.insert(caps.end(), extra.begin(), extra.end());
    o.optional_parameters.emplace_back(CapabilitiesParameter{std::move(caps)});
    return o;
}

inline std::string timer_name(TimerId t)
{
    switch (t) {
    case TimerId::connect_retry:
        return "connect_retry";
    case TimerId::hold:
        return "hold";
    case TimerId::keepalive:
        return "keepalive";
    case TimerId::delay_open:
        return "delay_open";
    case TimerId::idle_hold:
        return "idle_hold";
    case TimerId::send_hold:
        return "send_hold";
    case TimerId::idle_hold_reset:
        return "idle_hold_reset";
    }
    return "?";
}

inline std::string hex(const Bytes& b)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (auto v : b) {
        s += digits[v >> 4];
        s += digits[v & 0xf];
    }
    return s;
}

/// "connect", "cancel-connect", "send 1 OPEN", "send 1 NOTIFICATION 6/2 0b6d…", "close 1",
/// "abort 1", "start hold 90s", "start keepalive 3750ms", "stop hold", "established 1",
/// "down", "down established".
inline std::string show(const Action& a)
{
    if (std::holds_alternative<Connect>(a))
        return "connect";
    if (std::holds_alternative<CancelConnect>(a))
        return "cancel-connect";
    if (const auto* s = std::get_if<Send>(&a)) {
        std::string out = "send " + std::to_string(s->conn) + " ";
        if (const auto* n = std::get_if<Notification>(&s->message)) {
            out += "NOTIFICATION " + std::to_string(n->code) + "/" + std::to_string(n->subcode);
            if (!n->data.empty())
                out += " " + hex(n->data);
            return out;
        }
        if (std::holds_alternative<Open>(s->message))
            return out + "OPEN";
        if (std::holds_alternative<Keepalive>(s->message))
            return out + "KEEPALIVE";
        return out + "other";
    }
    if (const auto* c = std::get_if<CloseConnection>(&a))
        return (c->abort ? "abort " : "close ") + std::to_string(c->conn);
    if (const auto* t = std::get_if<StartTimer>(&a)) {
        const auto ms = t->duration.count();
        return "start " + timer_name(t->timer) + " " +
               (ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms");
    }
    if (const auto* t = std::get_if<StopTimer>(&a))
        return "stop " + timer_name(t->timer);
    if (const auto* e = std::get_if<Established>(&a))
        return "established " + std::to_string(e->conn);
    const auto& d = std::get<Down>(a);
    return d.was_established ? "down established" : "down";
}

using Lines = std::vector<std::string>;

inline Lines show(const Actions& actions)
{
    Lines out;
    for (const auto& a : actions)
        out.push_back(show(a));
    return out;
}

/// An FSM plus "run an event, get the actions as text".
struct Script
{
    Fsm fsm;

    explicit Script(LocalPeer local = local_peer(), FsmConfig config = fsm_config())
        : fsm(std::move(local), config)
    {}

    Lines operator()(const Event& e) { return show(fsm.handle(e)); }

    /// ManualStart, then outbound connection 1 comes up: OpenSent on connection 1.
    void to_open_sent()
    {
        (void)fsm.handle(ManualStart{});
        (void)fsm.handle(TcpConnected{1, false});
    }
    /// ... then the peer's OPEN: OpenConfirm on connection 1.
    void to_open_confirm(Open open = peer_open())
    {
        to_open_sent();
        (void)fsm.handle(OpenReceived{1, std::move(open)});
    }
    /// ... then the peer's KEEPALIVE: Established on connection 1.
    void to_established(Open open = peer_open())
    {
        to_open_confirm(std::move(open));
        (void)fsm.handle(KeepaliveReceived{1});
    }
};

/// The cause of the last Down action; empty when there is none.
inline std::string down_cause(const Actions& actions)
{
    for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
        if (const auto* d = std::get_if<Down>(&*it))
            return d->cause;
    }
    return {};
}

} // namespace vipd::bgp::test
