// Rule parser: valid texts (AST, canonical text, round trip), every error with its column.
#include <string>

#include <catch2/catch.hpp>

#include "announce/rule.hpp"

using namespace vipd::announce;

namespace {

Rule parse_ok(std::string_view text)
{
    auto r = parse_rule(text);
    INFO("text: " << text);
    REQUIRE(r.has_value());
    return *r;
}

} // namespace

TEST_CASE("rule: AST of a nested rule", "[announce]")
{
    const Rule r = parse_ok("all(web, any(lb1%b:be_app, lb2%b:be_app), s:be_app/web1)");
    const Rule expected = Rule::all({
        Rule::leaf(Reference::check("web")),
        Rule::any({Rule::leaf(Reference::backend("be_app", "lb1")),
                   Rule::leaf(Reference::backend("be_app", "lb2"))}),
        Rule::leaf(Reference::server_of("be_app", "web1")),
    });
    CHECK(r == expected);
    REQUIRE(r.args.size() == 3);
    CHECK(r.column == 1);
    CHECK(r.args[0].column == 5);
    CHECK(r.args[1].column == 10);
    CHECK(r.args[1].args[1].column == 28);
    CHECK(r.args[2].column == 43);
}

TEST_CASE("rule: canonical text and round trip", "[announce]")
{
    struct Row
    {
        const char* text;
        const char* canonical;
    };
    const Row rows[] = {
        {"web", "web"},
        {"  web  ", "web"},
        {"all(web,b:be_app)", "all(web, b:be_app)"},
        {"  any ( b:be_app ,\tb:be_app2 )  ", "any(b:be_app, b:be_app2)"},
        {"never()", "never()"},
        {"always( )", "always()"},
        {"f:fe:web", "f:fe:web"},
        {"s:be.app/web-1", "s:be.app/web-1"},
        {"lb2%s:be_app/web1", "lb2%s:be_app/web1"},
        {"any(all(a,b),all(c,never()),always())", "any(all(a, b), all(c, never()), always())"},
        {"all(\n  web,\n  db\n)", "all(web, db)"},
    };
    for (const auto& row : rows) {
        const Rule r = parse_ok(row.text);
        CHECK(to_string(r) == row.canonical);
        CHECK(parse_ok(to_string(r)) == r);
    }
}

TEST_CASE("rule: reference kinds", "[announce]")
{
    CHECK(parse_ok("web").ref == Reference::check("web"));
    CHECK(parse_ok("b:be_app").ref == Reference::backend("be_app"));
    CHECK(parse_ok("f:fe_web").ref == Reference::frontend("fe_web"));
    CHECK(parse_ok("s:be/srv").ref == Reference::server_of("be", "srv"));
    CHECK(parse_ok("lb1%f:fe").ref == Reference::frontend("fe", "lb1"));
    // HAProxy accepts ':' in proxy names: only the first "b:" is the kind.
    CHECK(parse_ok("b:be:app").ref == Reference::backend("be:app"));

    auto ref = parse_reference("lb2%s:be_app/web1");
    REQUIRE(ref.has_value());
    CHECK(*ref == Reference::server_of("be_app", "web1", "lb2"));
    CHECK(to_string(*ref) == "lb2%s:be_app/web1");
    CHECK(parse_reference("a b").error() == RuleError{2, "unexpected ' ' in a reference"});
    CHECK(parse_reference("").error().column == 1);
}

TEST_CASE("rule: errors name the column", "[announce]")
{
    struct Row
    {
        std::string text;
        std::size_t column;
        std::string message;
    };
    const Row rows[] = {
        {"", 1, "empty rule"},
        {"   ", 4, "empty rule"},
        {"all(web", 8, "missing ')' to close all( opened at column 4"},
        {"all(web))", 9, "unexpected ')' after the rule"},
        {"al(web)", 1, "unknown function \"al\" (expected all, any, never, always)"},
        {"ALL(web)", 1, "unknown function \"ALL\" (expected all, any, never, always)"},
        {"all()", 5,
         "all() needs at least one argument (write always() or never() for a constant)"},
        {"any( )", 6,
         "any() needs at least one argument (write always() or never() for a constant)"},
        {"never(web)", 7, "never() takes no arguments"},
        {"always(", 8, "missing ')' to close always( opened at column 7"},
        {"all(web,,db)", 9, "empty argument before ','"},
        {"all(web, )", 10, "empty argument before ')'"},
        {"all(web,", 9, "unexpected end of rule, expected an argument"},
        {")", 1, "unexpected ')'"},
        {"(web)", 1, "unexpected '(' without a function name before it"},
        {"x:foo", 1, "unknown reference kind \"x:\" (expected b:, f: or s:)"},
        {"all(web, be:app)", 10, "unknown reference kind \"be:\" (expected b:, f: or s:)"},
        {"b:", 3, "empty backend name"},
        {"any(f:)", 7, "empty frontend name"},
        {"s:be_app", 1, "server reference \"s:be_app\" needs s:BACKEND/SERVER"},
        {"s:be_app/", 10, "empty server name"},
        {"s:/web1", 3, "empty backend name"},
        {"s:be/we/b", 8, "invalid character '/' in server name \"we/b\""},
        {"%b:be", 1, "empty HAProxy instance name"},
        {"lb1%web", 5, "\"lb1%\" must be followed by b:, f: or s:"},
        {"web db", 5, "unexpected 'd' after the rule"},
        {"all(web db)", 9, "expected ',' or ')', found 'd'"},
        {"all(w/b)", 6, "invalid character '/' in check name \"w/b\""},
        {"b:be$", 5, "invalid character '$' in backend name \"be$\""},
        {"web\x01", 4, "invalid character byte 0x01 in check name \"web\x01\""},
    };
    for (const auto& row : rows) {
        INFO("text: " << row.text);
        auto r = parse_rule(row.text);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().column == row.column);
        CHECK(r.error().message == row.message);
    }
    CHECK(to_string(RuleError{7, "x"}) == "column 7: x");
}

TEST_CASE("rule: columns can start after a prefix of the line", "[announce]")
{
    auto r = parse_rule("all(web, b:be)", 21);
    REQUIRE(r.has_value());
    CHECK(r->column == 21);
    CHECK(r->args[1].column == 30);
    CHECK(parse_rule("all(web", 21).error() ==
          RuleError{28, "missing ')' to close all( opened at column 24"});
}

TEST_CASE("rule: nesting is bounded", "[announce]")
{
    auto nested = [](std::size_t depth) {
        std::string s;
        for (std::size_t i = 0; i < depth; ++i)
            s += "all(";
        s += "web";
        s += std::string(depth, ')');
        return s;
    };
    CHECK(parse_rule(nested(max_rule_depth)).has_value());
    auto deep = parse_rule(nested(max_rule_depth + 1));
    REQUIRE_FALSE(deep.has_value());
    CHECK(deep.error().column == 4 * max_rule_depth + 1);
    CHECK(deep.error().message == "rule nested deeper than 32 levels");
}

TEST_CASE("rule: leaves are distinct, in order of first use", "[announce]")
{
    const Rule r = parse_ok("any(all(web, b:be_app), all(web, db), b:be_app, never())");
    const std::vector<Reference> expected = {Reference::check("web"), Reference::backend("be_app"),
                                             Reference::check("db")};
    CHECK(leaves(r) == expected);
    CHECK(leaves(Rule::always()).empty());
}
