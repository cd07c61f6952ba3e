// NOTIFICATION text table, DecodeError formatting, RFC 9003 shutdown communication (encode with
// truncation at a UTF-8 boundary, decode rejecting overruns and invalid UTF-8), and the
// NOTIFICATION message round trip.
#include <catch2/catch.hpp>

#include "bgp/message.hpp"

using namespace vipd::bgp;

TEST_CASE("notification: describe covers every code and subcode vipd knows", "[wire]")
{
    CHECK(describe(1, 1) == "Message Header Error / Connection Not Synchronized");
    CHECK(describe(1, 2) == "Message Header Error / Bad Message Length");
    CHECK(describe(1, 3) == "Message Header Error / Bad Message Type");
    CHECK(describe(2, 0) == "OPEN Message Error / Unspecific");
    CHECK(describe(2, 1) == "OPEN Message Error / Unsupported Version Number");
    CHECK(describe(2, 2) == "OPEN Message Error / Bad Peer AS");
    CHECK(describe(2, 3) == "OPEN Message Error / Bad BGP Identifier");
    CHECK(describe(2, 4) == "OPEN Message Error / Unsupported Optional Parameter");
    CHECK(describe(2, 6) == "OPEN Message Error / Unacceptable Hold Time");
    CHECK(describe(2, 7) == "OPEN Message Error / Unsupported Capability");
    CHECK(describe(2, 11) == "OPEN Message Error / Role Mismatch");
    CHECK(describe(3, 1) == "UPDATE Message Error / Malformed Attribute List");
    CHECK(describe(3, 2) == "UPDATE Message Error / Unrecognized Well-known Attribute");
    CHECK(describe(3, 3) == "UPDATE Message Error / Missing Well-known Attribute");
    CHECK(describe(3, 4) == "UPDATE Message Error / Attribute Flags Error");
    CHECK(describe(3, 5) == "UPDATE Message Error / Attribute Length Error");
    CHECK(describe(3, 6) == "UPDATE Message Error / Invalid ORIGIN Attribute");
    CHECK(describe(3, 8) == "UPDATE Message Error / Invalid NEXT_HOP Attribute");
    CHECK(describe(3, 9) == "UPDATE Message Error / Optional Attribute Error");
    CHECK(describe(3, 10) == "UPDATE Message Error / Invalid Network Field");
    CHECK(describe(3, 11) == "UPDATE Message Error / Malformed AS_PATH");
    CHECK(describe(4, 0) == "Hold Timer Expired");
    CHECK(describe(5, 0) == "Finite State Machine Error / Unspecified Error");
    CHECK(describe(5, 1) ==
          "Finite State Machine Error / Receive Unexpected Message in OpenSent State");
    CHECK(describe(5, 2) ==
          "Finite State Machine Error / Receive Unexpected Message in OpenConfirm State");
    CHECK(describe(5, 3) ==
          "Finite State Machine Error / Receive Unexpected Message in Established State");
    CHECK(describe(6, 1) == "Cease / Maximum Number of Prefixes Reached");
    CHECK(describe(6, 2) == "Cease / Administrative Shutdown");
    CHECK(describe(6, 3) == "Cease / Peer De-configured");
    CHECK(describe(6, 4) == "Cease / Administrative Reset");
    CHECK(describe(6, 5) == "Cease / Connection Rejected");
    CHECK(describe(6, 6) == "Cease / Other Configuration Change");
    CHECK(describe(6, 7) == "Cease / Connection Collision Resolution");
    CHECK(describe(6, 8) == "Cease / Out of Resources");
    CHECK(describe(6, 9) == "Cease / Hard Reset");
    CHECK(describe(7, 1) == "ROUTE-REFRESH Message Error / Invalid Message Length");
}

TEST_CASE("notification: describe names unknown codes and subcodes", "[wire]")
{
    CHECK(describe(6, 0) == "Cease / Unspecific");
    CHECK(describe(6, 42) == "Cease / unknown subcode 42");
    CHECK(describe(4, 9) == "Hold Timer Expired / unknown subcode 9");
    CHECK(describe(99, 1) == "unknown error code 99 / subcode 1");
}

TEST_CASE("notification: RFC 7606 action names", "[wire]")
{
    CHECK(to_string(Rfc7606::none) == "none");
    CHECK(to_string(Rfc7606::attribute_discard) == "attribute-discard");
    CHECK(to_string(Rfc7606::treat_as_withdraw) == "treat-as-withdraw");
    CHECK(to_string(Rfc7606::afisafi_disable) == "afisafi-disable");
    CHECK(to_string(Rfc7606::session_reset) == "session-reset");
    CHECK(Rfc7606::attribute_discard < Rfc7606::treat_as_withdraw);
    CHECK(Rfc7606::afisafi_disable < Rfc7606::session_reset);
}

TEST_CASE("notification: DecodeError text names where, what and the action", "[wire]")
{
    DecodeError e{3, 1, {}, 37, Rfc7606::session_reset, "second MP_REACH_NLRI"};
    CHECK(to_string(e) == "UPDATE byte 37: second MP_REACH_NLRI (3/1 session-reset)");
    DecodeError h{1, 2, {0x00, 0x12}, 16, Rfc7606::session_reset, "length 18 outside 19..4096"};
    CHECK(to_string(h) == "message header byte 16: length 18 outside 19..4096 (1/2 session-reset)");
    DecodeError w{3, 6, {}, 40, Rfc7606::treat_as_withdraw, "ORIGIN value 7"};
    CHECK(to_string(w) == "UPDATE byte 40: ORIGIN value 7 (3/6 treat-as-withdraw)");
}

TEST_CASE("notification: to_notification carries code, subcode and data", "[wire]")
{
    DecodeError e{1, 2, {0x00, 0x12}, 16, Rfc7606::session_reset, "short"};
    CHECK(to_notification(e) == Notification{1, 2, {0x00, 0x12}});
}

TEST_CASE("notification: make_cease with an RFC 9003 shutdown communication", "[wire]")
{
    Notification n = make_cease(cease::administrative_shutdown, "maintenance");
    const Bytes expected_data = {
        0x0b,                                                   // length 11
        'm',  'a', 'i', 'n', 't', 'e', 'n', 'a', 'n', 'c', 'e', // UTF-8 text
    };
    CHECK(n.code == 6);
    CHECK(n.subcode == 2);
    CHECK(n.data == expected_data);
    CHECK(shutdown_communication(n) == std::optional<std::string>("maintenance"));

    Notification reset = make_cease(cease::administrative_reset, "bye");
    CHECK(shutdown_communication(reset) == std::optional<std::string>("bye"));
}

TEST_CASE("notification: make_cease without text or for other subcodes has no data", "[wire]")
{
    CHECK(make_cease(cease::administrative_shutdown) == Notification{6, 2, {}});
    CHECK(make_cease(cease::peer_deconfigured, "ignored") == Notification{6, 3, {}});
    CHECK_FALSE(shutdown_communication(make_cease(cease::administrative_shutdown)));
}

TEST_CASE("notification: make_cease truncates to 255 octets at a UTF-8 boundary", "[wire]")
{
    SECTION("ASCII longer than 255 octets")
    {
        Notification n = make_cease(cease::administrative_shutdown, std::string(300, 'x'));
        REQUIRE(n.data.size() == 256);
        CHECK(n.data[0] == 255);
        CHECK(shutdown_communication(n) == std::optional<std::string>(std::string(255, 'x')));
    }
    SECTION("a 2-octet character straddling octet 255 is dropped whole")
    {
        std::string text(254, 'a');
        text += "\xc3\xa9"; // U+00E9 would occupy octets 255 and 256
        Notification n = make_cease(cease::administrative_shutdown, text);
        REQUIRE(n.data.size() == 255);
        CHECK(n.data[0] == 254);
        CHECK(shutdown_communication(n) == std::optional<std::string>(std::string(254, 'a')));
    }
    SECTION("a 4-octet character that fits is kept")
    {
        std::string text(251, 'a');
        text += "\xf0\x9f\x98\x80"; // U+1F600, octets 252..255
        Notification n = make_cease(cease::administrative_shutdown, text);
        CHECK(n.data[0] == 255);
        CHECK(shutdown_communication(n) == std::optional<std::string>(text));
    }
    SECTION("invalid UTF-8 input stops the text before the bad sequence")
    {
        Notification n = make_cease(cease::administrative_shutdown, "ok\xff tail");
        CHECK(n.data == Bytes{0x02, 'o', 'k'});
    }
    SECTION("input that starts invalid gives no communication")
    {
        CHECK(make_cease(cease::administrative_shutdown, "\xc0\x80") == Notification{6, 2, {}});
    }
}

TEST_CASE("notification: shutdown_communication rejects invalid data", "[wire]")
{
    SECTION("length overruns the data")
    {
        Notification n{6,
                       2,
                       {
                           0x05,     // length 5
                           'a', 'b', // only 2 octets
                       }};
        CHECK_FALSE(shutdown_communication(n));
    }
    SECTION("invalid UTF-8 (overlong NUL)")
    {
        Notification n{6,
                       4,
                       {
                           0x02,       // length 2
                           0xc0, 0x80, // overlong encoding of U+0000
                       }};
        CHECK_FALSE(shutdown_communication(n));
    }
    SECTION("UTF-16 surrogate")
    {
        Notification n{6,
                       2,
                       {
                           0x03,             // length 3
                           0xed, 0xa0, 0x80, // U+D800
                       }};
        CHECK_FALSE(shutdown_communication(n));
    }
    SECTION("zero length")
    {
        Notification n{6,
                       2,
                       {
                           0x00, // length 0: no communication
                       }};
        CHECK_FALSE(shutdown_communication(n));
    }
    SECTION("not Cease 2 or 4")
    {
        Notification n{6,
                       3,
                       {
                           0x02,     // length 2
                           'h', 'i', // text
                       }};
        CHECK_FALSE(shutdown_communication(n));
    }
    SECTION("octets after the text are ignored")
    {
        Notification n{6,
                       2,
                       {
                           0x02,     // length 2
                           'h', 'i', // text
                           0x00,     // trailing octet
                       }};
        CHECK(shutdown_communication(n) == std::optional<std::string>("hi"));
    }
}

TEST_CASE("notification: NOTIFICATION message round trip", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1a, // length 26
        0x03,                                                       // type NOTIFICATION
        0x06,                                                       // code 6 Cease
        0x02,                  // subcode 2 Administrative Shutdown
        0x04,                  // shutdown communication length 4
        'b',  'y',  'e',  '!', // text "bye!"
    };
    const Notification expected{6, 2, {0x04, 'b', 'y', 'e', '!'}};
    auto decoded = decode_message(wire, CodecContext{});
    REQUIRE(decoded.has_value());
    CHECK(std::get<Notification>(*decoded) == expected);
    CHECK(shutdown_communication(expected) == std::optional<std::string>("bye!"));
    CHECK(encode_message(expected, CodecContext{}) == Bytes(std::begin(wire), std::end(wire)));
}

TEST_CASE("notification: minimal NOTIFICATION without data", "[wire]")
{
    const std::uint8_t wire[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x15, // length 21
        0x03,                                                       // type NOTIFICATION
        0x04,                                                       // code 4 Hold Timer Expired
        0x00,                                                       // subcode 0
    };
    auto decoded = decode_message(wire, CodecContext{});
    REQUIRE(decoded.has_value());
    CHECK(std::get<Notification>(*decoded) == Notification{4, 0, {}});
    CHECK(encode_message(Notification{4, 0, {}}, CodecContext{}) ==
          Bytes(std::begin(wire), std::end(wire)));
}

TEST_CASE("notification: encoding cuts data so the message fits the maximum size", "[wire]")
{
    Notification big{7, 1, Bytes(5000, 0xab)};
    Bytes classic = encode_message(big, CodecContext{});
    CHECK(classic.size() == max_message_size);
    CodecContext ext;
    ext.extended_message = true;
    Bytes extended = encode_message(big, ext);
    CHECK(extended.size() == min_notification_size + 5000);
}
