// UPDATE builder: exact bytes for one prefix (IPv4 NLRI field, IPv6 MP_REACH_NLRI, both kinds
// of withdrawal), the fewest messages within 4096 / 65535 octets (RFC 4271 §4.1, RFC 8654),
// RFC 7606 §5.1 message shapes, ADD-PATH, and that every message decodes back to the input.
#include <random>

#include <catch2/catch.hpp>

#include "bgp/update.hpp"
#include "bgp/update_builder.hpp"

using namespace vipd::bgp;

namespace {

// Split back-to-back messages, checking each header (RFC 4271 §4.1); returns the bodies.
std::vector<ByteView> split(const Bytes& out, std::size_t max)
{
    std::vector<ByteView> bodies;
    std::size_t i = 0;
    while (i < out.size()) {
        REQUIRE(out.size() - i >= header_size);
        for (std::size_t k = 0; k < marker_size; ++k)
            REQUIRE(out[i + k] == 0xff);
        const std::size_t len = (std::size_t{out[i + 16]} << 8) | out[i + 17];
        REQUIRE(out[i + 18] == static_cast<std::uint8_t>(MessageType::update));
        REQUIRE(len >= min_update_size);
        REQUIRE(len <= max);
        REQUIRE(i + len <= out.size());
        bodies.push_back(ByteView(out).subspan(i + header_size, len - header_size));
        i += len;
    }
    return bodies;
}

struct Decoded
{
    std::vector<Nlri> announced;
    std::vector<Nlri> withdrawn;
};

// Decode every message; each must be clean and carry one kind of route field (RFC 7606 §5.1).
Decoded decode_all(const Bytes& out, const CodecContext& ctx)
{
    Decoded d;
    for (auto body : split(out, ctx.max_message())) {
        Reader r(body, header_size);
        auto o = decode_update(r, ctx);
        INFO((o.error ? to_string(*o.error) : std::string()));
        REQUIRE_FALSE(o.error);
        const auto& u = o.update;
        const auto& a = u.path_attributes;
        const int fields = !u.withdrawn_routes.empty() + !u.nlri.empty() + a.mp_reach.has_value() +
                           a.mp_unreach.has_value();
        CHECK(fields == 1);
        d.announced.insert(d.announced.end(), u.nlri.begin(), u.nlri.end());
        d.withdrawn.insert(d.withdrawn.end(), u.withdrawn_routes.begin(), u.withdrawn_routes.end());
        if (a.mp_reach) {
            CHECK(a.order.front() == static_cast<std::uint8_t>(AttrType::mp_reach_nlri));
            d.announced.insert(d.announced.end(), a.mp_reach->nlri.begin(), a.mp_reach->nlri.end());
        }
        if (a.mp_unreach) {
            CHECK(a.order == std::vector<std::uint8_t>{15}); // RFC 4760 §4: nothing else
            d.withdrawn.insert(d.withdrawn.end(), a.mp_unreach->withdrawn_routes.begin(),
                               a.mp_unreach->withdrawn_routes.end());
        }
    }
    return d;
}

PathAttributes v4_attrs()
{
    PathAttributes a;
    a.origin = Origin::igp;
    a.as_path = AsPath{{{SegmentType::as_sequence, {65001}}}};
    a.next_hop = 0xc0000201; // 192.0.2.1
    return a;
}

PathAttributes v6_attrs()
{
    PathAttributes a;
    a.origin = Origin::igp;
    a.as_path = AsPath{{{SegmentType::as_sequence, {65001}}}};
    a.mp_reach = MpReach{ipv6_unicast, *Address::parse("2001:db8::1"), std::nullopt, {}};
    return a;
}

// n host routes: 10.0.0.0/32, 10.0.0.1/32, … or 2001:db8::/128, 2001:db8::1/128, …
std::vector<Nlri> hosts(Afi afi, std::size_t n)
{
    std::vector<Nlri> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<std::uint32_t>(i);
        if (afi == Afi::ipv4) {
            v[i].prefix = Prefix{Address::v4(0x0a000000u + x), 32};
        } else {
            std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
            b[12] = static_cast<std::uint8_t>(x >> 24);
            b[13] = static_cast<std::uint8_t>(x >> 16);
            b[14] = static_cast<std::uint8_t>(x >> 8);
            b[15] = static_cast<std::uint8_t>(x);
            v[i].prefix = Prefix{Address::v6(b), 128};
        }
    }
    return v;
}

EncodedAttributes encoded(const PathAttributes& a, AfiSafi f, const CodecContext& ctx)
{
    auto e = EncodedAttributes::make(a, f, ctx);
    REQUIRE(e);
    return *e;
}

std::size_t announce(Bytes& out, const EncodedAttributes& e, const std::vector<Nlri>& v)
{
    auto n = append_announcements(out, e, v);
    REQUIRE(n);
    return *n;
}

} // namespace

TEST_CASE("builder: one IPv4 prefix, exact message (RFC 4271 §4.3)", "[wire]")
{
    Bytes out;
    const auto e = encoded(v4_attrs(), ipv4_unicast, {});
    auto n = append_announcement(out, e, Nlri{*Prefix::parse("198.51.100.10/32"), 0});
    REQUIRE(n);
    CHECK(*n == 1);
    const std::uint8_t want[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x30, // length 48
        0x02,                                                       // type UPDATE
        0x00, 0x00,                                                 // Withdrawn Routes Length 0
        0x00, 0x14,                               // Total Path Attribute Length 20
        0x40, 0x01, 0x01, 0x00,                   // ORIGIN IGP
        0x40, 0x02, 0x06, 0x02, 0x01,             // AS_PATH, AS_SEQUENCE 1 AS
        0x00, 0x00, 0xfd, 0xe9,                   //   65001
        0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // NEXT_HOP 192.0.2.1
        0x20, 0xc6, 0x33, 0x64, 0x0a,             // NLRI 198.51.100.10/32
    };
    CHECK(out == Bytes(std::begin(want), std::end(want)));
}

TEST_CASE("builder: one IPv6 prefix, MP_REACH_NLRI first (RFC 4760 §3, RFC 7606 §5.1)", "[wire]")
{
    Bytes out;
    const auto e = encoded(v6_attrs(), ipv6_unicast, {});
    CHECK(e.multiprotocol());
    auto n = append_announcement(out, e, Nlri{*Prefix::parse("2001:db8::10/128"), 0});
    REQUIRE(n);
    const std::uint8_t want[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x4d, // length 77
        0x02,                                                       // type UPDATE
        0x00, 0x00,                                                 // Withdrawn Routes Length 0
        0x00, 0x36,                                     // Total Path Attribute Length 54
        0x80, 0x0e, 0x26,                               // MP_REACH_NLRI, length 38
        0x00, 0x02, 0x01,                               //   IPv6 unicast
        0x10,                                           //   next hop length 16
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   2001:db8::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00,                                                                   //   reserved
        0x80,                                                                   //   /128
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,                         //   2001:db8::10
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
        0x40, 0x02, 0x06, 0x02, 0x01, // AS_PATH, AS_SEQUENCE 1 AS
        0x00, 0x00, 0xfd, 0xe9,       //   65001
    };
    CHECK(out == Bytes(std::begin(want), std::end(want)));
}

TEST_CASE("builder: one withdrawal, IPv4 field and IPv6 MP_UNREACH_NLRI (RFC 4760 §4)", "[wire]")
{
    Bytes out;
    auto n = append_withdrawal(out, ipv4_unicast, Nlri{*Prefix::parse("198.51.100.10/32"), 0}, {});
    REQUIRE(n);
    const std::uint8_t v4[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1c, // length 28
        0x02,                                                       // type UPDATE
        0x00, 0x05,                                                 // Withdrawn Routes Length 5
        0x20, 0xc6, 0x33, 0x64, 0x0a,                               //   198.51.100.10/32
        0x00, 0x00,                                                 // Total Path Attribute Length 0
    };
    CHECK(out == Bytes(std::begin(v4), std::end(v4)));

    out.clear();
    n = append_withdrawal(out, ipv6_unicast, Nlri{*Prefix::parse("2001:db8::10/128"), 0}, {});
    REQUIRE(n);
    const std::uint8_t v6[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x2e, // length 46
        0x02,                                                       // type UPDATE
        0x00, 0x00,                                                 // Withdrawn Routes Length 0
        0x00, 0x17,                                     // Total Path Attribute Length 23
        0x80, 0x0f, 0x14,                               // MP_UNREACH_NLRI, length 20
        0x00, 0x02, 0x01,                               //   IPv6 unicast
        0x80,                                           //   /128
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   2001:db8::10
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    };
    CHECK(out == Bytes(std::begin(v6), std::end(v6)));
}

TEST_CASE("builder: boundary sizes give the fewest messages (RFC 4271 §4.1: 4096)", "[wire]")
{
    const CodecContext ctx;
    const auto e = encoded(v4_attrs(), ipv4_unicast, ctx);
    // 23 octets of header and length fields, the attributes, then 5 octets per /32.
    const std::size_t per_message = (max_message_size - 23 - e.others().size()) / 5;
    REQUIRE(per_message == 810);
    for (std::size_t n : {std::size_t{1}, per_message - 1, per_message, per_message + 1,
                          2 * per_message, 2 * per_message + 1, std::size_t{10000}}) {
        INFO("n = " << n);
        Bytes out;
        const auto input = hosts(Afi::ipv4, n);
        CHECK(announce(out, e, input) == (n + per_message - 1) / per_message);
        const auto d = decode_all(out, ctx);
        CHECK(d.announced == input);
        if (n == per_message)
            CHECK(out.size() == 23 + e.others().size() + 5 * per_message);
    }
}

TEST_CASE("builder: a whole table is one allocation, small appends grow geometrically", "[wire]")
{
    const CodecContext ctx;
    const auto e = encoded(v4_attrs(), ipv4_unicast, ctx);
    for (std::size_t n :
         {std::size_t{1}, std::size_t{810}, std::size_t{811}, std::size_t{100000}}) {
        INFO("n = " << n);
        Bytes out;
        const auto input = hosts(Afi::ipv4, n);
        const std::size_t messages = announce(out, e, input);
        // Room for End-of-RIB after the table without a copy, and not a doubling.
        CHECK(out.capacity() >= out.size() + 2 * 23);
        CHECK(out.capacity() <= out.size() + messages * (23 + e.others().size()) + 16 + 4096);
        CHECK(decode_all(out, ctx).announced == input);
    }
    Bytes one;
    std::size_t grown = 0;
    for (const auto& n : hosts(Afi::ipv4, 1000)) {
        const std::size_t before = one.capacity();
        (void)announce(one, e, {n});
        grown += one.capacity() != before ? 1 : 0;
    }
    CHECK(grown < 20); // 1000 one-prefix messages: about log2(1000 * 34 octets) reallocations
}

TEST_CASE("builder: extended messages hold 65535 octets (RFC 8654)", "[wire]")
{
    CodecContext ctx;
    ctx.extended_message = true;
    const auto e = encoded(v4_attrs(), ipv4_unicast, ctx);
    const std::size_t per_message = (max_extended_message_size - 23 - e.others().size()) / 5;
    const auto input = hosts(Afi::ipv4, 20000);
    Bytes out;
    CHECK(announce(out, e, input) == (20000 + per_message - 1) / per_message); // 2, not 25
    CHECK(decode_all(out, ctx).announced == input);

    Bytes small;
    CHECK(announce(small, encoded(v4_attrs(), ipv4_unicast, {}), input) == 25);
}

TEST_CASE("builder: IPv6 in MP_REACH_NLRI, many messages, Extended Length", "[wire]")
{
    for (bool extended : {false, true}) {
        CodecContext ctx;
        ctx.extended_message = extended;
        const auto e = encoded(v6_attrs(), ipv6_unicast, ctx);
        // header 23, MP_REACH_NLRI header 4 + 21, other attributes, 17 octets per /128
        const std::size_t per_message =
            (ctx.max_message() - 23 - 4 - e.mp_head().size() - e.others().size()) / 17;
        const auto input = hosts(Afi::ipv6, 5000);
        Bytes out;
        CHECK(announce(out, e, input) == (5000 + per_message - 1) / per_message);
        CHECK(decode_all(out, ctx).announced == input);
        CHECK(out[19 + 4] == (attr_flag::optional | attr_flag::extended_length));

        Bytes w;
        auto n = append_withdrawals(w, ipv6_unicast, input, ctx);
        REQUIRE(n);
        const std::size_t per_withdrawal = (ctx.max_message() - 23 - 4 - 3) / 17;
        CHECK(*n == (5000 + per_withdrawal - 1) / per_withdrawal);
        CHECK(decode_all(w, ctx).withdrawn == input);
    }
}

TEST_CASE("builder: mixed prefix lengths pack tightly and decode back", "[wire]")
{
    std::mt19937 rng(4271);
    for (Afi afi : {Afi::ipv4, Afi::ipv6}) {
        for (bool add_path : {false, true}) {
            CodecContext ctx;
            ctx.add_path_ipv4 = ctx.add_path_ipv6 = add_path;
            const unsigned max = afi == Afi::ipv4 ? 32 : 128;
            std::vector<Nlri> input;
            for (int i = 0; i < 3000; ++i) {
                Address a = afi == Afi::ipv4 ? Address::v4(static_cast<std::uint32_t>(rng()))
                                             : Address::v6({});
                if (afi == Afi::ipv6)
                    for (auto& b : a.bytes)
                        b = static_cast<std::uint8_t>(rng());
                const auto len = static_cast<std::uint8_t>(rng() % (max + 1));
                input.push_back(
                    Nlri{Prefix::masked(a, len), add_path ? static_cast<PathId>(rng()) : 0});
            }
            const AfiSafi family{afi, Safi::unicast};
            const auto e = encoded(afi == Afi::ipv4 ? v4_attrs() : v6_attrs(), family, ctx);
            Bytes out;
            announce(out, e, input);
            CHECK(decode_all(out, ctx).announced == input);
            // Tight: no message could have taken the first prefix of the next one.
            const auto bodies = split(out, ctx.max_message());
            std::size_t next = 0;
            for (std::size_t m = 0; m + 1 < bodies.size(); ++m) {
                Reader r(bodies[m], header_size);
                auto o = decode_update(r, ctx);
                next += afi == Afi::ipv4 ? o.update.nlri.size()
                                         : o.update.path_attributes.mp_reach->nlri.size();
                const std::size_t item = (add_path ? 4 : 0) + 1 + input[next].prefix.wire_octets();
                CHECK(header_size + bodies[m].size() + item > ctx.max_message());
            }
            Bytes w;
            REQUIRE(append_withdrawals(w, family, input, ctx));
            CHECK(decode_all(w, ctx).withdrawn == input);
        }
    }
}

TEST_CASE("builder: IPv4 with an IPv6 next hop uses MP_REACH_NLRI (RFC 8950)", "[wire]")
{
    PathAttributes a = v4_attrs();
    a.next_hop.reset();
    a.mp_reach = MpReach{ipv4_unicast, *Address::parse("2001:db8::1"), std::nullopt, {}};
    const auto e = encoded(a, ipv4_unicast, {});
    CHECK(e.multiprotocol());
    Bytes out;
    const auto input = hosts(Afi::ipv4, 1000);
    CHECK(announce(out, e, input) == 2);
    CHECK(decode_all(out, {}).announced == input);
}

TEST_CASE("builder: withdrawals then announcements, never in one message (RFC 7606 §5.1)", "[wire]")
{
    Bytes out = {0xaa}; // existing content is kept
    const auto ann = hosts(Afi::ipv4, 10);
    const auto wd = hosts(Afi::ipv4, 1000);
    auto n = build_updates(out, v4_attrs(), ipv4_unicast, ann, wd, {});
    REQUIRE(n);
    CHECK(*n == 3); // 1000 withdrawals need 2 messages (814 per message), then 1
    REQUIRE(out[0] == 0xaa);
    const Bytes rest(out.begin() + 1, out.end());
    const auto d = decode_all(rest, {});
    CHECK(d.announced == ann);
    CHECK(d.withdrawn == wd);
    const auto bodies = split(rest, max_message_size);
    CHECK((bodies.front()[0] | bodies.front()[1]) != 0); // the first one withdraws
    CHECK((bodies.back()[0] | bodies.back()[1]) == 0);   // the last one only announces
}

TEST_CASE("builder: errors leave the buffer as it was", "[wire]")
{
    const auto e = encoded(v4_attrs(), ipv4_unicast, {});
    Bytes out = {1, 2, 3};
    auto input = hosts(Afi::ipv4, 2000);
    input[1500] = Nlri{*Prefix::parse("2001:db8::/32"), 0};
    auto n = append_announcements(out, e, input);
    REQUIRE_FALSE(n);
    CHECK(n.error().find("#1500") != std::string::npos);
    CHECK(out == Bytes{1, 2, 3});

    auto w = append_withdrawals(out, ipv6_unicast, hosts(Afi::ipv4, 1), {});
    REQUIRE_FALSE(w);
    CHECK(out == Bytes{1, 2, 3});

    PathAttributes no_nh = v6_attrs();
    no_nh.mp_reach.reset();
    CHECK_FALSE(EncodedAttributes::make(no_nh, ipv6_unicast, {}));
    PathAttributes no_origin = v4_attrs();
    no_origin.origin.reset();
    CHECK_FALSE(EncodedAttributes::make(no_origin, ipv4_unicast, {}));
    PathAttributes huge = v4_attrs();
    huge.communities = std::vector<Community>(1100, 1); // 4400 octets
    auto big = EncodedAttributes::make(huge, ipv4_unicast, {});
    REQUIRE_FALSE(big);
    CHECK(big.error().find("no room") != std::string::npos);
    CodecContext ext;
    ext.extended_message = true;
    CHECK(EncodedAttributes::make(huge, ipv4_unicast, ext));
    CHECK_FALSE(EncodedAttributes::make(v4_attrs(), AfiSafi{Afi::ipv4, static_cast<Safi>(2)}, {}));
}

TEST_CASE("builder: no prefixes, no messages", "[wire]")
{
    Bytes out;
    CHECK(*append_announcements(out, encoded(v4_attrs(), ipv4_unicast, {}), {}) == 0);
    CHECK(*append_withdrawals(out, ipv6_unicast, {}, {}) == 0);
    CHECK(out.empty());
}
