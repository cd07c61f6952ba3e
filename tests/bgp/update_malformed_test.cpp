// Malformed UPDATEs: one case per error of RFC 4271 §6.3 and per subsection of RFC 7606 §3-§7
// (plus RFC 6793 §6, RFC 8092 §6, RFC 9234 §5), each asserting code, subcode, RFC 7606 action
// and byte offset (counted from the first marker octet; the body starts at 19). Also: random
// truncations and bit flips of valid bodies never read out of bounds (run under ASan).
#include <random>

#include <catch2/catch.hpp>

#include "bgp/update.hpp"

using namespace vipd::bgp;

namespace {

constexpr std::uint8_t update_code = 3;

// ORIGIN IGP, empty AS_PATH, NEXT_HOP 192.0.2.1: 14 octets at bytes 23..36 of an UPDATE with
// no withdrawn routes; an attribute appended after them starts at byte 37.
const std::uint8_t mandatory[] = {
    0x40, 0x01, 0x01, 0x00,                   // 23: ORIGIN IGP
    0x40, 0x02, 0x00,                         // 27: AS_PATH, length 0
    0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // 30: NEXT_HOP 192.0.2.1
};
const std::uint8_t nlri24[] = {
    0x18, 0xc6, 0x33, 0x64, // 198.51.100.0/24
};

Bytes cat(std::initializer_list<ByteView> parts)
{
    Bytes out;
    for (auto p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes body_of(ByteView attrs, ByteView nlri = {}, ByteView withdrawn = {})
{
    Bytes b{static_cast<std::uint8_t>(withdrawn.size() >> 8),
            static_cast<std::uint8_t>(withdrawn.size())};
    b.insert(b.end(), withdrawn.begin(), withdrawn.end());
    b.push_back(static_cast<std::uint8_t>(attrs.size() >> 8));
    b.push_back(static_cast<std::uint8_t>(attrs.size()));
    b.insert(b.end(), attrs.begin(), attrs.end());
    b.insert(b.end(), nlri.begin(), nlri.end());
    return b;
}

// The mandatory attributes, then `extra` at byte 37, then 198.51.100.0/24.
Bytes announce_with(ByteView extra)
{
    return body_of(cat({mandatory, extra}), nlri24);
}

UpdateOutcome decode_body(ByteView body, const CodecContext& ctx = {},
                          PeerKind peer = PeerKind::internal)
{
    Reader r(body, header_size);
    auto o = decode_update(r, ctx, peer);
    CHECK(r.empty());
    return o;
}

CodecContext two_octet()
{
    CodecContext c;
    c.four_octet_as = false;
    return c;
}

// The strongest error must be exactly this.
const DecodeError& expect(const UpdateOutcome& o, std::uint8_t subcode, Rfc7606 action,
                          std::size_t offset)
{
    REQUIRE(o.error);
    INFO(to_string(*o.error));
    CHECK(o.error->code == update_code);
    CHECK(int(o.error->subcode) == int(subcode));
    CHECK(o.error->action == action);
    CHECK(o.error->offset == offset);
    CHECK_FALSE(o.error->what.empty());
    return *o.error;
}

Bytes bytes(ByteView v)
{
    return Bytes(v.begin(), v.end());
}

} // namespace

// ---- RFC 4271 §6.3 / RFC 7606 §3.b: lengths inconsistent with the message -------------------

TEST_CASE("update malformed: Withdrawn Routes Length beyond the message (RFC 7606 §3.b)", "[wire]")
{
    const std::uint8_t body[] = {
        0x00, 0x05, // 19: Withdrawn Routes Length 5, but only 2 octets follow
        0x00, 0x00, // 21
    };
    auto o = decode_body(body);
    const auto& e = expect(o, update_error::malformed_attribute_list, Rfc7606::session_reset, 19);
    CHECK(e.data.empty());
}

TEST_CASE("update malformed: Total Path Attribute Length beyond the message (RFC 7606 §3.b)",
          "[wire]")
{
    const std::uint8_t body[] = {
        0x00, 0x00,             // 19: Withdrawn Routes Length 0
        0x00, 0x10,             // 21: Total Path Attribute Length 16, only 4 follow
        0x40, 0x01, 0x01, 0x00, // 23: ORIGIN IGP
    };
    expect(decode_body(body), update_error::malformed_attribute_list, Rfc7606::session_reset, 21);
}

TEST_CASE("update malformed: body too short for its length fields (RFC 4271 §6.3)", "[wire]")
{
    const std::uint8_t one[] = {0x00}; // 19: half a Withdrawn Routes Length
    expect(decode_body(one), update_error::malformed_attribute_list, Rfc7606::session_reset, 19);
    const std::uint8_t three[] = {
        0x00, 0x00, // 19: Withdrawn Routes Length 0
        0x00,       // 21: half a Total Path Attribute Length
    };
    expect(decode_body(three), update_error::malformed_attribute_list, Rfc7606::session_reset, 21);
}

// ---- RFC 4271 §6.3: unrecognized well-known, missing well-known ---------------------------

TEST_CASE("update malformed: unrecognized well-known attribute → 3/2 (RFC 4271 §6.3)", "[wire]")
{
    const std::uint8_t extra[] = {
        0x40, 0x63, 0x01, // 37: flags well-known, type 99, length 1
        0xaa,             // 40: value
    };
    auto o = decode_body(announce_with(extra));
    const auto& e =
        expect(o, update_error::unrecognized_well_known_attribute, Rfc7606::session_reset, 37);
    CHECK(e.data == bytes(extra)); // RFC 4271 §6.3: data is the attribute
}

TEST_CASE("update malformed: missing well-known attribute → treat-as-withdraw (RFC 7606 §3.d)",
          "[wire]")
{
    SECTION("ORIGIN")
    {
        const std::uint8_t attrs[] = {
            0x40, 0x02, 0x00,                         // 23: AS_PATH, length 0
            0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // 26: NEXT_HOP 192.0.2.1
        };
        auto o = decode_body(body_of(attrs, nlri24));
        const auto& e =
            expect(o, update_error::missing_well_known_attribute, Rfc7606::treat_as_withdraw, 21);
        CHECK(e.data == Bytes{1}); // RFC 4271 §6.3: data is the missing type code
        CHECK(o.treat_as_withdraw);
        CHECK(o.update.nlri.size() == 1); // the routes to withdraw are still known
    }
    SECTION("AS_PATH")
    {
        const std::uint8_t attrs[] = {
            0x40, 0x01, 0x01, 0x00,                   // 23: ORIGIN IGP
            0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // 27: NEXT_HOP 192.0.2.1
        };
        auto o = decode_body(body_of(attrs, nlri24));
        CHECK(expect(o, update_error::missing_well_known_attribute, Rfc7606::treat_as_withdraw, 21)
                  .data == Bytes{2});
    }
    SECTION("NEXT_HOP with routes in the NLRI field")
    {
        const std::uint8_t attrs[] = {
            0x40, 0x01, 0x01, 0x00, // 23: ORIGIN IGP
            0x40, 0x02, 0x00,       // 27: AS_PATH, length 0
        };
        auto o = decode_body(body_of(attrs, nlri24));
        CHECK(expect(o, update_error::missing_well_known_attribute, Rfc7606::treat_as_withdraw, 21)
                  .data == Bytes{3});
    }
    SECTION("NEXT_HOP is not needed for MP_REACH_NLRI routes (RFC 4760 §3)")
    {
        const std::uint8_t attrs[] = {
            0x40, 0x01, 0x01, 0x00,                         // ORIGIN IGP
            0x40, 0x02, 0x00,                               // AS_PATH, length 0
            0x80, 0x0e, 0x1a,                               // MP_REACH_NLRI, length 26
            0x00, 0x02, 0x01, 0x10,                         //   IPv6 unicast, next hop 16
            0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   2001:db8::1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x00,                         //   reserved
            0x20, 0x20, 0x01, 0x0d, 0xb8, //   2001:db8::/32
        };
        auto o = decode_body(body_of(attrs));
        CHECK_FALSE(o.error);
        CHECK_FALSE(o.treat_as_withdraw);
    }
    SECTION("an UPDATE with only withdrawals needs none")
    {
        auto o = decode_body(body_of({}, {}, nlri24));
        CHECK_FALSE(o.error);
        CHECK(o.update.withdrawn_routes.size() == 1);
    }
}

// ---- RFC 7606 §3.c: Attribute Flags ---------------------------------------------------------

TEST_CASE("update malformed: attribute flags conflicting with the type (RFC 7606 §3.c)", "[wire]")
{
    SECTION("well-known ORIGIN marked optional → treat-as-withdraw")
    {
        const std::uint8_t attrs[] = {
            0xc0, 0x01, 0x01, 0x00,                   // 23: ORIGIN with Optional set
            0x40, 0x02, 0x00,                         // 27: AS_PATH, length 0
            0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // 30: NEXT_HOP
        };
        auto o = decode_body(body_of(attrs, nlri24));
        const auto& e =
            expect(o, update_error::attribute_flags_error, Rfc7606::treat_as_withdraw, 23);
        CHECK(e.data == (Bytes{0xc0, 0x01, 0x01, 0x00}));
        CHECK(o.errors.size() == 1); // present on the wire: not also "missing"
        CHECK_FALSE(o.update.path_attributes.origin);
    }
    SECTION("optional MULTI_EXIT_DISC marked well-known → treat-as-withdraw")
    {
        const std::uint8_t extra[] = {
            0x40, 0x04, 0x04,       // 37: MULTI_EXIT_DISC with Optional clear
            0x00, 0x00, 0x00, 0x01, //     1
        };
        expect(decode_body(announce_with(extra)), update_error::attribute_flags_error,
               Rfc7606::treat_as_withdraw, 37);
    }
    SECTION("MP_REACH_NLRI marked transitive → session reset (RFC 7606 §5.3)")
    {
        const std::uint8_t attrs[] = {
            0x40, 0x01, 0x01, 0x00,                         // 23: ORIGIN IGP
            0x40, 0x02, 0x00,                               // 27: AS_PATH, length 0
            0xc0, 0x0e, 0x1a,                               // 30: MP_REACH_NLRI, Transitive
            0x00, 0x02, 0x01, 0x10,                         //   IPv6 unicast, next hop 16
            0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   2001:db8::1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x00,                         //   reserved
            0x20, 0x20, 0x01, 0x0d, 0xb8, //   2001:db8::/32
        };
        expect(decode_body(body_of(attrs)), update_error::attribute_flags_error,
               Rfc7606::session_reset, 30);
    }
    SECTION("Partial on a well-known attribute is not checked")
    {
        const std::uint8_t attrs[] = {
            0x60, 0x01, 0x01, 0x00,                   // 23: ORIGIN with Partial set
            0x40, 0x02, 0x00,                         // 27: AS_PATH
            0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // 30: NEXT_HOP
        };
        CHECK_FALSE(decode_body(body_of(attrs, nlri24)).error);
    }
}

// ---- RFC 7606 §7.1-§7.4: ORIGIN, AS_PATH, NEXT_HOP, MULTI_EXIT_DISC ---------------------------

TEST_CASE("update malformed: ORIGIN (RFC 7606 §7.1)", "[wire]")
{
    SECTION("length 2 → 3/5 at the length field")
    {
        const std::uint8_t attrs[] = {
            0x40, 0x01, 0x02, 0x00, 0x00,             // 23: ORIGIN, length 2 (field at 25)
            0x40, 0x02, 0x00,                         // 28: AS_PATH
            0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // 31: NEXT_HOP
        };
        expect(decode_body(body_of(attrs, nlri24)), update_error::attribute_length_error,
               Rfc7606::treat_as_withdraw, 25);
    }
    SECTION("value 3 → 3/6 at the value (RFC 4271 §6.3 Invalid ORIGIN)")
    {
        const std::uint8_t attrs[] = {
            0x40, 0x01, 0x01, 0x03,                   // 23: ORIGIN, value 3 at 26
            0x40, 0x02, 0x00,                         // 27: AS_PATH
            0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // 30: NEXT_HOP
        };
        auto o = decode_body(body_of(attrs, nlri24));
        const auto& e =
            expect(o, update_error::invalid_origin_attribute, Rfc7606::treat_as_withdraw, 26);
        CHECK(e.data == (Bytes{0x40, 0x01, 0x01, 0x03}));
        CHECK(e.what.find("ORIGIN value 3") != std::string::npos);
    }
}

TEST_CASE("update malformed: AS_PATH → 3/11 treat-as-withdraw (RFC 7606 §7.2)", "[wire]")
{
    const auto with_path = [](ByteView as_path) {
        const std::uint8_t origin[] = {0x40, 0x01, 0x01, 0x00};
        const std::uint8_t next_hop[] = {0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01};
        return body_of(cat({origin, as_path, next_hop}), nlri24);
    };
    SECTION("segment overruns the attribute")
    {
        const std::uint8_t p[] = {
            0x40, 0x02, 0x06,       // 27: AS_PATH, length 6
            0x02, 0x03,             // 30: AS_SEQUENCE, 3 ASes (12 octets; 4 left) at 31
            0x00, 0x00, 0xfd, 0xe9, //     65001
        };
        expect(decode_body(with_path(p)), update_error::malformed_as_path,
               Rfc7606::treat_as_withdraw, 31);
    }
    SECTION("segment length zero")
    {
        const std::uint8_t p[] = {
            0x40, 0x02, 0x02, // 27: AS_PATH, length 2
            0x02, 0x00,       // 30: AS_SEQUENCE, 0 ASes (count at 31)
        };
        expect(decode_body(with_path(p)), update_error::malformed_as_path,
               Rfc7606::treat_as_withdraw, 31);
    }
    SECTION("unrecognized segment type")
    {
        const std::uint8_t p[] = {
            0x40, 0x02, 0x06,       // 27: AS_PATH, length 6
            0x05, 0x01,             // 30: segment type 5
            0x00, 0x00, 0xfd, 0xe9, //     65001
        };
        expect(decode_body(with_path(p)), update_error::malformed_as_path,
               Rfc7606::treat_as_withdraw, 30);
    }
    SECTION("a single octet after the last segment")
    {
        const std::uint8_t p[] = {
            0x40, 0x02, 0x07,       // 27: AS_PATH, length 7
            0x02, 0x01,             // 30: AS_SEQUENCE, 1 AS
            0x00, 0x00, 0xfd, 0xe9, //     65001
            0x02,                   // 36: lone octet
        };
        expect(decode_body(with_path(p)), update_error::malformed_as_path,
               Rfc7606::treat_as_withdraw, 36);
    }
}

TEST_CASE("update malformed: NEXT_HOP (RFC 7606 §7.3, RFC 4271 §6.3)", "[wire]")
{
    const std::uint8_t head[] = {
        0x40, 0x01, 0x01, 0x00, // 23: ORIGIN IGP
        0x40, 0x02, 0x00,       // 27: AS_PATH
    };
    SECTION("length 5 → 3/5")
    {
        const std::uint8_t nh[] = {
            0x40, 0x03, 0x05,             // 30: NEXT_HOP, length 5 (field at 32)
            0xc0, 0x00, 0x02, 0x01, 0x00, // 33
        };
        expect(decode_body(body_of(cat({head, nh}), nlri24)), update_error::attribute_length_error,
               Rfc7606::treat_as_withdraw, 32);
    }
    SECTION("0.0.0.0 → 3/8 at the address")
    {
        const std::uint8_t nh[] = {
            0x40, 0x03, 0x04,       // 30: NEXT_HOP, length 4
            0x00, 0x00, 0x00, 0x00, // 33: 0.0.0.0
        };
        auto o = decode_body(body_of(cat({head, nh}), nlri24));
        expect(o, update_error::invalid_next_hop_attribute, Rfc7606::treat_as_withdraw, 33);
        CHECK(o.update.nlri.size() == 1);
    }
    SECTION("multicast 224.0.0.1 → 3/8")
    {
        const std::uint8_t nh[] = {
            0x40, 0x03, 0x04,       // 30: NEXT_HOP, length 4
            0xe0, 0x00, 0x00, 0x01, // 33: 224.0.0.1
        };
        expect(decode_body(body_of(cat({head, nh}), nlri24)),
               update_error::invalid_next_hop_attribute, Rfc7606::treat_as_withdraw, 33);
    }
}

TEST_CASE("update malformed: MULTI_EXIT_DISC length 3 (RFC 7606 §7.4)", "[wire]")
{
    const std::uint8_t extra[] = {
        0x80, 0x04, 0x03, // 37: MULTI_EXIT_DISC, length 3 (field at 39)
        0x00, 0x00, 0x01, // 40
    };
    expect(decode_body(announce_with(extra)), update_error::attribute_length_error,
           Rfc7606::treat_as_withdraw, 39);
}

// ---- RFC 7606 §7.5-§7.10 ----------------------------------------------------------------------

TEST_CASE("update malformed: LOCAL_PREF (RFC 7606 §7.5)", "[wire]")
{
    const std::uint8_t extra[] = {
        0x40, 0x05, 0x02, // 37: LOCAL_PREF, length 2 (field at 39)
        0x00, 0x64,       // 40
    };
    expect(decode_body(announce_with(extra)), update_error::attribute_length_error,
           Rfc7606::treat_as_withdraw, 39);
    // From an external peer LOCAL_PREF is discarded whatever it holds.
    auto o = decode_body(announce_with(extra), {}, PeerKind::external);
    expect(o, update_error::optional_attribute_error, Rfc7606::attribute_discard, 37);
    CHECK_FALSE(o.treat_as_withdraw);
    CHECK_FALSE(o.update.path_attributes.local_pref);
}

TEST_CASE("update malformed: ATOMIC_AGGREGATE length 1 → attribute discard (RFC 7606 §7.6)",
          "[wire]")
{
    const std::uint8_t extra[] = {
        0x40, 0x06, 0x01, // 37: ATOMIC_AGGREGATE, length 1 (field at 39)
        0x00,             // 40
    };
    auto o = decode_body(announce_with(extra));
    const auto& e = expect(o, update_error::attribute_length_error, Rfc7606::attribute_discard, 39);
    CHECK(e.data == bytes(extra));
    CHECK_FALSE(o.treat_as_withdraw);
    CHECK_FALSE(o.update.path_attributes.atomic_aggregate);
    CHECK(o.update.nlri.size() == 1);
}

TEST_CASE("update malformed: AGGREGATOR of the wrong width → attribute discard (RFC 7606 §7.7)",
          "[wire]")
{
    const std::uint8_t seven[] = {
        0xc0, 0x07, 0x07,                         // 37: AGGREGATOR, length 7 (field at 39)
        0x00, 0x00, 0xfd, 0xe9, 0x0a, 0x00, 0x00, // 40
    };
    auto o = decode_body(announce_with(seven));
    expect(o, update_error::attribute_length_error, Rfc7606::attribute_discard, 39);
    CHECK_FALSE(o.update.path_attributes.aggregator);

    const std::uint8_t eight[] = {
        0xc0, 0x07, 0x08,       // 37: AGGREGATOR, length 8: wrong between 2-octet speakers
        0x00, 0x00, 0xfd, 0xe9, // 40
        0x0a, 0x00, 0x00, 0x01,
    };
    expect(decode_body(announce_with(eight), two_octet()), update_error::attribute_length_error,
           Rfc7606::attribute_discard, 39);
}

TEST_CASE("update malformed: COMMUNITIES → treat-as-withdraw (RFC 7606 §7.8)", "[wire]")
{
    const std::uint8_t seven[] = {
        0xc0, 0x08, 0x07,                         // 37: COMMUNITIES, length 7 (field at 39)
        0xfd, 0xe9, 0x00, 0x01, 0xfd, 0xe9, 0x00, // 40
    };
    auto o = decode_body(announce_with(seven));
    expect(o, update_error::attribute_length_error, Rfc7606::treat_as_withdraw, 39);
    CHECK(o.treat_as_withdraw);
    const std::uint8_t empty[] = {
        0xc0, 0x08, 0x00, // 37: COMMUNITIES, length 0 (RFC 7606 §4: not allowed)
    };
    expect(decode_body(announce_with(empty)), update_error::attribute_length_error,
           Rfc7606::treat_as_withdraw, 39);
}

TEST_CASE("update malformed: ORIGINATOR_ID (RFC 7606 §7.9)", "[wire]")
{
    const std::uint8_t extra[] = {
        0x80, 0x09, 0x03, // 37: ORIGINATOR_ID, length 3 (field at 39)
        0x0a, 0x00, 0x00, // 40
    };
    expect(decode_body(announce_with(extra)), update_error::attribute_length_error,
           Rfc7606::treat_as_withdraw, 39);
    expect(decode_body(announce_with(extra), {}, PeerKind::external),
           update_error::optional_attribute_error, Rfc7606::attribute_discard, 37);
}

TEST_CASE("update malformed: CLUSTER_LIST (RFC 7606 §7.10)", "[wire]")
{
    const std::uint8_t extra[] = {
        0x80, 0x0a, 0x06,                   // 37: CLUSTER_LIST, length 6 (field at 39)
        0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, // 40
    };
    expect(decode_body(announce_with(extra)), update_error::attribute_length_error,
           Rfc7606::treat_as_withdraw, 39);
    expect(decode_body(announce_with(extra), {}, PeerKind::external),
           update_error::optional_attribute_error, Rfc7606::attribute_discard, 37);
}

// ---- RFC 7606 §7.11/§5.3: MP_REACH_NLRI / MP_UNREACH_NLRI --------------------------------------

TEST_CASE("update malformed: MP_REACH_NLRI (RFC 7606 §7.11, §5.3, RFC 4760 §7)", "[wire]")
{
    const std::uint8_t head[] = {
        0x40, 0x01, 0x01, 0x00, // 23: ORIGIN IGP
        0x40, 0x02, 0x00,       // 27: AS_PATH
    };
    SECTION("next hop length 8 for IPv6 → 3/9 session reset at the length octet")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0e, 0x0d,                               // 30: MP_REACH_NLRI, length 13
            0x00, 0x02, 0x01,                               // 33: IPv6 unicast
            0x08,                                           // 36: next hop length 8
            0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01, // 37
            0x00,                                           // reserved
        };
        expect(decode_body(body_of(cat({head, mp}))), update_error::optional_attribute_error,
               Rfc7606::session_reset, 36);
    }
    SECTION("shorter than 5 octets → 3/5 session reset")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0e, 0x04,       // 30: MP_REACH_NLRI, length 4 (field at 32)
            0x00, 0x02, 0x01, 0x10, // 33
        };
        expect(decode_body(body_of(cat({head, mp}))), update_error::attribute_length_error,
               Rfc7606::session_reset, 32);
    }
    SECTION("NLRI prefix length 129 → 3/9 session reset at that prefix")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0e, 0x16,                               // 30: MP_REACH_NLRI, length 22
            0x00, 0x02, 0x01, 0x10,                         // 33: IPv6 unicast, next hop 16
            0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, // 37: 2001:db8::1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x00, // 53: reserved
            0x81, // 54: /129
        };
        expect(decode_body(body_of(cat({head, mp}))), update_error::optional_attribute_error,
               Rfc7606::session_reset, 54);
    }
    SECTION("multicast next hop → 3/8 treat-as-withdraw, routes kept for withdrawal")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0e, 0x1a,                               // 30: MP_REACH_NLRI, length 26
            0x00, 0x02, 0x01, 0x10,                         // 33: IPv6 unicast, next hop 16
            0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 37: ff02::1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x00,                         // reserved
            0x20, 0x20, 0x01, 0x0d, 0xb8, // 2001:db8::/32
        };
        auto o = decode_body(body_of(cat({head, mp})));
        expect(o, update_error::invalid_next_hop_attribute, Rfc7606::treat_as_withdraw, 37);
        REQUIRE(o.update.path_attributes.mp_reach);
        CHECK(o.update.path_attributes.mp_reach->nlri.size() == 1);
    }
    SECTION("an AFI/SAFI vipd does not carry → AFI/SAFI disable (RFC 4760 §7)")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0e, 0x0d,       // 30: MP_REACH_NLRI, length 13
            0x00, 0x01, 0x02,       // 33: IPv4 multicast
            0x04,                   //     next hop length 4
            0xc0, 0x00, 0x02, 0x01, //     192.0.2.1
            0x00,                   //     reserved
            0x18, 0xe8, 0x00, 0x00, //     232.0.0.0/24
        };
        auto o = decode_body(body_of(cat({head, mp})));
        expect(o, update_error::optional_attribute_error, Rfc7606::afisafi_disable, 33);
        CHECK(o.disabled_families ==
              std::vector<AfiSafi>{AfiSafi{Afi::ipv4, static_cast<Safi>(2)}});
        CHECK_FALSE(o.update.path_attributes.mp_reach);
    }
    SECTION("... without NLRI and with other attributes → session reset (RFC 7606 §5.2)")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0e, 0x09,       // 30: MP_REACH_NLRI, length 9
            0x00, 0x01, 0x02,       // 33: IPv4 multicast
            0x04,                   //     next hop length 4
            0xc0, 0x00, 0x02, 0x01, //     192.0.2.1
            0x00,                   //     reserved, no NLRI
        };
        expect(decode_body(body_of(cat({head, mp}))), update_error::optional_attribute_error,
               Rfc7606::session_reset, 33);
    }
}

TEST_CASE("update malformed: MP_UNREACH_NLRI (RFC 7606 §5.3, RFC 4760 §7)", "[wire]")
{
    SECTION("shorter than 3 octets → 3/5 session reset")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0f, 0x02, // 23: MP_UNREACH_NLRI, length 2 (field at 25)
            0x00, 0x02,       // 26
        };
        expect(decode_body(body_of(mp)), update_error::attribute_length_error,
               Rfc7606::session_reset, 25);
    }
    SECTION("a withdrawn prefix overruns the attribute → 3/9 session reset")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0f, 0x05, // 23: MP_UNREACH_NLRI, length 5
            0x00, 0x02, 0x01, // 26: IPv6 unicast
            0x40, 0x20,       // 29: /64 needs 8 octets, 1 left
        };
        expect(decode_body(body_of(mp)), update_error::optional_attribute_error,
               Rfc7606::session_reset, 29);
    }
    SECTION("an AFI/SAFI vipd does not carry → AFI/SAFI disable")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0f, 0x03, // 23: MP_UNREACH_NLRI, length 3
            0x00, 0x19, 0x41, // 26: AFI 25 (L2VPN), SAFI 65 (VPLS)
        };
        auto o = decode_body(body_of(mp));
        expect(o, update_error::optional_attribute_error, Rfc7606::afisafi_disable, 26);
        CHECK(o.disabled_families.size() == 1);
    }
}

// ---- RFC 7606 §7.14-§7.16, RFC 8092 §6, RFC 9234 §5, RFC 6793 §6 -------------------------------

TEST_CASE("update malformed: EXTENDED_COMMUNITIES length 9 (RFC 7606 §7.14)", "[wire]")
{
    const std::uint8_t extra[] = {
        0xc0, 0x10, 0x09,                                     // 37: length 9 (field at 39)
        0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x64, 0x00, // 40
    };
    expect(decode_body(announce_with(extra)), update_error::attribute_length_error,
           Rfc7606::treat_as_withdraw, 39);
}

TEST_CASE(
    "update malformed: types vipd does not interpret are passed on (RFC 7606 §7.13/7.15/7.16)",
    "[wire]")
{
    const std::uint8_t extra[] = {
        0xc0, 0x19, 0x05,             // 37: IPv6 Address Specific Ext. Community, length 5
        0x00, 0x02, 0x20, 0x01, 0x0d, // 40: not a multiple of 20, but opaque to vipd
    };
    auto o = decode_body(announce_with(extra));
    CHECK_FALSE(o.error);
    REQUIRE(o.update.path_attributes.unknown.size() == 1);
    CHECK(o.update.path_attributes.unknown[0].type == 25);
}

TEST_CASE("update malformed: LARGE_COMMUNITIES length 13 (RFC 8092 §6)", "[wire]")
{
    const std::uint8_t extra[] = {
        0xc0, 0x20, 0x0d,                               // 37: length 13 (field at 39)
        0x00, 0x00, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x01, // 40
        0x00, 0x00, 0x00, 0x02, 0x00,
    };
    expect(decode_body(announce_with(extra)), update_error::attribute_length_error,
           Rfc7606::treat_as_withdraw, 39);
}

TEST_CASE("update malformed: ONLY_TO_CUSTOMER length 3 (RFC 9234 §5)", "[wire]")
{
    const std::uint8_t extra[] = {
        0xc0, 0x23, 0x03, // 37: OTC, length 3 (field at 39)
        0x00, 0xfd, 0xe8, // 40
    };
    expect(decode_body(announce_with(extra)), update_error::attribute_length_error,
           Rfc7606::treat_as_withdraw, 39);
}

TEST_CASE("update malformed: AS4_PATH / AS4_AGGREGATOR (RFC 6793 §4.1, §6)", "[wire]")
{
    SECTION("from a 4-octet peer: discarded")
    {
        const std::uint8_t extra[] = {
            0xc0, 0x11, 0x06,                   // 37: AS4_PATH, length 6
            0x02, 0x01, 0xfa, 0x56, 0xea, 0x00, // 40: AS_SEQUENCE 4200000000
        };
        auto o = decode_body(announce_with(extra));
        expect(o, update_error::optional_attribute_error, Rfc7606::attribute_discard, 37);
        CHECK(o.update.path_attributes.as_path == AsPath{});
    }
    SECTION("malformed from a 2-octet peer: discarded, AS_PATH used as is")
    {
        const std::uint8_t extra[] = {
            0xc0, 0x11, 0x02, // 37: AS4_PATH, length 2
            0x02, 0x00,       // 40: AS_SEQUENCE, 0 ASes (count at 41)
        };
        auto o = decode_body(announce_with(extra), two_octet());
        expect(o, update_error::optional_attribute_error, Rfc7606::attribute_discard, 41);
        CHECK(o.update.path_attributes.as_path == AsPath{});
        CHECK_FALSE(o.update.path_attributes.as4_path);
    }
    SECTION("confederation segments in AS4_PATH are dropped, the rest is used")
    {
        const std::uint8_t attrs[] = {
            0x40, 0x01, 0x01, 0x00,                   // 23: ORIGIN IGP
            0x40, 0x02, 0x04, 0x02, 0x01, 0x5b, 0xa0, // 27: AS_PATH: AS_SEQUENCE AS_TRANS
            0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // 34: NEXT_HOP
            0xc0, 0x11, 0x0c,                         // 41: AS4_PATH, length 12
            0x03, 0x01, 0x00, 0x00, 0xfd, 0xe9,       // 44: AS_CONFED_SEQUENCE 65001
            0x02, 0x01, 0xfa, 0x56, 0xea, 0x00,       //     AS_SEQUENCE 4200000000
        };
        auto o = decode_body(body_of(attrs, nlri24), two_octet());
        expect(o, update_error::optional_attribute_error, Rfc7606::attribute_discard, 44);
        CHECK(o.update.path_attributes.as_path ==
              AsPath{{{SegmentType::as_sequence, {4200000000}}}});
    }
    SECTION("AS4_AGGREGATOR length 7: discarded")
    {
        const std::uint8_t extra[] = {
            0xc0, 0x12, 0x07,                         // 37: AS4_AGGREGATOR, length 7
            0xfa, 0x56, 0xea, 0x00, 0x0a, 0x00, 0x00, // 40
        };
        expect(decode_body(announce_with(extra), two_octet()), update_error::attribute_length_error,
               Rfc7606::attribute_discard, 39);
    }
}

// ---- RFC 7606 §3.g: repeated attributes --------------------------------------------------------

TEST_CASE("update malformed: repeated attributes (RFC 7606 §3.g)", "[wire]")
{
    SECTION("a second ORIGIN is discarded, the first kept")
    {
        const std::uint8_t extra[] = {
            0x40, 0x01, 0x01, 0x01, // 37: ORIGIN EGP (again)
        };
        auto o = decode_body(announce_with(extra));
        expect(o, update_error::malformed_attribute_list, Rfc7606::attribute_discard, 37);
        CHECK(o.update.path_attributes.origin == Origin::igp);
    }
    SECTION("a second MP_REACH_NLRI resets the session")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0e, 0x1a,                               // MP_REACH_NLRI, length 26
            0x00, 0x02, 0x01, 0x10,                         //   IPv6 unicast, next hop 16
            0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   2001:db8::1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x00,                         //   reserved
            0x20, 0x20, 0x01, 0x0d, 0xb8, //   2001:db8::/32
        };
        const std::uint8_t head[] = {
            0x40, 0x01, 0x01, 0x00, // 23: ORIGIN IGP
            0x40, 0x02, 0x00,       // 27: AS_PATH; first MP_REACH_NLRI at 30, second at 59
        };
        expect(decode_body(body_of(cat({head, mp, mp}))), update_error::malformed_attribute_list,
               Rfc7606::session_reset, 59);
    }
    SECTION("a second MP_UNREACH_NLRI resets the session")
    {
        const std::uint8_t mp[] = {
            0x80, 0x0f, 0x03, 0x00, 0x02, 0x01, // MP_UNREACH_NLRI IPv6, no routes
        };
        expect(decode_body(body_of(cat({mp, mp}))), update_error::malformed_attribute_list,
               Rfc7606::session_reset, 29);
    }
}

// ---- RFC 7606 §4: the attribute list itself -----------------------------------------------------

TEST_CASE("update malformed: attribute list framing → treat-as-withdraw (RFC 7606 §4)", "[wire]")
{
    SECTION("too few octets left for an attribute header")
    {
        const std::uint8_t extra[] = {
            0x40, 0x08, // 37: flags and type, no length
        };
        auto o = decode_body(announce_with(extra));
        expect(o, update_error::malformed_attribute_list, Rfc7606::treat_as_withdraw, 37);
        CHECK(o.update.nlri.size() == 1); // the Total Path Attribute Length still finds them
    }
    SECTION("Extended Length header cut short")
    {
        const std::uint8_t extra[] = {
            0xd0, 0x08, 0x00, // 37: Extended Length flag, one length octet only
        };
        expect(decode_body(announce_with(extra)), update_error::malformed_attribute_list,
               Rfc7606::treat_as_withdraw, 37);
    }
    SECTION("the last attribute overruns the Total Path Attribute Length")
    {
        const std::uint8_t extra[] = {
            0xc0, 0x08, 0x0a, // 37: COMMUNITIES, length 10 (field at 39), 2 octets left
            0xfd, 0xe9,       // 40
        };
        auto o = decode_body(announce_with(extra));
        expect(o, update_error::malformed_attribute_list, Rfc7606::treat_as_withdraw, 39);
        CHECK(o.update.nlri.size() == 1);
    }
}

// ---- RFC 7606 §5.3 / §3.i: NLRI and Withdrawn Routes --------------------------------------------

TEST_CASE("update malformed: NLRI and Withdrawn Routes syntax → 3/10 session reset (RFC 7606 §5.3)",
          "[wire]")
{
    SECTION("NLRI prefix length 33")
    {
        const std::uint8_t nlri[] = {
            0x21, 0xc6, 0x33, 0x64, 0x0a, 0x00, // 37: /33
        };
        expect(decode_body(body_of(mandatory, nlri)), update_error::invalid_network_field,
               Rfc7606::session_reset, 37);
    }
    SECTION("NLRI prefix runs past the message")
    {
        const std::uint8_t nlri[] = {
            0x18, 0xc6, 0x33, 0x64, // 37: /24
            0x18, 0xc6,             // 41: /24 with 1 of 3 octets
        };
        expect(decode_body(body_of(mandatory, nlri)), update_error::invalid_network_field,
               Rfc7606::session_reset, 41);
    }
    SECTION("Withdrawn Routes prefix length 33 (RFC 7606 §3.i)")
    {
        const std::uint8_t withdrawn[] = {
            0x21, 0xc6, 0x33, 0x64, 0x0a, 0x00, // 21: /33
        };
        expect(decode_body(body_of({}, {}, withdrawn)), update_error::invalid_network_field,
               Rfc7606::session_reset, 21);
    }
    SECTION("ADD-PATH: path identifier cut short (RFC 7911 §3)")
    {
        CodecContext ctx;
        ctx.add_path_ipv4 = true;
        const std::uint8_t nlri[] = {
            0x00, 0x00, 0x00, // 37: 3 of 4 path identifier octets
        };
        expect(decode_body(body_of(mandatory, nlri), ctx), update_error::invalid_network_field,
               Rfc7606::session_reset, 37);
    }
}

// ---- RFC 7606 §5.2, §3.h
// -------------------------------------------------------------------------

TEST_CASE("update malformed: no reachable NLRI turns errors into session reset (RFC 7606 §5.2)",
          "[wire]")
{
    const std::uint8_t withdrawn[] = {0x18, 0xc6, 0x33, 0x64}; // 21: 198.51.100.0/24
    SECTION("treat-as-withdraw becomes session reset")
    {
        const std::uint8_t attrs[] = {
            0xc0, 0x08, 0x03, // 27: COMMUNITIES, length 3 (field at 29)
            0x00, 0x00, 0x01, // 30
        };
        expect(decode_body(body_of(attrs, {}, withdrawn)), update_error::attribute_length_error,
               Rfc7606::session_reset, 29);
    }
    SECTION("attribute discard stays attribute discard")
    {
        const std::uint8_t attrs[] = {
            0x40, 0x06, 0x01, // 27: ATOMIC_AGGREGATE, length 1 (field at 29)
            0x00,             // 30
        };
        expect(decode_body(body_of(attrs, {}, withdrawn)), update_error::attribute_length_error,
               Rfc7606::attribute_discard, 29);
    }
}

TEST_CASE("update malformed: the strongest action wins, every error is listed (RFC 7606 §3.h)",
          "[wire]")
{
    const std::uint8_t extra[] = {
        0x40, 0x06, 0x01, 0x00, // 37: ATOMIC_AGGREGATE, length 1: attribute discard
        0xc0, 0x08, 0x03,       // 41: COMMUNITIES, length 3 (field at 43): treat-as-withdraw
        0x00, 0x00, 0x01,       // 44
    };
    auto o = decode_body(announce_with(extra));
    expect(o, update_error::attribute_length_error, Rfc7606::treat_as_withdraw, 43);
    REQUIRE(o.errors.size() == 2);
    CHECK(o.errors[0].action == Rfc7606::attribute_discard);
    CHECK(o.errors[0].offset == 39);
    CHECK(o.treat_as_withdraw);

    const std::uint8_t bad_origin[] = {
        0x40, 0x01, 0x01, 0x07,                   // 23: ORIGIN 7: treat-as-withdraw
        0x40, 0x02, 0x00,                         // 27: AS_PATH
        0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, // 30: NEXT_HOP
    };
    const std::uint8_t bad_nlri[] = {0x21}; // 37: /33: session reset
    auto both = decode_body(body_of(bad_origin, bad_nlri));
    expect(both, update_error::invalid_network_field, Rfc7606::session_reset, 37);
    CHECK(both.errors.size() == 2);
}

TEST_CASE("update malformed: attributes after a malformed MP_REACH_NLRI (RFC 7606 §3.j)", "[wire]")
{
    // The MP_REACH_NLRI cannot be parsed, so its routes cannot be withdrawn: session reset. The
    // walk still goes on (attribute framing does not depend on MP content) and reports the rest.
    const std::uint8_t attrs[] = {
        0x80, 0x0e, 0x0d,                               // 23: MP_REACH_NLRI, length 13
        0x00, 0x02, 0x01,                               // 26: IPv6 unicast
        0x05,                                           // 29: next hop length 5
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01, // 30
        0x00,                                           // 38
        0x40, 0x01, 0x01, 0x09,                         // 39: ORIGIN 9 (value at 42)
        0x40, 0x02, 0x00,                               // 43: AS_PATH
        0x40, 0x06, 0x01, 0x00,                         // 46: ATOMIC_AGGREGATE, length 1
    };
    auto o = decode_body(body_of(attrs));
    expect(o, update_error::optional_attribute_error, Rfc7606::session_reset, 29);
    REQUIRE(o.errors.size() == 3);
    CHECK(int(o.errors[1].subcode) == int(update_error::invalid_origin_attribute));
    CHECK(o.errors[1].offset == 42);
    CHECK(o.errors[2].action == Rfc7606::attribute_discard);
    CHECK(o.errors[2].offset == 48);
}

// ---- robustness -------------------------------------------------------------------------------

TEST_CASE("update malformed: truncations and bit flips never read out of bounds", "[wire]")
{
    const std::uint8_t mp[] = {
        0x80, 0x0e, 0x31,                               // MP_REACH_NLRI, length 49
        0x00, 0x02, 0x01, 0x20,                         //   IPv6 unicast, next hop 32
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, //   2001:db8::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, //   fe80::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00,                                     //   reserved
        0x20, 0x20, 0x01, 0x0d, 0xb8,             //   2001:db8::/32
        0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, //   2001:db8:1::/48
        0x80, 0x0f, 0x08, 0x00, 0x01, 0x01,       // MP_UNREACH_NLRI IPv4
        0x20, 0xc6, 0x33, 0x64, 0x0b,             //   198.51.100.11/32
        0x40, 0x02, 0x0e, 0x02, 0x03,             // AS_PATH, AS_SEQUENCE 3
        0x00, 0x00, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x00, 0xfd, 0xea,
        0xc0, 0x07, 0x08, 0x00, 0x00, 0xfd, 0xe9, 0x0a, 0x00, 0x00, 0x01, // AGGREGATOR
        0xc0, 0x08, 0x04, 0xff, 0xff, 0x00, 0x00,                         // COMMUNITIES
        0xc0, 0x20, 0x0c, 0,    0,    0,    1,    0,    0,    0,    2,    0,
        0,    0,    3,                // LARGE_COMMUNITIES
        0xe0, 0x63, 0x02, 0xaa, 0xbb, // unknown 99
    };
    const std::uint8_t as4_path[] = {
        0xc0, 0x11, 0x06,                   // AS4_PATH, length 6
        0x02, 0x01, 0xfa, 0x56, 0xea, 0x00, //   AS_SEQUENCE 4200000000
    };
    const std::vector<Bytes> seeds = {
        announce_with(mp),
        body_of(mandatory, nlri24, nlri24),
        announce_with(as4_path),
    };
    std::vector<CodecContext> contexts(4);
    contexts[1].four_octet_as = false;
    contexts[2].add_path_ipv4 = contexts[2].add_path_ipv6 = true;
    contexts[3].four_octet_as = false;
    contexts[3].add_path_ipv6 = true;

    std::mt19937 rng(7606);
    std::size_t decoded = 0;
    for (const auto& seed : seeds) {
        for (const auto& ctx : contexts) {
            const auto run = [&](const Bytes& body) {
                auto o = decode_body(body, ctx);
                for (const auto& e : o.errors)
                    REQUIRE(e.offset <= header_size + body.size());
                if (!o.error || o.error->action != Rfc7606::session_reset) {
                    Bytes out; // whatever decoded must encode without trouble
                    Writer w(out);
                    encode_update_body(o.update, w, ctx);
                    REQUIRE(out.size() == update_body_size(o.update, ctx));
                    ++decoded;
                }
            };
            for (std::size_t n = 0; n <= seed.size(); ++n)
                run(Bytes(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(n)));
            for (int i = 0; i < 3000; ++i) {
                Bytes b = seed;
                const int flips = 1 + static_cast<int>(rng() % 3);
                for (int f = 0; f < flips; ++f)
                    b[rng() % b.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
                run(b);
            }
        }
    }
    CHECK(decoded > 0);
}
