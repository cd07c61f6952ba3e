// vipctl output, in process: the table layout (alignment, UTF-8 widths, control characters),
// uptime text, rendering of partial or unexpected replies, and the announce exit status.
#include <catch2/catch.hpp>

#include "cli/control/render.hpp"
#include "cli/control/table.hpp"

using nlohmann::json;
using vipd::cli::Align;
using vipd::cli::Table;

TEST_CASE("table: aligned columns, right-aligned numbers, no trailing blanks", "[cli][vipctl]")
{
    Table t({{"NAME"}, {"COUNT", Align::right}, {"NOTE"}});
    t.add_row({"a", "5", "short"});
    t.add_row({"longer", "12345", ""});
    t.add_row({"é-ü", "7"}); // two-byte characters count once; a missing cell is empty
    CHECK(t.render() == "NAME    COUNT  NOTE\n"
                        "a           5  short\n"
                        "longer  12345\n"
                        "é-ü         7\n");
    CHECK(t.render_rows("> ") == "> a           5  short\n"
                                 "> longer  12345\n"
                                 "> é-ü         7\n");
}

TEST_CASE("table: control characters are escaped", "[cli][vipctl]")
{
    CHECK(vipd::cli::terminal_safe("a\x1b[2Jb\nc\td\x7f") == "a\\x1b[2Jb\\nc d\\x7f");
    CHECK(vipd::cli::terminal_safe("größe") == "größe");
    CHECK(vipd::cli::display_width("größe") == 5);
    Table t({{"A"}, {"B"}});
    t.add_row({"x\x07", "y"});
    CHECK(t.render() == "A      B\nx\\x07  y\n");
}

TEST_CASE("render: uptime text", "[cli][vipctl]")
{
    using vipd::cli::format_uptime;
    CHECK(format_uptime(nullptr) == "-");
    CHECK(format_uptime("5") == "-");
    CHECK(format_uptime(-3) == "-");
    CHECK(format_uptime(0) == "0s");
    CHECK(format_uptime(42.9) == "42s");
    CHECK(format_uptime(303) == "5m03s");
    CHECK(format_uptime(4 * 3600 + 5 * 60 + 59) == "4h05m");
    CHECK(format_uptime(3 * 86400 + 4 * 3600) == "3d04h");
}

TEST_CASE("render: missing fields print as '-', empty lists say so", "[cli][vipctl]")
{
    const auto status = vipd::cli::render_reply(
        "status", {{"ok", true}, {"neighbors", json::array()}, {"vips", {{{"name", "web"}}}}});
    CHECK(status.status == 0);
    CHECK(status.text == "vipd -\n\n"
                         "no neighbors configured\n\n"
                         "VIP  STATE  PREFIXES  RULE  REASON\n"
                         "web  -      -         -     -\n\n"
                         "no checks configured\n");
    CHECK(vipd::cli::render_reply("routes", {{"ok", true}, {"routes", json::array()}}).text ==
          "no routes sent\n");
    // An unknown command's reply is shown as JSON rather than dropped.
    CHECK(vipd::cli::render_reply("future", {{"ok", true}, {"x", 1}}).text ==
          "{\n  \"ok\": true,\n  \"x\": 1\n}\n");
}

TEST_CASE("render: announce results decide the exit status", "[cli][vipctl]")
{
    const auto render = [](json results) {
        return vipd::cli::render_reply("announce", {{"ok", true}, {"results", results}});
    };
    auto ok = render({{"a", "written"}, {"b", "not established (Idle)"}});
    CHECK(ok.status == 0);
    CHECK(ok.warning.empty());
    CHECK(ok.text == "NEIGHBOR  RESULT\na         written\nb         not established (Idle)\n");
    auto held = render({{"a", "written"},
                        {"b", "initial table held until the daemon is ready"},
                        {"c", "write failed"}});
    CHECK(held.status == 1);
    CHECK(held.warning == "vipctl announce: not written to 2 established neighbors: b, c\n");
    auto none = render(json::object());
    CHECK(none.status == 0);
    CHECK(none.text == "no neighbors configured\n");
}

TEST_CASE("watch: one text line per event", "[cli][render]")
{
    using vipd::cli::render_event;
    CHECK(render_event(nlohmann::json{{"event", "transition"},
                                      {"time", "2026-12-07T14:30:01.123Z"},
                                      {"kind", "vip"},
                                      {"name", "web"},
                                      {"from", "withdrawn"},
                                      {"to", "announced"},
                                      {"cause", "rule up"}}) ==
          "2026-12-07T14:30:01.123Z vip web withdrawn -> announced (rule up)");
    CHECK(render_event(nlohmann::json{{"event", "transition"},
                                      {"time", "2026-12-07T14:30:01.123Z"},
                                      {"kind", "check"},
                                      {"name", "web\x1b[2J"},
                                      {"from", "up"},
                                      {"to", "down"},
                                      {"cause", ""}}) ==
          "2026-12-07T14:30:01.123Z check web\\x1b[2J up -> down");
    CHECK(render_event(nlohmann::json{{"event", "dropped"}, {"reason", "too slow"}}) ==
          "dropped by vipd: too slow");
}

TEST_CASE("render: BFD packets of no session in status, BFD strict mode's wait", "[cli][vipctl]")
{
    const json empty = {{"ok", true}, {"neighbors", json::array()}};
    json status = empty;
    status["bfd_dropped_no_session"] = {{"bad-length", 5}, {"bad-version", 2}, {"no-session", 0}};
    const std::string tail = "no checks configured\n";
    auto text = vipd::cli::render_reply("status", status).text;
    CHECK(text.substr(text.find(tail)) ==
          tail + "\nBFD packets of no session dropped: 7 (bad-length 5, bad-version 2)\n");
    status["bfd_dropped_no_session"] = {{"bad-length", 0}};
    CHECK(vipd::cli::render_reply("status", status).text ==
          vipd::cli::render_reply("status", empty).text);

    const json n = {{"name", "r1"},
                    {"state", "Idle"},
                    {"failures", 0},
                    {"bfd", nullptr},
                    {"waiting_for_bfd", true}};
    const std::string why = "when BFD is Up (bfd strict: no BGP session without BFD)";
    for (const auto& reply : {json{{"ok", true}, {"neighbor", n}},
                              json{{"ok", true}, {"neighbors", json::array({n})}}}) {
        text = vipd::cli::render_reply("neighbors", reply).text;
        const auto at = text.find("next attempt:");
        REQUIRE(at != std::string::npos);
        const auto value = text.find_first_not_of(' ', at + std::string("next attempt:").size());
        CHECK(text.substr(value, why.size()) == why);
    }
}
