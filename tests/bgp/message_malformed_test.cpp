// Malformed messages: one case per header error of RFC 4271 §6.1 (with RFC 8654 §4 sizes),
// ROUTE-REFRESH 7/1 (RFC 7313 §5), each asserting code, subcode, data, offset and RFC 7606
// action; and the fuzzer regression vectors of tests/data/regressions/*.hex, which must decode
// (or fail cleanly) under every codec context and re-encode to something that decodes again.
#include <filesystem>

#include <catch2/catch.hpp>

#include "bgp/framer.hpp"
#include "bgp/message.hpp"
#include "bgp/update.hpp"
#include "helpers/test_data.hpp"

using namespace vipd::bgp;

namespace {

void require_error(ByteView wire, const CodecContext& ctx, std::uint8_t code, std::uint8_t subcode,
                   const Bytes& data, std::size_t offset)
{
    auto decoded = decode_message(wire, ctx);
    REQUIRE_FALSE(decoded.has_value());
    const DecodeError& e = decoded.error();
    CHECK(e.code == code);
    CHECK(e.subcode == subcode);
    CHECK(e.data == data);
    CHECK(e.offset == offset);
    CHECK(e.action == Rfc7606::session_reset);
    CHECK_FALSE(e.what.empty());
}

// A header with the given length and type and `body` zero octets after it.
Bytes message(std::uint16_t length, std::uint8_t type, std::size_t body)
{
    Bytes out(marker_size, 0xff);
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length));
    out.push_back(type);
    out.resize(out.size() + body, 0);
    return out;
}

CodecContext extended()
{
    CodecContext ctx;
    ctx.extended_message = true;
    return ctx;
}

} // namespace

TEST_CASE("malformed: marker not all ones → 1/1 Connection Not Synchronized", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff,             // marker, octet 5 is 0xfe
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, // length 19
        0x04,                                                       // type KEEPALIVE
    };
    require_error(wire, {}, 1, 1, {}, 5);
}

TEST_CASE("malformed: marker is checked before length and type", "[wire]")
{
    const std::uint8_t wire[] = {
        0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker, octet 0 is 0x00
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x05, // length 5 (also bad)
        0x09,                                                       // type 9 (also bad)
    };
    require_error(wire, {}, 1, 1, {}, 0);
}

TEST_CASE("malformed: length below 19 → 1/2 with the length field as data", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x12, // length 18
        0x04,                                                       // type KEEPALIVE
    };
    require_error(wire, {}, 1, 2, {0x00, 0x12}, 16);
}

TEST_CASE("malformed: length is checked before type", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, // length 0
        0x09,                                                       // type 9 (also bad)
    };
    require_error(wire, {}, 1, 2, {0x00, 0x00}, 16);
}

TEST_CASE("malformed: length above 4096 without extended message → 1/2", "[wire]")
{
    Bytes wire = message(4097, 2, 4097 - 19); // UPDATE of 4097 octets
    require_error(wire, {}, 1, 2, {0x10, 0x01}, 16);
    // RFC 8654 §4: with the extended message capability the header is acceptable.
    auto h = decode_header(wire, extended());
    REQUIRE(h.has_value());
    CHECK(h->length == 4097);
}

TEST_CASE("malformed: OPEN above 4096 even with extended message → 1/2 (RFC 8654 §4)", "[wire]")
{
    Bytes wire = message(4097, 1, 4097 - 19);
    require_error(wire, extended(), 1, 2, {0x10, 0x01}, 16);
}

TEST_CASE("malformed: KEEPALIVE longer than 19 even with extended message → 1/2", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x14, // length 20
        0x04,                                                       // type KEEPALIVE
        0x00,                                                       // stray octet
    };
    require_error(wire, {}, 1, 2, {0x00, 0x14}, 16);
    require_error(wire, extended(), 1, 2, {0x00, 0x14}, 16);
}

TEST_CASE("malformed: OPEN shorter than 29 → 1/2", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1c, // length 28
        0x01,                                                       // type OPEN
        0x04,                                                       // version 4
        0xfd, 0xe9,                                                 // my AS 65001
        0x00, 0x5a,                                                 // hold time 90
        0xc0, 0x00, 0x02, 0x01, // BGP identifier, no opt. length
    };
    require_error(wire, {}, 1, 2, {0x00, 0x1c}, 16);
}

TEST_CASE("malformed: UPDATE shorter than 23 → 1/2", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x16, // length 22
        0x02,                                                       // type UPDATE
        0x00, 0x00,                                                 // withdrawn routes length 0
        0x00,                                                       // half an attribute length
    };
    require_error(wire, {}, 1, 2, {0x00, 0x16}, 16);
}

TEST_CASE("malformed: NOTIFICATION shorter than 21 → 1/2", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x14, // length 20
        0x03,                                                       // type NOTIFICATION
        0x06,                                                       // code 6, no subcode
    };
    require_error(wire, {}, 1, 2, {0x00, 0x14}, 16);
}

TEST_CASE("malformed: unknown type → 1/3 with the type octet as data", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, // length 19
        0x06,                                                       // type 6 (unassigned)
    };
    require_error(wire, {}, 1, 3, {0x06}, 18);
    Bytes zero(std::begin(wire), std::end(wire));
    zero[18] = 0x00; // type 0 is reserved
    require_error(zero, {}, 1, 3, {0x00}, 18);
}

TEST_CASE("malformed: fewer octets than a header → 1/2", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, // length 19, type missing
    };
    require_error(wire, {}, 1, 2, {0x00, 0x13}, 18);
    require_error(ByteView{}, {}, 1, 2, {}, 0);
}

TEST_CASE("malformed: length field disagrees with the octets given → 1/2", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x17, // length 23
        0x02,                                                       // type UPDATE
        0x00, 0x00,                                                 // withdrawn routes length 0
    };
    require_error(wire, {}, 1, 2, {0x00, 0x17}, 16);
}

TEST_CASE("malformed: ROUTE-REFRESH of the wrong length → 7/1 with the whole message", "[wire]")
{
    SECTION("BoRR with 5 body octets")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x18, // length 24
            0x05,                                                       // type ROUTE-REFRESH
            0x00, 0x01,                                                 // AFI 1 IPv4
            0x01,                                                       // subtype 1 BoRR
            0x01,                                                       // SAFI 1 unicast
            0x00,                                                       // stray octet
        };
        require_error(wire, {}, 7, 1, Bytes(std::begin(wire), std::end(wire)), 16);
    }
    SECTION("3 body octets")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x16, // length 22
            0x05,                                                       // type ROUTE-REFRESH
            0x00, 0x01,                                                 // AFI 1 IPv4
            0x02, // subtype 2 EoRR, SAFI missing
        };
        require_error(wire, {}, 7, 1, Bytes(std::begin(wire), std::end(wire)), 16);
    }
    SECTION("subtype 0 with ORF entries (never negotiated)")
    {
        const std::uint8_t wire[] = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1b, // length 27
            0x05,                                                       // type ROUTE-REFRESH
            0x00, 0x01,                                                 // AFI 1 IPv4
            0x00,                                                       // subtype 0
            0x01,                                                       // SAFI 1 unicast
            0x01,       // ORF when-to-refresh IMMEDIATE
            0x40,       // ORF type 64
            0x00, 0x00, // ORF length 0
        };
        require_error(wire, {}, 7, 1, Bytes(std::begin(wire), std::end(wire)), 16);
    }
    SECTION("header alone")
    {
        Bytes wire = message(19, 5, 0);
        require_error(wire, {}, 7, 1, wire, 16);
    }
}

// ---------------------------------------------------------------------------------------------
// Fuzzer regressions (tests/data/regressions/*.hex; see tests/fuzz/decode_fuzzer.cpp).

namespace {

std::vector<CodecContext> every_context()
{
    std::vector<CodecContext> out;
    for (int bits = 0; bits < 16; ++bits) {
        CodecContext ctx;
        ctx.four_octet_as = (bits & 1) != 0;
        ctx.extended_message = (bits & 2) != 0;
        ctx.add_path_ipv4 = (bits & 4) != 0;
        ctx.add_path_ipv6 = (bits & 8) != 0;
        out.push_back(ctx);
    }
    return out;
}

// What one encode legitimately changes: RFC 4271 §5 passes an unrecognized optional
// transitive attribute on with the Partial bit set.
Message after_encode(Message m)
{
    if (auto* u = std::get_if<Update>(&m)) {
        for (auto& a : u->path_attributes.unknown) {
            if ((a.flags & attr_flag::optional) && (a.flags & attr_flag::transitive))
                a.flags |= attr_flag::partial;
        }
    }
    return m;
}

// The properties the fuzzer checks, on one input and one context.
void check_regression(ByteView wire, const CodecContext& ctx)
{
    Framer framer;
    framer.set_extended_message(ctx.extended_message);
    ByteView rest = wire;
    while (!rest.empty()) {
        rest = rest.subspan(framer.feed(rest));
        auto next = framer.next();
        if (!next || !*next)
            break;
        auto one = decode_message(**next, ctx);
        if (one) {
            Bytes again = encode_message(*one, ctx);
            auto back = decode_message(again, ctx);
            if (!back)
                FAIL("re-encoded message does not decode: " << to_string(back.error()));
            CHECK(*back == after_encode(*one));
            CHECK(encode_message(*back, ctx) == again);
        }
    }
    auto header = decode_header(wire, ctx);
    if (header && header->type == MessageType::update && wire.size() >= header->length) {
        Reader body(wire.subspan(header_size, header->length - header_size), header_size);
        UpdateOutcome outcome = decode_update(body, ctx);
        Bytes again = encode_message(outcome.update, ctx);
        auto back = decode_message(again, ctx);
        (void)back; // the partial update of a broken message need not be valid; no crash is
    }
}

} // namespace

TEST_CASE("malformed: fuzzer regression vectors decode cleanly under every context", "[wire]")
{
    const auto dir = vipd::test::data_path("regressions");
    REQUIRE(std::filesystem::is_directory(dir));
    std::size_t vectors = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".hex")
            continue;
        for (const auto& v : vipd::test::parse_commented_hex(vipd::test::read_text(entry.path()))) {
            INFO(entry.path().filename().string() << " / " << v.name);
            for (const auto& ctx : every_context())
                check_regression(v.bytes, ctx);
            ++vectors;
        }
    }
    CHECK(vectors > 0);
}
