// Rule evaluation: three-valued truth tables, leaf-state mapping, renderings.
#include <map>

#include <catch2/catch.hpp>

#include "announce/evaluation.hpp"

using namespace vipd::announce;

namespace {

// A LeafLookup over a fixed table; leaves not in the table are unknown.
struct Table
{
    std::map<Reference, LeafStatus> states;
    mutable std::vector<Reference> asked;

    LeafLookup lookup() const
    {
        return [this](const Reference& r) {
            asked.push_back(r);
            const auto it = states.find(r);
            return it == states.end() ? LeafStatus{} : it->second;
        };
    }
};

Rule rule(std::string_view text)
{
    auto r = parse_rule(text);
    REQUIRE(r.has_value());
    return *r;
}

} // namespace

TEST_CASE("evaluation: all/any truth tables with unknown", "[announce]")
{
    struct Row
    {
        LeafState a;
        LeafState b;
        RuleResult all;
        RuleResult any;
    };
    using L = LeafState;
    using R = RuleResult;
    // Kleene logic: all() is down as soon as one is down, any() up as soon as one is up.
    const Row rows[] = {
        {L::up, L::up, R::up, R::up},
        {L::up, L::down, R::down, R::up},
        {L::down, L::up, R::down, R::up},
        {L::down, L::down, R::down, R::down},
        {L::up, L::unknown, R::unknown, R::up},
        {L::unknown, L::up, R::unknown, R::up},
        {L::down, L::unknown, R::down, R::unknown},
        {L::unknown, L::down, R::down, R::unknown},
        {L::unknown, L::unknown, R::unknown, R::unknown},
    };
    for (const auto& row : rows) {
        Table t;
        t.states[Reference::check("a")] = {row.a, ""};
        t.states[Reference::check("b")] = {row.b, ""};
        INFO("a=" << to_string(row.a) << " b=" << to_string(row.b));
        CHECK(evaluate(rule("all(a, b)"), t.lookup()).result == row.all);
        CHECK(evaluate(rule("any(a, b)"), t.lookup()).result == row.any);
    }
}

TEST_CASE("evaluation: constants and single leaves", "[announce]")
{
    Table t;
    CHECK(evaluate(Rule::never(), t.lookup()).result == RuleResult::down);
    CHECK(evaluate(Rule::always(), t.lookup()).result == RuleResult::up);
    CHECK(evaluate(rule("web"), t.lookup()).result == RuleResult::unknown);
    CHECK(evaluate(rule("any(web, always())"), t.lookup()).result == RuleResult::up);
    CHECK(evaluate(rule("all(web, never())"), t.lookup()).result == RuleResult::down);
    CHECK(evaluate(rule("all(web, always())"), t.lookup()).result == RuleResult::unknown);
}

TEST_CASE("evaluation: disabled, maint and drain count as down but keep their name", "[announce]")
{
    for (LeafState s : {LeafState::disabled, LeafState::maint, LeafState::drain}) {
        Table t;
        t.states[Reference::server_of("be", "web1")] = {s, "set by operator"};
        const Evaluation e = evaluate(rule("s:be/web1"), t.lookup());
        CHECK(e.result == RuleResult::down);
        CHECK(e.leaf.state == s);
        CHECK(to_string(e) ==
              "s:be/web1=" + std::string(to_string(s)) + " \"set by operator\" -> down");
    }
    CHECK(leaf_result(LeafState::unknown) == RuleResult::unknown);
    CHECK(leaf_result(LeafState::up) == RuleResult::up);
    CHECK(leaf_result(LeafState::down) == RuleResult::down);
}

TEST_CASE("evaluation: one-line and tree renderings", "[announce]")
{
    Table t;
    t.states[Reference::check("web")] = {LeafState::up, ""};
    t.states[Reference::backend("be_app")] = {LeafState::down, "0/3 servers up"};
    const Evaluation e = evaluate(rule("all(web, b:be_app)"), t.lookup());
    CHECK(to_string(e) == "all(web=up, b:be_app=down \"0/3 servers up\") -> down");
    CHECK(render_tree(e) == "all -> down\n"
                            "  web: up\n"
                            "  b:be_app: down \"0/3 servers up\"\n");

    t.states[Reference::check("db")] = {LeafState::down, "say \"no\"\\\n\x01"};
    const Evaluation n = evaluate(rule("any(all(web, db), lb2%b:be_app, never())"), t.lookup());
    CHECK(to_string(n) == "any(all(web=up, db=down \"say \\\"no\\\"\\\\\\n\\x01\"), "
                          "lb2%b:be_app=unknown, never()) -> unknown");
    CHECK(render_tree(n) == "any -> unknown\n"
                            "  all -> down\n"
                            "    web: up\n"
                            "    db: down \"say \\\"no\\\"\\\\\\n\\x01\"\n"
                            "  lb2%b:be_app: unknown\n"
                            "  never() -> down\n");
}

TEST_CASE("evaluation: quoting for log lines", "[announce]")
{
    CHECK(quote("") == "\"\"");
    CHECK(quote("a \"b\" c\\d\te\x7f") == "\"a \\\"b\\\" c\\\\d\\te\\x7f\"");
}

TEST_CASE("evaluation: every leaf occurrence is looked up, unknown leaves listed once",
          "[announce]")
{
    Table t;
    t.states[Reference::check("web")] = {LeafState::up, ""};
    const Rule r = rule("any(all(web, db), all(db, b:be))");
    const Evaluation e = evaluate(r, t.lookup());
    CHECK(t.asked.size() == 4);
    const std::vector<Reference> unknown = {Reference::check("db"), Reference::backend("be")};
    CHECK(unknown_leaves(e) == unknown);
    REQUIRE(e.args.size() == 2);
    CHECK(e.args[0].args[0].ref == Reference::check("web"));
    CHECK(e.args[0].args[0].result == RuleResult::up);
}
