// LocRib / Adj-RIB-Out: net changes per neighbor, neighbor subsets, full tables, refcounts.
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "bgp/rib.hpp"

using namespace vipd::bgp;

namespace {

Prefix pfx(const char* s)
{
    return *Prefix::parse(s);
}

RouteSpec spec(std::uint32_t med, std::vector<std::string> neighbors = {})
{
    RouteSpec s;
    s.attributes.med = med;
    s.neighbors = std::move(neighbors);
    return s;
}

} // namespace

TEST_CASE("rib: nothing is planned before the neighbor is synced", "[announce][rib]")
{
    LocRib rib;
    AdjRibOut out(rib, "r1");
    CHECK(rib.announce(pfx("192.0.2.10/32"), spec(10)));
    CHECK_FALSE(out.has_pending());
    auto full = out.full_table();
    REQUIRE(full.groups.size() == 1);
    CHECK(full.groups[0].nlri.size() == 1);
    CHECK(full.groups[0].afi == Afi::ipv4);
}

TEST_CASE("rib: a burst that ends where it started sends nothing", "[rib]")
{
    LocRib rib;
    AdjRibOut out(rib, "r1");
    rib.announce(pfx("192.0.2.10/32"), spec(10));
    (void)out.full_table();
    out.mark_synced();
    rib.announce(pfx("192.0.2.10/32"), spec(20));
    rib.withdraw(pfx("192.0.2.10/32"));
    rib.announce(pfx("192.0.2.10/32"), spec(10));
    CHECK(out.has_pending());
    CHECK(out.take_changes().empty());
    CHECK(rib.specs().live() == 1);
}

TEST_CASE("rib: unchanged announce is a no-op", "[rib]")
{
    LocRib rib;
    AdjRibOut out(rib, "r1");
    out.mark_synced();
    CHECK(rib.announce(pfx("2001:db8::10/128"), spec(10)));
    CHECK_FALSE(rib.announce(pfx("2001:db8::10/128"), spec(10)));
    auto plan = out.take_changes();
    REQUIRE(plan.groups.size() == 1);
    CHECK(plan.groups[0].afi == Afi::ipv6);
    CHECK(plan.groups[0].spec != no_spec);
}

TEST_CASE("rib: withdrawals come first and are grouped by family", "[rib]")
{
    LocRib rib;
    AdjRibOut out(rib, "r1");
    rib.announce(pfx("192.0.2.1/32"), spec(1));
    rib.announce(pfx("192.0.2.2/32"), spec(1));
    out.mark_synced();
    rib.withdraw(pfx("192.0.2.1/32"));
    rib.announce(pfx("192.0.2.3/32"), spec(1));
    rib.announce(pfx("2001:db8::1/128"), spec(2));
    auto plan = out.take_changes();
    REQUIRE(plan.groups.size() == 3);
    CHECK(plan.groups[0].spec == no_spec);
    CHECK(plan.groups[0].nlri.at(0).prefix == pfx("192.0.2.1/32"));
    CHECK(plan.prefixes() == 3);
    CHECK(out.sent(pfx("192.0.2.3/32")) != no_spec);
    CHECK(out.sent(pfx("192.0.2.1/32")) == no_spec);
}

TEST_CASE("rib: neighbor subsets", "[rib]")
{
    LocRib rib;
    AdjRibOut r1(rib, "r1");
    AdjRibOut r2(rib, "r2");
    r1.mark_synced();
    r2.mark_synced();
    rib.announce(pfx("192.0.2.1/32"), spec(1, {"r2"}));
    CHECK(r1.take_changes().empty());
    CHECK(r2.take_changes().prefixes() == 1);
    // Moving the route to r1 withdraws it from r2.
    rib.announce(pfx("192.0.2.1/32"), spec(1, {"r1"}));
    auto p1 = r1.take_changes();
    auto p2 = r2.take_changes();
    REQUIRE(p1.groups.size() == 1);
    CHECK(p1.groups[0].spec != no_spec);
    REQUIRE(p2.groups.size() == 1);
    CHECK(p2.groups[0].spec == no_spec);
    // Same attributes, wider subset: nothing new for r1.
    rib.announce(pfx("192.0.2.1/32"), spec(1));
    CHECK(r1.take_changes().empty());
    CHECK(r2.take_changes().prefixes() == 1);
}

TEST_CASE("rib: reset forgets pending changes and releases specs", "[rib]")
{
    LocRib rib;
    {
        AdjRibOut out(rib, "r1");
        out.mark_synced();
        rib.announce(pfx("192.0.2.1/32"), spec(1));
        rib.announce(pfx("192.0.2.1/32"), spec(2));
        CHECK(rib.specs().live() == 1); // spec(1) was never at the neighbor
        out.reset();
        CHECK_FALSE(out.synced());
        CHECK(out.take_changes().empty());
    }
    rib.withdraw(pfx("192.0.2.1/32"));
    CHECK(rib.specs().live() == 0);
}

TEST_CASE("rib: the Adj-RIB-Out as sent", "[rib]")
{
    LocRib rib;
    AdjRibOut out(rib, "r1");
    for (int i = 1; i <= 100; ++i)
        rib.announce(Prefix::masked(Address::v4(0x0a000000u + static_cast<unsigned>(i)), 32),
                     spec(5));
    out.mark_synced();
    rib.withdraw(pfx("10.0.0.7/32"));
    std::size_t n = 0;
    out.for_each_sent([&](const Prefix&, SpecId) { ++n; });
    CHECK(n == 100); // the withdrawal is not sent yet
    (void)out.take_changes();
    n = 0;
    out.for_each_sent([&](const Prefix&, SpecId) { ++n; });
    CHECK(n == 99);
}

TEST_CASE("prefix map: insert, erase with backward shift, grow", "[rib]")
{
    PrefixMap<std::uint32_t> m;
    for (std::uint32_t i = 0; i < 5000; ++i)
        m.put(Prefix::masked(Address::v4(i), 32), i);
    CHECK(m.size() == 5000);
    for (std::uint32_t i = 0; i < 5000; i += 2)
        CHECK(m.erase(Prefix::masked(Address::v4(i), 32)) == i);
    CHECK(m.size() == 2500);
    for (std::uint32_t i = 0; i < 5000; ++i) {
        auto* v = m.find(Prefix::masked(Address::v4(i), 32));
        if (i % 2 == 0)
            CHECK(v == nullptr);
        else
            CHECK((v != nullptr && *v == i));
    }
    CHECK_FALSE(m.erase(Prefix::masked(Address::v4(1u << 30), 32)));
}

TEST_CASE("rib: many prefixes with one spec share it, reference counts stay exact", "[rib]")
{
    LocRib rib;
    AdjRibOut out(rib, "r1");
    out.mark_synced();
    const std::vector<Prefix> batch{pfx("192.0.2.1/32"), pfx("192.0.2.2/32"),
                                    pfx("2001:db8::1/128")};
    CHECK(rib.announce(std::span<const Prefix>(batch), spec(10)) == 3);
    CHECK(rib.specs().live() == 1);
    CHECK(rib.announce(std::span<const Prefix>(batch), spec(10)) == 0); // nothing new
    CHECK(rib.specs().live() == 1);
    CHECK(rib.announce(std::span<const Prefix>(batch).first(1), spec(20)) == 1);
    CHECK(rib.specs().live() == 2);
    auto plan = out.take_changes();
    REQUIRE(plan.groups.size() == 3); // spec 10 for IPv4 and IPv6, spec 20 for one prefix
    std::size_t nlri = 0;
    for (const auto& g : plan.groups)
        nlri += g.nlri.size();
    CHECK(nlri == 3);
    for (const auto& p : batch)
        CHECK(rib.withdraw(p));
    // Until the neighbor's next flush its Adj-RIB-Out remembers what it had (both specs).
    CHECK(rib.specs().live() == 2);
    plan = out.take_changes();
    CHECK(plan.groups.size() == 2); // the withdrawals, IPv4 and IPv6
    CHECK(rib.specs().live() == 0);
}

TEST_CASE("rib: a full table groups by spec then family, every prefix once", "[rib]")
{
    LocRib rib;
    AdjRibOut out(rib, "r1");
    std::vector<Prefix> v4;
    std::vector<Prefix> v6;
    for (int i = 0; i < 300; ++i) {
        const Prefix p4 = *Prefix::parse("10.0." + std::to_string(i / 256) + "." +
                                         std::to_string(i % 256) + "/32");
        const Prefix p6 = *Prefix::parse("2001:db8::" + std::to_string(i + 1) + "/128");
        rib.announce(p4, spec(static_cast<std::uint32_t>(i % 3)));
        rib.announce(p6, spec(static_cast<std::uint32_t>(i % 3)));
        v4.push_back(p4);
        v6.push_back(p6);
    }
    rib.announce(pfx("192.0.2.1/32"), spec(7, {"r2"})); // not for r1
    const UpdatePlan full = out.full_table();
    REQUIRE(full.groups.size() == 6); // 3 specs x 2 families
    CHECK(full.prefixes() == 600);
    for (std::size_t i = 0; i < full.groups.size(); ++i) {
        const UpdateGroup& g = full.groups[i];
        CHECK(g.spec != no_spec);
        CHECK(g.nlri.size() == 100);
        CHECK(g.nlri.capacity() == g.nlri.size());
        if (i > 0) {
            const UpdateGroup& prev = full.groups[i - 1];
            CHECK(std::pair{prev.spec, prev.afi} < std::pair{g.spec, g.afi});
        }
        for (const Nlri& n : g.nlri) {
            CHECK(n.prefix.afi() == g.afi);
            CHECK(rib.find(n.prefix) == g.spec);
            CHECK(n.path_id == 0);
        }
    }
}
