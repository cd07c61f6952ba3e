// HAProxy CSV parser and reference evaluation, on output captured from Debian's haproxy 2.6
// (tests/data/haproxy/README.md says how).
#include <algorithm>

#include <catch2/catch.hpp>

#include "health/haproxy_stats.hpp"
#include "helpers/test_data.hpp"

using namespace vipd::health;
using vipd::test::data_path;
using vipd::test::read_text;

namespace {

Outcome eval(const StatTable& table, std::string_view ref)
{
    auto parsed = parse_ref(ref);
    REQUIRE(parsed);
    return evaluate(table, *parsed);
}

} // namespace

TEST_CASE("show stat from the stats socket parses every line", "[health]")
{
    auto table = parse_stat_csv(read_text(data_path("haproxy/show_stat.csv")));
    REQUIRE(table);
    CHECK(table->size() == 16);
    const auto& web2 = *std::find_if(table->begin(), table->end(), [](const StatRow& r) {
        return r.proxy == "be_app" && r.name == "web2";
    });
    CHECK(web2.type == ProxyType::server);
    CHECK(web2.status == "DOWN");
    CHECK(web2.check_status == "L4CON");
    CHECK(web2.last_check == "Connection refused");
    const auto& be = *std::find_if(table->begin(), table->end(), [](const StatRow& r) {
        return r.proxy == "be_app" && r.name == "BACKEND";
    });
    CHECK(be.type == ProxyType::backend);
    CHECK(be.active == 2);
    CHECK(be.backup == 1);
}

TEST_CASE("the ,csv stats page parses to the same proxies and states", "[health]")
{
    auto socket = parse_stat_csv(read_text(data_path("haproxy/show_stat.csv")));
    auto page = parse_stat_csv(read_text(data_path("haproxy/stats_page.csv")));
    REQUIRE(socket);
    REQUIRE(page);
    REQUIRE(socket->size() == page->size());
    for (std::size_t i = 0; i < page->size(); ++i) {
        CHECK((*page)[i].proxy == (*socket)[i].proxy);
        CHECK((*page)[i].name == (*socket)[i].name);
        CHECK((*page)[i].status == (*socket)[i].status);
    }
}

TEST_CASE("backend references: UP with usable servers, DOWN with counts", "[health]")
{
    auto table = parse_stat_csv(read_text(data_path("haproxy/show_stat.csv")));
    REQUIRE(table);
    auto o = eval(*table, "b:be_app");
    CHECK(o.status == Status::up);
    CHECK(o.detail == "backend be_app UP (3/6 servers up)");
    CHECK(o.reason == Reason::none);
    o = eval(*table, "b:be_down");
    CHECK(o.status == Status::down);
    CHECK(o.detail == "backend be_down DOWN (0/2 servers up)");
    CHECK(o.reason == Reason::haproxy);
    o = eval(*table, "b:be_maint");
    CHECK(o.status == Status::down);
    CHECK(o.detail == "backend be_maint DOWN (0/1 servers up)");
    o = eval(*table, "b:be_nope");
    CHECK(o.status == Status::down);
    CHECK(o.detail == "no backend \"be_nope\"");
    CHECK(o.reason == Reason::haproxy);
}

TEST_CASE("server references: UP, DOWN with check cause, MAINT, DRAIN, no check", "[health]")
{
    auto table = parse_stat_csv(read_text(data_path("haproxy/stats_page.csv")));
    REQUIRE(table);
    CHECK(eval(*table, "s:be_app/web1") == Outcome{Status::up, "server be_app/web1 UP", {}});
    CHECK(eval(*table, "s:be_app/web2") ==
          Outcome{Status::down,
                  "server be_app/web2 DOWN (L4CON Connection refused)",
                  {},
                  Reason::haproxy});
    CHECK(eval(*table, "s:be_app/web3") ==
          Outcome{Status::maint, "server be_app/web3 MAINT", {}, Reason::haproxy});
    CHECK(eval(*table, "s:be_app/web4") ==
          Outcome{Status::drain, "server be_app/web4 DRAIN", {}, Reason::haproxy});
    CHECK(eval(*table, "s:be_app/web5") == Outcome{Status::up, "server be_app/web5 no check", {}});
    CHECK(eval(*table, "s:be_app/bk1").status == Status::up);
    CHECK(eval(*table, "s:be_app/zzz").detail == "no server \"be_app/zzz\"");
}

TEST_CASE("frontend references: OPEN up, PAUSED maint", "[health]")
{
    auto table = parse_stat_csv(read_text(data_path("haproxy/show_stat.csv")));
    REQUIRE(table);
    CHECK(eval(*table, "f:fe_main") == Outcome{Status::up, "frontend fe_main OPEN", {}});
    CHECK(eval(*table, "f:fe_stopped") ==
          Outcome{Status::maint, "frontend fe_stopped PAUSED", {}, Reason::haproxy});
    CHECK(eval(*table, "f:be_app").detail == "no frontend \"be_app\"");
}

TEST_CASE("server status column mapping, including transitional states", "[health]")
{
    CHECK(server_status("UP") == Status::up);
    CHECK(server_status("UP 1/3") == Status::up); // going down: HAProxy still uses it
    CHECK(server_status("no check") == Status::up);
    CHECK(server_status("DOWN") == Status::down);
    CHECK(server_status("DOWN 1/2") == Status::down); // going up: not usable yet
    CHECK(server_status("DOWN (agent)") == Status::down);
    CHECK(server_status("MAINT") == Status::maint);
    CHECK(server_status("MAINT (via be_x/s1)") == Status::maint);
    CHECK(server_status("MAINT (resolution)") == Status::maint);
    CHECK(server_status("DRAIN") == Status::drain);
    CHECK(server_status("DRAIN (agent)") == Status::drain);
    CHECK(server_status("NOLB") == Status::drain);
    CHECK(server_status("") == Status::down);
}

TEST_CASE("parser errors: no header, short line, quoted fields", "[health]")
{
    CHECK(parse_stat_csv("Permission denied\n").error() ==
          "no \"# pxname\" stats header; got \"Permission denied\"");
    CHECK(parse_stat_csv("# pxname,svname,foo\n").error() ==
          "stats header lacks pxname, svname, status or type");
    CHECK(parse_stat_csv("# pxname,svname,status,type\nbe,BACKEND\n").error() ==
          "stats line 2: 2 fields, want at least 4");
    auto t = parse_stat_csv("# pxname,svname,status,type,last_chk,\r\n"
                            "be,s1,DOWN,2,\"Layer7 \"\"bad\"\", code 500\",\r\n\r\n");
    REQUIRE(t);
    REQUIRE(t->size() == 1);
    CHECK((*t)[0].last_check == "Layer7 \"bad\", code 500");
    CHECK(parse_stat_csv("# pxname,svname,status,type\n")->empty());
    auto running = parse_stat_csv("# pxname,svname,status,type,check_status\n"
                                  "be,s1,DOWN,2,* L4CON\n");
    REQUIRE(running);
    CHECK((*running)[0].check_status == "L4CON"); // "* " = check in progress
    CHECK(evaluate(*running, *parse_ref("s:be/s1")).detail == "server be/s1 DOWN (L4CON)");
}

TEST_CASE("reference syntax", "[health]")
{
    CHECK(*parse_ref("b:be_app") == HaproxyRef{HaproxyRef::Kind::backend, "be_app", ""});
    CHECK(*parse_ref("f:fe") == HaproxyRef{HaproxyRef::Kind::frontend, "fe", ""});
    CHECK(*parse_ref("s:be/web1") == HaproxyRef{HaproxyRef::Kind::server, "be", "web1"});
    CHECK(to_string(*parse_ref("s:be/web1")) == "s:be/web1");
    for (const char* bad : {"", "b:", "x:be", "be_app", "s:be", "s:/x", "s:be/", "b:a b"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_ref(bad));
    }
}
