// AdjRibIn as vectors: each row feeds one UPDATE and states the prefixes held (in all, per
// family) and the decision, with the Cease/1 data of RFC 4486 §4 spelled out octet by octet.
// Covers announce, withdraw, re-announce, MP_REACH/MP_UNREACH, the limit reached exactly and
// exceeded, treat-as-withdraw (RFC 7606 §2), the display limit and untracked counting.
#include <catch2/catch.hpp>

#include "bgp/adj_rib_in.hpp"
#include "bgp/notification.hpp"

using namespace vipd::bgp;

namespace {

Nlri n(const char* text)
{
    return Nlri{*Prefix::parse(text)};
}

/// An UPDATE: IPv4 withdrawn routes and NLRI, plus MP_UNREACH / MP_REACH of `mp` family.
Update update(std::vector<Nlri> withdrawn, std::vector<Nlri> nlri,
              std::vector<Nlri> mp_withdrawn = {}, std::vector<Nlri> mp_nlri = {},
              AfiSafi mp = ipv6_unicast)
{
    Update u;
    u.withdrawn_routes = std::move(withdrawn);
    u.nlri = std::move(nlri);
    if (!mp_withdrawn.empty())
        u.path_attributes.mp_unreach = MpUnreach{mp, std::move(mp_withdrawn)};
    if (!mp_nlri.empty())
        u.path_attributes.mp_reach =
            MpReach{mp, *Address::parse("2001:db8::1"), {}, std::move(mp_nlri)};
    return u;
}

struct Row
{
    const char* what;
    Update update;
    bool treat_as_withdraw;
    std::size_t held, v4, v6;
    std::optional<Notification> cease;
};

void run(AdjRibIn& rib, const std::vector<Row>& rows)
{
    for (const Row& r : rows) {
        INFO(r.what);
        const AdjRibInDecision d = rib.apply(r.update, r.treat_as_withdraw);
        CHECK(d.prefixes == r.held);
        CHECK(rib.prefixes() == r.held);
        CHECK(rib.prefixes(Afi::ipv4) == r.v4);
        CHECK(rib.prefixes(Afi::ipv6) == r.v6);
        CHECK(d.cease == r.cease);
    }
}

const Notification cease_v4_limit_3{6,
                                    1, // Cease / Maximum Number of Prefixes Reached
                                    {
                                        0x00, 0x01,             // AFI 1 (IPv4)
                                        0x01,                   // SAFI 1 (unicast)
                                        0x00, 0x00, 0x00, 0x03, // prefix upper bound 3
                                    }};
const Notification cease_v6_limit_3{6,
                                    1, // Cease / Maximum Number of Prefixes Reached
                                    {
                                        0x00, 0x02,             // AFI 2 (IPv6)
                                        0x01,                   // SAFI 1 (unicast)
                                        0x00, 0x00, 0x00, 0x03, // prefix upper bound 3
                                    }};

} // namespace

TEST_CASE("adj-rib-in: announce, withdraw, re-announce and MP families", "[rib]")
{
    AdjRibIn rib(AdjRibInLimits{.max_prefixes = 100});
    REQUIRE(rib.tracking());
    run(rib,
        {
            {"announce two IPv4",
             update({}, {n("192.0.2.1/32"), n("192.0.2.2/32")}),
             false,
             2,
             2,
             0,
             {}},
            {"re-announce one: held once", update({}, {n("192.0.2.1/32")}), false, 2, 2, 0, {}},
            {"withdraw one", update({n("192.0.2.2/32")}, {}), false, 1, 1, 0, {}},
            {"withdraw an unknown prefix", update({n("198.51.100.0/24")}, {}), false, 1, 1, 0, {}},
            {"MP_REACH two IPv6",
             update({}, {}, {}, {n("2001:db8::/64"), n("2001:db8:1::/64")}),
             false,
             3,
             1,
             2,
             {}},
            {"MP_UNREACH one IPv6", update({}, {}, {n("2001:db8::/64")}), false, 2, 1, 1, {}},
            {"withdraw and announce in one UPDATE: withdrawals first",
             update({n("192.0.2.1/32")}, {n("192.0.2.1/32")}),
             false,
             2,
             1,
             1,
             {}},
        });
}

TEST_CASE("adj-rib-in: treat-as-withdraw removes the announced prefixes", "[rib]")
{
    AdjRibIn rib(AdjRibInLimits{.max_prefixes = 100});
    run(rib, {
                 {"announce",
                  update({}, {n("192.0.2.1/32"), n("192.0.2.2/32")}, {}, {n("2001:db8::/64")}),
                  false,
                  3,
                  2,
                  1,
                  {}},
                 {"malformed re-announce of one IPv4 and the IPv6",
                  update({}, {n("192.0.2.1/32")}, {}, {n("2001:db8::/64")}),
                  true,
                  1,
                  1,
                  0,
                  {}},
                 {"malformed announce of a new prefix: not held",
                  update({}, {n("192.0.2.9/32")}),
                  true,
                  1,
                  1,
                  0,
                  {}},
             });
}

TEST_CASE("adj-rib-in: max-prefix reached exactly is allowed, exceeded is Cease/1", "[rib]")
{
    AdjRibIn rib(AdjRibInLimits{.max_prefixes = 3});
    run(rib,
        {
            {"three of three",
             update({}, {n("192.0.2.1/32"), n("192.0.2.2/32"), n("192.0.2.3/32")}),
             false,
             3,
             3,
             0,
             {}},
            {"re-announce at the limit", update({}, {n("192.0.2.3/32")}), false, 3, 3, 0, {}},
            {"a fourth IPv4", update({}, {n("192.0.2.4/32")}), false, 4, 4, 0, cease_v4_limit_3},
        });

    AdjRibIn v6(AdjRibInLimits{.max_prefixes = 3});
    run(v6, {
                {"four IPv6 in MP_REACH: the data names IPv6",
                 update({}, {}, {},
                        {n("2001:db8::/64"), n("2001:db8:1::/64"), n("2001:db8:2::/64"),
                         n("2001:db8:3::/64")}),
                 false, 4, 0, 4, cease_v6_limit_3},
            });

    AdjRibIn back(AdjRibInLimits{.max_prefixes = 3});
    run(back, {
                  {"four",
                   update({}, {n("192.0.2.1/32"), n("192.0.2.2/32"), n("192.0.2.3/32"),
                               n("192.0.2.4/32")}),
                   false, 4, 4, 0, cease_v4_limit_3},
                  {"one withdrawn: at the limit again",
                   update({n("192.0.2.4/32")}, {}),
                   false,
                   3,
                   3,
                   0,
                   {}},
              });
}

TEST_CASE("adj-rib-in: the display limit keeps the first prefixes and never ceases", "[rib]")
{
    AdjRibIn rib(AdjRibInLimits{.keep_limit = 2});
    REQUIRE(rib.tracking());
    run(rib, {
                 {"three announced, two kept",
                  update({}, {n("192.0.2.1/32"), n("192.0.2.2/32"), n("192.0.2.3/32")}),
                  false,
                  2,
                  2,
                  0,
                  {}},
                 {"a kept one re-announced", update({}, {n("192.0.2.2/32")}), false, 2, 2, 0, {}},
                 {"one withdrawn makes room",
                  update({n("192.0.2.1/32")}, {n("192.0.2.3/32")}),
                  false,
                  2,
                  2,
                  0,
                  {}},
             });
}

TEST_CASE("adj-rib-in: without limits only a running total of announcements", "[rib]")
{
    AdjRibIn rib(AdjRibInLimits{});
    CHECK_FALSE(rib.tracking());
    auto d = rib.apply(update({}, {n("192.0.2.1/32"), n("192.0.2.2/32")}), false);
    CHECK(d.prefixes == 0);
    CHECK_FALSE(d.cease);
    d = rib.apply(update({n("192.0.2.1/32")}, {n("192.0.2.1/32")}, {}, {n("2001:db8::/64")}),
                  false);
    CHECK(rib.prefixes() == 4); // every announcement counted, withdrawals not subtracted
    CHECK(rib.prefixes(Afi::ipv4) == 0);
    rib.clear();
    CHECK(rib.prefixes() == 4);
}

TEST_CASE("adj-rib-in: clear forgets the prefixes held", "[rib]")
{
    AdjRibIn rib(AdjRibInLimits{.max_prefixes = 1});
    CHECK(rib.apply(update({}, {n("192.0.2.1/32")}, {}, {n("2001:db8::/64")}), false).cease);
    rib.clear();
    CHECK(rib.prefixes() == 0);
    CHECK(rib.prefixes(Afi::ipv6) == 0);
    CHECK_FALSE(rib.apply(update({}, {n("192.0.2.1/32")}), false).cease);
}
