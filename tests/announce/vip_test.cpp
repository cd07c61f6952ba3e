// VIP configuration validation: every rule with the field it names.
#include <catch2/catch.hpp>

#include "announce/vip.hpp"

using namespace vipd::announce;
using namespace std::chrono_literals;
using vipd::bgp::Address;
using vipd::bgp::Prefix;

namespace {

Prefix prefix(std::string_view text)
{
    auto p = Prefix::parse(text);
    REQUIRE(p.has_value());
    return *p;
}

VipConfig vip(std::string name, std::vector<std::string_view> prefixes)
{
    VipConfig v;
    v.name = std::move(name);
    for (auto p : prefixes)
        v.prefixes.push_back(prefix(p));
    v.rule = Rule::leaf(Reference::check("web"));
    return v;
}

VipConfigError error_of(const VipConfig& v)
{
    auto r = validate(v, 2);
    REQUIRE_FALSE(r.has_value());
    return r.error();
}

} // namespace

TEST_CASE("vip: defaults are valid and documented values", "[announce]")
{
    const VipConfig v = vip("web", {"192.0.2.10", "2001:db8::10"});
    CHECK(validate(v).has_value());
    CHECK(v.when_down == DownAction::withdraw);
    CHECK(v.drain.drain_time == 30s);
    CHECK(v.drain.attributes.local_pref == 0u);
    CHECK(v.damping.enabled);
    CHECK(v.damping.threshold == 3);
    CHECK(v.damping.min_hold == 10s);
    CHECK(v.damping.max_hold == 300s);
    CHECK(v.damping.reset_after == 600s);
    CHECK(v.neighbors.empty());
}

TEST_CASE("vip: names", "[announce]")
{
    CHECK(valid_vip_name("web-1.prod_a"));
    CHECK_FALSE(valid_vip_name(""));
    CHECK_FALSE(valid_vip_name("a b"));
    CHECK_FALSE(valid_vip_name("a#b"));
    CHECK_FALSE(valid_vip_name(std::string(65, 'a')));
    CHECK(valid_vip_name(std::string(64, 'a')));
}

TEST_CASE("vip: one VIP's errors name the field", "[announce]")
{
    VipConfig v = vip("bad name", {"192.0.2.10"});
    CHECK(error_of(v) == VipConfigError{2, "name",
                                        "\"bad name\" is not a VIP name (1 to 64 letters, "
                                        "digits, '_', '-', '.')"});
    CHECK(to_string(error_of(v)).rfind("vips/2/name: \"bad name\"", 0) == 0);

    v = vip("web", {});
    CHECK(error_of(v) == VipConfigError{2, "prefixes", "at least one prefix is needed"});

    v = vip("web", {"192.0.2.10", "192.0.2.11", "192.0.2.10/32"});
    CHECK(error_of(v) == VipConfigError{2, "prefixes/2", "192.0.2.10/32 is listed twice"});

    v = vip("web", {"192.0.2.10", "2001:db8::10"});
    v.next_hop_ipv6 = Address::parse("192.0.2.1");
    CHECK(error_of(v) == VipConfigError{2, "next_hop_ipv6", "192.0.2.1 is not an IPv6 address"});
    v.next_hop_ipv6 = Address::parse("::");
    CHECK(error_of(v) ==
          VipConfigError{2, "next_hop_ipv6", "the unspecified address is not a next hop"});

    v = vip("web", {"2001:db8::10"});
    v.next_hop_ipv4 = Address::parse("192.0.2.1");
    CHECK(error_of(v) == VipConfigError{2, "next_hop_ipv4", "the VIP has no IPv4 prefix"});

    v = vip("web", {"192.0.2.10"});
    v.next_hop_ipv4 = Address::parse("2001:db8::1"); // RFC 8950: allowed
    CHECK(validate(v).has_value());

    v.neighbors = {"r1", ""};
    CHECK(error_of(v) == VipConfigError{2, "neighbors/1", "empty neighbor name"});
}

TEST_CASE("vip: damping settings", "[announce]")
{
    VipConfig v = vip("web", {"192.0.2.10"});
    v.damping.threshold = 0;
    CHECK(error_of(v) == VipConfigError{2, "damping/threshold", "must be at least 1"});
    v.damping = {};
    v.damping.min_hold = 0s;
    CHECK(error_of(v) == VipConfigError{2, "damping/min_hold", "must be positive"});
    v.damping = {};
    v.damping.max_hold = 5s;
    CHECK(error_of(v) == VipConfigError{2, "damping/max_hold", "5s is below min_hold 10s"});
    v.damping = {};
    v.damping.reset_after = 60s;
    CHECK(error_of(v) == VipConfigError{2, "damping/reset_after", "60s is below max_hold 300s"});
    v.damping.enabled = false; // settings of disabled damping are not checked
    CHECK(validate(v).has_value());
}

TEST_CASE("vip: names and prefixes are unique across the list", "[announce]")
{
    std::vector<VipConfig> list = {vip("a", {"192.0.2.1"}), vip("b", {"192.0.2.2"})};
    CHECK(validate(list).has_value());

    list.push_back(vip("a", {"192.0.2.3"}));
    CHECK(validate(list).error() ==
          VipConfigError{2, "name", "\"a\" is already the name of vips/0"});

    list.back() = vip("c", {"192.0.2.3", "192.0.2.2"});
    CHECK(validate(list).error() ==
          VipConfigError{2, "prefixes/1", "192.0.2.2/32 already belongs to VIP \"b\""});
    CHECK(to_string(validate(list).error()) ==
          "vips/2/prefixes/1: 192.0.2.2/32 already belongs to VIP \"b\"");

    list.back() = vip("c", {});
    CHECK(validate(list).error().vip == 2);
}
