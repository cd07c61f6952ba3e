// ALOHA RHI rule files: sample files from tests/data/rhi and every error with line:column.
#include <catch2/catch.hpp>

#include "announce/rhi.hpp"
#include "helpers/test_data.hpp"

using namespace vipd::announce;
using vipd::bgp::Prefix;

namespace {

Prefix prefix(std::string_view text)
{
    auto p = Prefix::parse(text);
    REQUIRE(p.has_value());
    return *p;
}

std::vector<Prefix> prefixes(const RhiEntry& e)
{
    std::vector<Prefix> out;
    for (const auto& n : e.networks)
        out.push_back(n.prefix);
    return out;
}

} // namespace

TEST_CASE("rhi: ALOHA sample file", "[announce]")
{
    const auto text = vipd::test::read_text(vipd::test::data_path("rhi/aloha.conf"));
    auto entries = parse_rhi(text);
    REQUIRE(entries.has_value());
    REQUIRE(entries->size() == 4);

    const auto& e0 = (*entries)[0];
    CHECK(e0.line == 4);
    CHECK(prefixes(e0) == std::vector<Prefix>{prefix("192.168.1.10/32")});
    CHECK(to_string(e0.rule) == "all(b:be_app)");

    const auto& e1 = (*entries)[1];
    CHECK(e1.line == 5);
    CHECK(prefixes(e1) ==
          std::vector<Prefix>{prefix("192.168.1.11/32"), prefix("192.168.1.12/32")});
    CHECK(e1.networks[1].column == 18);
    CHECK(to_string(e1.rule) == "any(b:be_app, b:be_app2)");
    CHECK(e1.rule.column == 33); // columns of the line, not of the rule text
    CHECK(e1.rule.args[1].column == 46);

    const auto& e2 = (*entries)[2];
    CHECK(e2.line == 6);
    CHECK(prefixes(e2) == std::vector<Prefix>{prefix("2001:db8::1/128")});
    CHECK(e2.networks[0].column == 2);
    CHECK(to_string(e2.rule) == "any(f:fe_web, b:be_web)");

    const auto& e3 = (*entries)[3];
    CHECK(e3.line == 9);
    CHECK(prefixes(e3) == std::vector<Prefix>{prefix("10.0.0.0/24")});
    CHECK(e3.networks[0].table == "vol2");
    CHECK(e0.networks[0].table.empty());
    CHECK(to_string(e3.rule) == "all(f:fe_internal, b:be_internal)");
}

TEST_CASE("rhi: vipd extensions in an RHI file", "[announce]")
{
    const auto text = vipd::test::read_text(vipd::test::data_path("rhi/vipd_ext.conf"));
    auto entries = parse_rhi(text);
    REQUIRE(entries.has_value());
    REQUIRE(entries->size() == 4);
    CHECK(to_string((*entries)[0].rule) == "all(web, any(lb1%b:be_app, lb2%b:be_app))");
    CHECK(to_string((*entries)[1].rule) == "any(s:be_app/web1, s:be_app/web2)");
    CHECK((*entries)[2].rule == Rule::never());
    CHECK((*entries)[3].rule == Rule::always());
    CHECK(prefixes((*entries)[3]) == std::vector<Prefix>{prefix("192.0.2.13/32")});
}

TEST_CASE("rhi: bad sample file", "[announce]")
{
    const auto text = vipd::test::read_text(vipd::test::data_path("rhi/bad_rule.conf"));
    auto entries = parse_rhi(text);
    REQUIRE_FALSE(entries.has_value());
    REQUIRE(entries.error().size() == 1);
    CHECK(entries.error()[0] ==
          RhiError{4, 28, "unknown function \"al\" (expected all, any, never, always)"});
    CHECK(to_string(entries.error()[0]) ==
          "line 4, column 28: unknown function \"al\" (expected all, any, never, always)");
}

TEST_CASE("rhi: the table may follow or precede the network", "[announce]")
{
    auto r = parse_rhi("192.0.2.1%vol2, vol3%2001:db8::/32, 192.0.2.2 = any(b:a)");
    REQUIRE(r.has_value());
    const auto& n = (*r)[0].networks;
    REQUIRE(n.size() == 3);
    CHECK(n[0].prefix == prefix("192.0.2.1/32"));
    CHECK(n[0].table == "vol2");
    CHECK(n[1].prefix == prefix("2001:db8::/32"));
    CHECK(n[1].table == "vol3");
    CHECK(n[1].column == 17);
    CHECK(n[2].table.empty());
}

TEST_CASE("rhi: empty files, comments and CRLF", "[announce]")
{
    CHECK(parse_rhi("")->empty());
    CHECK(parse_rhi("\n\n   \t\n# only a comment\n")->empty());
    auto crlf = parse_rhi("# x\r\n192.0.2.1 = any(b:a)\r\n192.0.2.2 = all(f:b) # c\r\n");
    REQUIRE(crlf.has_value());
    REQUIRE(crlf->size() == 2);
    CHECK((*crlf)[1].line == 3);
    CHECK(to_string((*crlf)[1].rule) == "all(f:b)");
    auto no_newline = parse_rhi("192.0.2.1=b:a");
    REQUIRE(no_newline.has_value());
    CHECK((*no_newline)[0].rule == Rule::leaf(Reference::backend("a")));
}

TEST_CASE("rhi: errors name line and column", "[announce]")
{
    struct Row
    {
        std::string text;
        RhiError error;
    };
    const Row rows[] = {
        {"\n192.0.2.1 any(b:a)",
         {2, 19, "expected '=' between the networks and the rule (NETWORK[, ...] = RULE)"}},
        {"192.0.2.1 =   ", {1, 15, "missing rule after '='"}},
        {" = any(b:a)", {1, 2, "empty network (expected an address or prefix)"}},
        {"192.0.2.1,, 192.0.2.2 = any(b:a)",
         {1, 11, "empty network (expected an address or prefix)"}},
        {"192.0.2.1, = any(b:a)", {1, 12, "empty network (expected an address or prefix)"}},
        {"192.0.2.1 192.0.2.2 = any(b:a)",
         {1, 10, "space inside a network (separate networks with ',')"}},
        {"  192.0.2.300 = any(b:a)", {1, 3, "\"192.0.2.300\" is not an IPv4 or IPv6 address"}},
        {"192.0.2.1/24 = any(b:a)",
         {1, 1, "\"192.0.2.1/24\": host bits set (did you mean 192.0.2.0/24?)"}},
        {"192.0.2.1/33 = any(b:a)", {1, 1, "\"192.0.2.1/33\": prefix length 33 exceeds 32"}},
        {"192.0.2.1% = any(b:a)", {1, 11, "empty table name next to '%'"}},
        {"%192.0.2.1 = any(b:a)", {1, 1, "empty table name next to '%'"}},
        {"vol$%192.0.2.1 = any(b:a)", {1, 4, "invalid character '$' in table name"}},
        {"vol2%192.0.2.300 = any(b:a)", {1, 6, "\"192.0.2.300\" is not an IPv4 or IPv6 address"}},
        {"192.0.2.300%vol2 = any(b:a)", {1, 1, "\"192.0.2.300\" is not an IPv4 or IPv6 address"}},
        {"192.0.2.1%v$ol = any(b:a)", {1, 12, "invalid character '$' in table name"}},
        {"192.0.2.1 = any(b:a", {1, 20, "missing ')' to close any( opened at column 16"}},
        {"192.0.2.1 =  all()",
         {1, 18,
          "all() needs at least one argument (write always() or never() "
          "for a constant)"}},
        {"192.0.2.1 = any(b:a)\n192.0.2.2, 192.0.2.1/32 = all(b:b)",
         {2, 12, "192.0.2.1/32 is already announced by the rule on line 1"}},
        {"2001:db8::1, 2001:db8::1/128 = all(b:b)",
         {1, 14, "2001:db8::1/128 is already announced by the rule on line 1"}},
    };
    for (const auto& row : rows) {
        INFO("text: " << row.text);
        auto r = parse_rhi(row.text);
        REQUIRE_FALSE(r.has_value());
        REQUIRE(r.error().size() == 1);
        INFO("got: " << to_string(r.error().front()));
        CHECK(r.error().front() == row.error);
    }
}

TEST_CASE("rhi: bare never and always are the constants", "[announce]")
{
    auto r = parse_rhi("192.0.2.1 = never\n192.0.2.2 =  always  # on\n192.0.2.3 = never()\n"
                       "192.0.2.4 = always()\n");
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 4);
    CHECK((*r)[0].rule == Rule::never());
    CHECK((*r)[1].rule == Rule::always());
    CHECK((*r)[2].rule == Rule::never());
    CHECK((*r)[3].rule == Rule::always());
    // Only the whole rule: inside all()/any() a bare word is a check name, as in vipd rules.
    auto nested = parse_rhi("192.0.2.1 = any(b:a, never)");
    REQUIRE(nested.has_value());
    CHECK(to_string((*nested)[0].rule) == "any(b:a, never)");
}

TEST_CASE("rhi: every error of the file at once", "[announce]")
{
    auto r = parse_rhi("192.0.2.1 = any(b:a)\n"
                       "192.0.2.300 = any(b:a)\n"
                       "192.0.2.2 = any(b:a\n"
                       "192.0.2.3 = all(b:b)\n"
                       "192.0.2.1, 192.0.2.3 = all(b:c)\n"
                       "192.0.2.4 never\n");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() ==
          std::vector<RhiError>{
              {2, 1, "\"192.0.2.300\" is not an IPv4 or IPv6 address"},
              {3, 20, "missing ')' to close any( opened at column 16"},
              {5, 1, "192.0.2.1/32 is already announced by the rule on line 1"},
              {5, 12, "192.0.2.3/32 is already announced by the rule on line 4"},
              {6, 16, "expected '=' between the networks and the rule (NETWORK[, ...] = RULE)"},
          });
}
