// Framer: a stream of several messages split at every possible byte boundary yields the same
// messages; bad headers stop the stream with the right NOTIFICATION data; the buffer is bounded
// and the maximum size follows the extended message setting (RFC 8654 §4).
#include <catch2/catch.hpp>

#include "bgp/framer.hpp"

using namespace vipd::bgp;

namespace {

const std::uint8_t keepalive[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, // length 19
    0x04,                                                       // type KEEPALIVE
};
const std::uint8_t notification[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x17, // length 23
    0x03,                                                       // type NOTIFICATION
    0x06,                                                       // code 6 Cease
    0x02,                                                       // subcode 2 Administrative Shutdown
    0x01,                                                       // shutdown communication length 1
    'x',                                                        // text
};
const std::uint8_t route_refresh[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // marker
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x17, // length 23
    0x05,                                                       // type ROUTE-REFRESH
    0x00, 0x01,                                                 // AFI 1 IPv4
    0x00,                                                       // subtype 0
    0x01,                                                       // SAFI 1 unicast
};

Bytes stream()
{
    Bytes s;
    s.insert(s.end(), std::begin(keepalive), std::end(keepalive));
    s.insert(s.end(), std::begin(notification), std::end(notification));
    s.insert(s.end(), std::begin(route_refresh), std::end(route_refresh));
    s.insert(s.end(), std::begin(keepalive), std::end(keepalive));
    return s;
}

// Pops every complete message; fails the test on an error.
void drain(Framer& f, std::vector<Bytes>& out)
{
    for (;;) {
        auto next = f.next();
        REQUIRE(next.has_value());
        if (!*next)
            return;
        out.emplace_back((*next)->begin(), (*next)->end());
    }
}

std::vector<Bytes> expected_messages()
{
    return {Bytes(std::begin(keepalive), std::end(keepalive)),
            Bytes(std::begin(notification), std::end(notification)),
            Bytes(std::begin(route_refresh), std::end(route_refresh)),
            Bytes(std::begin(keepalive), std::end(keepalive))};
}

} // namespace

TEST_CASE("framer: one chunk with several messages", "[wire]")
{
    Framer f;
    const Bytes s = stream();
    CHECK(f.feed(s) == s.size());
    std::vector<Bytes> got;
    drain(f, got);
    CHECK(got == expected_messages());
    CHECK(f.buffered() == 0);
    CHECK(f.stream_offset() == s.size());
}

TEST_CASE("framer: split into two chunks at every byte boundary", "[wire]")
{
    const Bytes s = stream();
    for (std::size_t cut = 0; cut <= s.size(); ++cut) {
        INFO("cut at " << cut);
        Framer f;
        std::vector<Bytes> got;
        CHECK(f.feed(ByteView(s).first(cut)) == cut);
        drain(f, got);
        CHECK(f.feed(ByteView(s).subspan(cut)) == s.size() - cut);
        drain(f, got);
        CHECK(got == expected_messages());
        CHECK(f.buffered() == 0);
    }
}

TEST_CASE("framer: one byte at a time", "[wire]")
{
    const Bytes s = stream();
    Framer f;
    std::vector<Bytes> got;
    std::vector<std::size_t> complete_at;
    for (std::size_t i = 0; i < s.size(); ++i) {
        CHECK(f.feed(ByteView(s).subspan(i, 1)) == 1);
        const std::size_t before = got.size();
        drain(f, got);
        if (got.size() != before)
            complete_at.push_back(i + 1);
    }
    CHECK(got == expected_messages());
    // Each message is returned exactly when its last octet arrives.
    CHECK(complete_at == std::vector<std::size_t>{19, 42, 65, 84});
}

TEST_CASE("framer: prepare/commit receive path", "[wire]")
{
    const Bytes s = stream();
    Framer f;
    auto space = f.prepare();
    REQUIRE(space.size() == Framer::capacity);
    std::copy(s.begin(), s.begin() + 30, space.begin());
    f.commit(30);
    std::vector<Bytes> got;
    drain(f, got);
    CHECK(got.size() == 1);
    CHECK(f.buffered() == 11);
    space = f.prepare(); // moves the 11 buffered octets to the front
    CHECK(space.size() == Framer::capacity - 11);
    std::copy(s.begin() + 30, s.end(), space.begin());
    f.commit(s.size() - 30);
    drain(f, got);
    CHECK(got == expected_messages());
}

TEST_CASE("framer: a bad marker is an error that sticks", "[wire]")
{
    Bytes s(std::begin(keepalive), std::end(keepalive));
    s[3] = 0x00;
    Framer f;
    CHECK(f.feed(s) == s.size());
    auto next = f.next();
    REQUIRE_FALSE(next.has_value());
    CHECK(next.error().code == 1);
    CHECK(next.error().subcode == 1);
    CHECK(next.error().offset == 3);
    // Nothing after a header error can be trusted: the framer keeps reporting it.
    CHECK(f.feed(ByteView(keepalive)) == sizeof keepalive);
    auto again = f.next();
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error() == next.error());
}

TEST_CASE("framer: header errors are reported before the body arrives", "[wire]")
{
    SECTION("length 18")
    {
        Bytes s(std::begin(keepalive), std::end(keepalive));
        s[17] = 0x12;
        Framer f;
        (void)f.feed(s);
        auto next = f.next();
        REQUIRE_FALSE(next.has_value());
        CHECK(next.error().code == 1);
        CHECK(next.error().subcode == 2);
        CHECK(next.error().data == Bytes{0x00, 0x12});
    }
    SECTION("unknown type")
    {
        Bytes s(std::begin(keepalive), std::end(keepalive));
        s[18] = 0x0a;
        Framer f;
        (void)f.feed(s);
        auto next = f.next();
        REQUIRE_FALSE(next.has_value());
        CHECK(next.error().code == 1);
        CHECK(next.error().subcode == 3);
        CHECK(next.error().data == Bytes{0x0a});
    }
    SECTION("an UPDATE announcing 5000 octets is refused after 19 octets")
    {
        Bytes header(std::begin(keepalive), std::end(keepalive));
        header[16] = 0x13; // length 5000 = 0x1388
        header[17] = 0x88;
        header[18] = 0x02; // UPDATE
        Framer f;
        (void)f.feed(header);
        auto next = f.next();
        REQUIRE_FALSE(next.has_value());
        CHECK(next.error().subcode == 2);
        CHECK(next.error().data == Bytes{0x13, 0x88});
    }
}

TEST_CASE("framer: extended message raises the limit after negotiation (RFC 8654)", "[wire]")
{
    Bytes big(5000, 0x00);
    std::fill_n(big.begin(), marker_size, 0xff);
    big[16] = 0x13; // length 5000
    big[17] = 0x88;
    big[18] = 0x02; // UPDATE
    Framer f;
    f.set_extended_message(true);
    CHECK(f.extended_message());
    CHECK(f.feed(ByteView(big).first(4000)) == 4000);
    auto partial = f.next();
    REQUIRE(partial.has_value());
    CHECK_FALSE(partial->has_value());
    CHECK(f.feed(ByteView(big).subspan(4000)) == 1000);
    auto whole = f.next();
    REQUIRE(whole.has_value());
    REQUIRE(whole->has_value());
    CHECK((*whole)->size() == 5000);
}

TEST_CASE("framer: the buffer is bounded and never blocks a whole message", "[wire]")
{
    // 4000 KEEPALIVEs (76000 octets) are more than the buffer holds.
    Bytes many;
    for (int i = 0; i < 4000; ++i)
        many.insert(many.end(), std::begin(keepalive), std::end(keepalive));
    Framer f;
    ByteView rest(many);
    std::size_t messages = 0;
    while (!rest.empty()) {
        const std::size_t taken = f.feed(rest);
        CHECK(f.buffered() <= Framer::capacity);
        rest = rest.subspan(taken);
        std::size_t popped = 0;
        for (;;) {
            auto next = f.next();
            REQUIRE(next.has_value());
            if (!*next)
                break;
            ++popped;
        }
        REQUIRE((taken > 0 || popped > 0)); // always progress
        messages += popped;
    }
    CHECK(messages == 4000);
    CHECK(f.stream_offset() == many.size());
}

TEST_CASE("framer: a full buffer accepts nothing until a message is taken", "[wire]")
{
    Bytes many;
    for (int i = 0; i < 4000; ++i)
        many.insert(many.end(), std::begin(keepalive), std::end(keepalive));
    Framer f;
    CHECK(f.feed(many) == Framer::capacity);
    CHECK(f.feed(many) == 0);
    auto next = f.next();
    REQUIRE(next.has_value());
    REQUIRE(next->has_value());
    CHECK(f.feed(many) == 19);
}
