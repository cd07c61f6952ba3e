// OPEN negotiation: the OPEN we build, every RFC 4271 §6.2 / RFC 5492 / RFC 9234 error of
// validate_open with its exact code, subcode, data and offset, and what a valid pair of OPENs
// settles (hold time, families, AS4, ADD-PATH, extended message, GR, extended next hop).
#include <catch2/catch.hpp>

#include "bgp/negotiate.hpp"
#include "fsm_script.hpp"

using namespace vipd::bgp;
using namespace vipd::bgp::test;
using namespace std::chrono_literals;

namespace {

DecodeError error_of(const Open& remote, const LocalPeer& local = local_peer())
{
    auto r = validate_open(remote, local);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().action == Rfc7606::session_reset);
    CHECK(r.error().code == 2); // OPEN Message Error
    return r.error();
}

Negotiated negotiated(const Open& remote, const LocalPeer& local = local_peer())
{
    auto r = validate_open(remote, local);
    INFO((r ? std::string() : to_string(r.error())));
    REQUIRE(r.has_value());
    return *r;
}

/// The peer's OPEN with exactly `caps` (no defaults added).
Open open_with(std::vector<Capability> caps, std::uint16_t hold = 90)
{
    Open o;
    o.my_as = static_cast<std::uint16_t>(peer_as);
    o.hold_time = hold;
    o.bgp_identifier = peer_id;
    o.optional_parameters.emplace_back(CapabilitiesParameter{std::move(caps)});
    return o;
}

} // namespace

TEST_CASE("negotiate: make_open with the defaults", "[fsm]")
{
    Open expected;
    expected.version = 4;
    expected.my_as = 65001;
    expected.hold_time = 90;
    expected.bgp_identifier = our_id;
    expected.optional_parameters.emplace_back(CapabilitiesParameter{
        {MultiprotocolCap{ipv4_unicast}, RouteRefreshCap{}, FourOctetAsCap{65001}}});
    CHECK(make_open(local_peer()) == expected);
}

TEST_CASE("negotiate: make_open with every option", "[fsm]")
{
    LocalPeer l = local_peer();
    l.local_as = 4200000001;
    l.families = {ipv4_unicast, ipv6_unicast};
    l.enhanced_route_refresh = true;
    l.extended_next_hop = true;
    l.extended_message = true;
    l.role = Role::customer;
    l.graceful_restart = GracefulRestartConfig{300, true, {ipv4_unicast}};
    l.add_path_send = {ipv6_unicast};
    l.hostname = "lb1";
    l.domain = "example.net";
    const Open o = make_open(l);
    CHECK(o.my_as == as_trans); // RFC 6793 §4.1
    GracefulRestartCap gr;
    gr.restart_state = true;
    gr.restart_time = 300;
    gr.families = {{ipv4_unicast, true}, {ipv6_unicast, false}};
    const std::vector<Capability> expected{
        MultiprotocolCap{ipv4_unicast},
        MultiprotocolCap{ipv6_unicast},
        RouteRefreshCap{},
        EnhancedRouteRefreshCap{},
        ExtendedNextHopCap{{{Afi::ipv4, 1, Afi::ipv6}}},
        ExtendedMessageCap{},
        BgpRoleCap{Role::customer},
        gr,
        FourOctetAsCap{4200000001},
        AddPathCap{{{ipv6_unicast, AddPathCap::send}}},
        FqdnCap{"lb1", "example.net"},
    };
    CHECK(o.capabilities() == expected);
}

TEST_CASE("negotiate: no BGP Role on iBGP (RFC 9234)", "[fsm]")
{
    LocalPeer l = local_peer();
    l.remote_as = l.local_as;
    l.role = Role::peer;
    for (const auto& c : make_open(l).capabilities())
        CHECK_FALSE(std::holds_alternative<BgpRoleCap>(c));
}

TEST_CASE("validate_open: RFC 4271 §6.2 errors", "[fsm]")
{
    SECTION("version 3 → 2/1, data = version 4 in two octets, offset 19")
    {
        Open o = peer_open();
        o.version = 3;
        auto e = error_of(o);
        CHECK(e.subcode == open_error::unsupported_version_number);
        CHECK(e.data == Bytes{0x00, 0x04});
        CHECK(e.offset == 19);
    }
    SECTION("wrong peer AS → 2/2 at the My Autonomous System field")
    {
        auto e = error_of(peer_open(peer_id, 90, {}, 65099));
        CHECK(e.subcode == open_error::bad_peer_as);
        CHECK(e.data.empty());
        CHECK(e.offset == 20);
        CHECK(e.what == "peer AS 65099, expected 65002");
    }
    SECTION("My AS 0 → 2/2 (RFC 7607)")
    {
        Open o = open_with({MultiprotocolCap{ipv4_unicast}});
        o.my_as = 0;
        CHECK(error_of(o).subcode == open_error::bad_peer_as);
    }
    SECTION("4-octet AS capability with AS 0 → 2/2 (RFC 7607)")
    {
        CHECK(error_of(open_with({FourOctetAsCap{0}})).subcode == open_error::bad_peer_as);
    }
    SECTION("AS_TRANS without the 4-octet AS capability → 2/2 (RFC 6793)")
    {
        LocalPeer l = local_peer();
        l.remote_as = as_trans;
        Open o = open_with({MultiprotocolCap{ipv4_unicast}});
        o.my_as = static_cast<std::uint16_t>(as_trans);
        CHECK(error_of(o, l).subcode == open_error::bad_peer_as);
    }
    SECTION("the 4-octet AS capability carries the real AS (RFC 6793 §4.1)")
    {
        LocalPeer l = local_peer();
        l.remote_as = 4200000002;
        auto n = negotiated(peer_open(peer_id, 90, {}, 4200000002), l);
        CHECK(n.remote_as == 4200000002);
        // Without the capability a 2-octet peer is identified by My AS.
        Open two_octet = open_with({MultiprotocolCap{ipv4_unicast}});
        CHECK(negotiated(two_octet).remote_as == peer_as);
        CHECK_FALSE(negotiated(two_octet).encode.four_octet_as);
    }
    SECTION("hold time 1 or 2 → 2/6 at offset 22; 0 and 3 are fine")
    {
        for (std::uint16_t hold : {std::uint16_t{1}, std::uint16_t{2}}) {
            auto e = error_of(peer_open(peer_id, hold));
            CHECK(e.subcode == open_error::unacceptable_hold_time);
            CHECK(e.offset == 22);
        }
        CHECK(negotiated(peer_open(peer_id, 0)).hold_time == 0s);
        CHECK(negotiated(peer_open(peer_id, 3)).hold_time == 3s);
    }
    SECTION("BGP Identifier 0 → 2/3 at offset 24")
    {
        auto e = error_of(peer_open(0));
        CHECK(e.subcode == open_error::bad_bgp_identifier);
        CHECK(e.offset == 24);
    }
    SECTION("an iBGP peer with our identifier → 2/3 (RFC 6286 §2.2)")
    {
        LocalPeer l = local_peer();
        l.remote_as = our_as;
        CHECK(error_of(peer_open(our_id, 90, {}, our_as), l).subcode ==
              open_error::bad_bgp_identifier);
    }
    SECTION("RFC 6286 accepts our identifier on eBGP and any non-zero value")
    {
        CHECK(negotiated(peer_open(our_id)).remote_id == RouterId{our_id});
        CHECK(negotiated(peer_open(0xe0000001)).remote_id == RouterId{0xe0000001}); // 224.0.0.1
        CHECK(negotiated(peer_open(0xffffffff)).remote_id == RouterId{0xffffffff});
    }
    SECTION("an unknown optional parameter → 2/4")
    {
        Open o = peer_open();
        o.optional_parameters.emplace_back(UnknownParameter{1, {0x00}});
        auto e = error_of(o);
        CHECK(e.subcode == open_error::unsupported_optional_parameter);
        CHECK(e.offset == 29);
    }
}

TEST_CASE("validate_open: BGP Role (RFC 9234 §4.2)", "[fsm]")
{
    LocalPeer l = local_peer();
    l.role = Role::provider;
    SECTION("provider ↔ customer is accepted")
    {
        CHECK(negotiated(peer_open(peer_id, 90, {BgpRoleCap{Role::customer}}), l).peer_role ==
              Role::customer);
    }
    SECTION("provider ↔ provider → 2/11")
    {
        CHECK(error_of(peer_open(peer_id, 90, {BgpRoleCap{Role::provider}}), l).subcode ==
              open_error::role_mismatch);
    }
    SECTION("route server ↔ client and peer ↔ peer are accepted")
    {
        l.role = Role::route_server;
        CHECK(negotiated(peer_open(peer_id, 90, {BgpRoleCap{Role::rs_client}}), l).peer_role ==
              Role::rs_client);
        l.role = Role::peer;
        CHECK(negotiated(peer_open(peer_id, 90, {BgpRoleCap{Role::peer}}), l).peer_role ==
              Role::peer);
        CHECK(error_of(peer_open(peer_id, 90, {BgpRoleCap{Role::customer}}), l).subcode ==
              open_error::role_mismatch);
    }
    SECTION("two different roles → 2/11")
    {
        CHECK(error_of(peer_open(peer_id, 90, {BgpRoleCap{Role::customer}, BgpRoleCap{Role::peer}}),
                       l)
                  .subcode == open_error::role_mismatch);
    }
    SECTION("no role from the peer: accepted, unless strict → 2/11")
    {
        CHECK_FALSE(negotiated(peer_open(), l).peer_role.has_value());
        l.strict_role = true;
        CHECK(error_of(peer_open(), l).subcode == open_error::role_mismatch);
    }
    SECTION("without a role of ours the peer's is only reported")
    {
        CHECK(negotiated(peer_open(peer_id, 90, {BgpRoleCap{Role::provider}})).peer_role ==
              Role::provider);
    }
    SECTION("on iBGP the capability is ignored")
    {
        LocalPeer ibgp = local_peer();
        ibgp.remote_as = our_as;
        auto n = negotiated(
            peer_open(peer_id, 90, {BgpRoleCap{Role::provider}, BgpRoleCap{Role::peer}}, our_as),
            ibgp);
        CHECK(n.internal);
        CHECK_FALSE(n.peer_role.has_value());
    }
}

TEST_CASE("validate_open: required capabilities → 2/7 with them as data (RFC 5492 §5)", "[fsm]")
{
    LocalPeer l = local_peer();
    SECTION("route refresh")
    {
        l.required_capabilities = {CapabilityCode::route_refresh};
        auto e = error_of(open_with({MultiprotocolCap{ipv4_unicast}}), l);
        CHECK(e.subcode == open_error::unsupported_capability);
        CHECK(e.data == Bytes{0x02, 0x00}); // code 2, length 0
        CHECK(e.offset == 29);
        CHECK(negotiated(peer_open(), l).route_refresh);
    }
    SECTION("multiprotocol: each of our families")
    {
        l.families = {ipv4_unicast, ipv6_unicast};
        l.required_capabilities = {CapabilityCode::multiprotocol};
        auto e = error_of(peer_open(), l);
        CHECK(e.data == Bytes{
                            0x01, 0x04, // code 1 (multiprotocol), length 4
                            0x00, 0x02, // AFI 2 (IPv6)
                            0x00,       // reserved
                            0x01,       // SAFI 1 (unicast)
                        });
    }
    SECTION("4-octet AS, as we advertise it")
    {
        l.required_capabilities = {CapabilityCode::four_octet_as};
        auto e = error_of(open_with({MultiprotocolCap{ipv4_unicast}}), l);
        CHECK(e.data == Bytes{
                            0x41, 0x04,             // code 65, length 4
                            0x00, 0x00, 0xfd, 0xe9, // AS 65001
                        });
    }
    SECTION("ADD-PATH: the peer must accept what we send")
    {
        l.add_path_send = {ipv4_unicast};
        l.required_capabilities = {CapabilityCode::add_path};
        const Bytes missing{
            0x45, 0x04, // code 69 (ADD-PATH), length 4
            0x00, 0x01, // AFI 1
            0x01,       // SAFI 1
            0x02,       // Send
        };
        CHECK(error_of(peer_open(), l).data == missing);
        CHECK(error_of(peer_open(peer_id, 90, {AddPathCap{{{ipv4_unicast, AddPathCap::send}}}}), l)
                  .data == missing);
        CHECK(negotiated(
                  peer_open(peer_id, 90, {AddPathCap{{{ipv4_unicast, AddPathCap::receive}}}}), l)
                  .encode.add_path_ipv4);
    }
    SECTION("codes we do not advertise are named with an empty value; all are listed")
    {
        l.required_capabilities = {CapabilityCode::extended_message,
                                   static_cast<CapabilityCode>(200), CapabilityCode::route_refresh};
        auto e = error_of(peer_open(), l); // has route refresh, lacks the other two
        CHECK(e.data == Bytes{0x06, 0x00, 0xc8, 0x00});
        CHECK(negotiated(peer_open(peer_id, 90, {ExtendedMessageCap{}, UnknownCap{200, {1}}}), l)
                  .unknown_capabilities == std::vector<UnknownCap>{UnknownCap{200, {1}}});
    }
}

TEST_CASE("negotiate: hold and keepalive times (RFC 4271 §4.2, §10)", "[fsm]")
{
    CHECK(negotiated(peer_open(peer_id, 30)).hold_time == 30s);
    CHECK(negotiated(peer_open(peer_id, 30)).keepalive_time == 10s);
    CHECK(negotiated(peer_open(peer_id, 240)).hold_time == 90s);
    LocalPeer l = local_peer();
    l.keepalive_time = 5;
    CHECK(negotiated(peer_open(), l).keepalive_time == 5s);
    l.keepalive_time = 60; // more than a third of 90: capped
    CHECK(negotiated(peer_open(), l).keepalive_time == 30s);
    l.hold_time = 0;
    CHECK(negotiated(peer_open(), l).hold_time == 0s);
    CHECK(negotiated(peer_open(), l).keepalive_time == 0s);
}

TEST_CASE("negotiate: families (RFC 4760)", "[fsm]")
{
    LocalPeer l = local_peer();
    l.families = {ipv4_unicast, ipv6_unicast};
    using Families = std::vector<AfiSafi>;
    CHECK(negotiated(peer_open(peer_id, 90, {MultiprotocolCap{ipv6_unicast}}), l).families ==
          Families{ipv4_unicast, ipv6_unicast});
    CHECK(negotiated(open_with({MultiprotocolCap{ipv6_unicast}}), l).families ==
          Families{ipv6_unicast});
    // No multiprotocol capability at all: IPv4 unicast only.
    CHECK(negotiated(open_with({RouteRefreshCap{}}), l).families == Families{ipv4_unicast});
    l.families = {ipv6_unicast};
    CHECK(negotiated(open_with({}), l).families.empty());
    // A family the peer lists but we do not is not used.
    CHECK(negotiated(open_with({MultiprotocolCap{ipv4_unicast}}), l).families.empty());
}

TEST_CASE("negotiate: codec context (RFC 6793, 8654, 7911)", "[fsm]")
{
    LocalPeer l = local_peer();
    l.families = {ipv4_unicast, ipv6_unicast};
    l.extended_message = true;
    l.add_path_send = {ipv4_unicast, ipv6_unicast};
    const Open both = peer_open(
        peer_id, 90,
        {MultiprotocolCap{ipv6_unicast}, ExtendedMessageCap{},
         AddPathCap{{{ipv4_unicast, AddPathCap::both}, {ipv6_unicast, AddPathCap::send}}}});
    auto n = negotiated(both, l);
    CHECK(n.encode.four_octet_as);
    CHECK(n.decode.four_octet_as);
    CHECK(n.encode.extended_message);
    CHECK(n.decode.extended_message);
    CHECK(n.encode.add_path_ipv4);       // we Send, the peer Receives
    CHECK_FALSE(n.encode.add_path_ipv6); // the peer only Sends
    CHECK_FALSE(n.decode.add_path_ipv4); // we never offered Receive
    CHECK_FALSE(n.decode.add_path_ipv6);

    l.four_octet_as = false;
    l.extended_message = false;
    l.add_path_send.clear();
    n = negotiated(both, l);
    CHECK_FALSE(n.encode.four_octet_as);
    CHECK_FALSE(n.encode.extended_message);
    CHECK_FALSE(n.encode.add_path_ipv4);

    // ADD-PATH for a family that was not negotiated is not used.
    LocalPeer v4 = local_peer();
    v4.add_path_send = {ipv4_unicast};
    CHECK_FALSE(negotiated(open_with({MultiprotocolCap{ipv6_unicast},
                                      AddPathCap{{{ipv4_unicast, AddPathCap::receive}}}}),
                           v4)
                    .encode.add_path_ipv4);
}

TEST_CASE("negotiate: peer capabilities for the session", "[fsm]")
{
    LocalPeer l = local_peer();
    l.enhanced_route_refresh = true;
    l.extended_next_hop = true;
    GracefulRestartCap gr;
    gr.restart_time = 90;
    gr.families = {{ipv4_unicast, true}, {ipv6_unicast, true}};
    auto n = negotiated(
        peer_open(peer_id, 90,
                  {EnhancedRouteRefreshCap{}, gr, ExtendedNextHopCap{{{Afi::ipv4, 1, Afi::ipv6}}},
                   FqdnCap{"rtr1", "example.net"}}),
        l);
    CHECK(n.route_refresh);
    CHECK(n.enhanced_route_refresh);
    REQUIRE(n.peer_graceful_restart.has_value());
    CHECK(n.peer_graceful_restart->restart_time == 90);
    CHECK_FALSE(n.peer_graceful_restart->restart_state);
    // IPv6 was not negotiated: not part of the peer's restart families (RFC 4724 §3).
    CHECK(n.peer_graceful_restart->families ==
          std::vector<GracefulRestartCap::Family>{{ipv4_unicast, true}});
    CHECK(n.extended_next_hop);
    REQUIRE(n.peer_fqdn.has_value());
    CHECK(n.peer_fqdn->hostname == "rtr1");
    CHECK_FALSE(n.internal);
    CHECK(n.unknown_capabilities.empty());

    auto plain = negotiated(open_with({MultiprotocolCap{ipv4_unicast}}), l);
    CHECK_FALSE(plain.route_refresh);
    CHECK_FALSE(plain.enhanced_route_refresh);
    CHECK_FALSE(plain.peer_graceful_restart.has_value());
    CHECK_FALSE(plain.extended_next_hop);
    CHECK_FALSE(plain.peer_fqdn.has_value());

    // Extended next hop needs both sides: the peer offering it is not enough.
    l.extended_next_hop = false;
    CHECK_FALSE(
        negotiated(peer_open(peer_id, 90, {ExtendedNextHopCap{{{Afi::ipv4, 1, Afi::ipv6}}}}), l)
            .extended_next_hop);
}

TEST_CASE("negotiate: check_local_peer", "[fsm]")
{
    CHECK_FALSE(check_local_peer(local_peer()).has_value());
    auto problem = [](auto change) {
        LocalPeer l = local_peer();
        change(l);
        return check_local_peer(l).value_or("");
    };
    CHECK_THAT(problem([](LocalPeer& l) { l.remote_as = 0; }), Catch::Contains("RFC 7607"));
    CHECK_THAT(problem([](LocalPeer& l) { l.bgp_identifier = RouterId{0}; }),
               Catch::Contains("non-zero"));
    CHECK_THAT(problem([](LocalPeer& l) { l.hold_time = 2; }), Catch::Contains("hold_time 2"));
    CHECK_THAT(problem([](LocalPeer& l) { l.families.clear(); }),
               Catch::Contains("no address family"));
    CHECK_THAT(problem([](LocalPeer& l) {
                   l.local_as = 4200000001;
                   l.four_octet_as = false;
               }),
               Catch::Contains("4-octet"));
    CHECK_THAT(problem([](LocalPeer& l) {
                   l.graceful_restart = GracefulRestartConfig{5000, false, {}};
               }),
               Catch::Contains("4095"));
    CHECK_THAT(problem([](LocalPeer& l) { l.add_path_send = {ipv6_unicast}; }),
               Catch::Contains("add-path"));
    CHECK_THAT(problem([](LocalPeer& l) {
                   l.remote_as = l.local_as;
                   l.role = Role::peer;
               }),
               Catch::Contains("eBGP"));
    CHECK_THAT(problem([](LocalPeer& l) { l.hostname = std::string(300, 'a'); }),
               Catch::Contains("FQDN"));
}
