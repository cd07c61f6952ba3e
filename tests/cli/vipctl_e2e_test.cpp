// vipctl end to end: the built program (VIPD_BINARY_DIR/vipctl) against a ControlServer in this
// process whose handler returns canned replies, so only vipctl's side is shown here (what the
// daemon does is shown against the real one in tests/integration): tables, the explain tree,
// --json, announce/withdraw results and their exit status, prefix files, every exit status (0 ok,
// 1 refused, 2 usage, 3 unreachable), $VIPD_SOCKET, --timeout, --help.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/config/config.hpp"
#include "cli/control/registry.hpp"
#include "cli/control/server.hpp"
#include "helpers/test_data.hpp"

namespace asio = boost::asio;
namespace fs = std::filesystem;
using nlohmann::json;
using vipd::cli::Respond;

namespace {

json neighbors()
{
    return json::parse(R"J([
      {"name": "tor1", "address": "192.0.2.1", "remote_as": 65001, "state": "Established",
       "uptime_s": 3725.4, "last_error": "",
       "last_transition": "OpenConfirm->Established event=KeepaliveReceived cause=",
       "messages_sent": 10, "messages_received": 12, "updates_sent": 3, "updates_received": 0,
       "prefixes_announced": 2, "prefixes_received": 0,
       "families": ["ipv4-unicast", "ipv6-unicast"], "last_notification_sent": null,
       "last_notification_received": "6/2 Administrative Shutdown \"maintenance\""},
      {"name": "tor2", "address": "2001:db8::2", "remote_as": 65002, "state": "Active",
       "uptime_s": null, "last_error": "connect: Connection refused", "last_transition": "",
       "messages_sent": 0, "messages_received": 0, "updates_sent": 0, "updates_received": 0,
       "prefixes_announced": 0, "prefixes_received": 0, "families": [],
       "last_notification_sent": null, "last_notification_received": null}
    ])J");
}

json vips()
{
    return json::parse(R"J([
      {"name": "web", "prefixes": ["192.0.2.10/32", "2001:db8::10/128"], "state": "announced",
       "rule": "all(http, any(ping, backup))", "evaluation": "up", "reason": "rule up",
       "attributes": {"med": 10, "local_pref": null, "prepend": 0,
                      "communities": ["65000:100"], "large_communities": [], "next_hop": null},
       "neighbors": [], "damping": {"flaps": 1, "suppressed": 0, "held_until": null},
       "last_change": "2026-01-01T00:00:00Z"},
      {"name": "api", "prefixes": ["192.0.2.20/32"], "state": "withdrawn", "rule": "http-api",
       "evaluation": "down", "reason": "rule down: http-api is down", "attributes": null,
       "neighbors": ["tor1"], "damping": {"flaps": 0, "suppressed": 0, "held_until": null},
       "last_change": null}
    ])J");
}

json checks()
{
    json c = json::parse(R"J([
      {"name": "http", "kind": "http", "state": "up", "detail": "HTTP 200", "latency_ms": 3,
       "transitions": 1, "last_change": "2026-01-01T00:00:00Z"},
      {"name": "http-api", "kind": "http", "state": "down", "detail": "", "latency_ms": null,
       "transitions": 4, "last_change": null}
    ])J");
    c[1]["detail"] = "HTTP 503 \x1b[31mred\x1b[0m"; // a remote server's text: escaped on output
    return c;
}

json tree()
{
    return json::parse(R"J({"op": "all", "state": "up", "detail": "", "children": [
      {"op": "leaf", "ref": "http", "state": "up", "detail": "HTTP 200 in 3 ms", "children": []},
      {"op": "any", "state": "up", "detail": "", "children": [
        {"op": "leaf", "ref": "ping", "state": "up", "detail": "", "children": []},
        {"op": "leaf", "ref": "backup", "state": "down", "detail": "timeout", "children": []}]}
    ]})J");
}

// Canned daemon replies; records the last request. Touched only on the io thread.
struct CannedDaemon : vipd::cli::ControlHandler
{
    std::string last_command;
    json last_args;

    void handle(const std::string& command, const json& args, Respond respond) override
    {
        last_command = command;
        last_args = args;
        json r = {{"ok", true}};
        if (command == "status") {
            r.update({{"version", "0.1.0-test"},
                      {"neighbors", neighbors()},
                      {"vips", vips()},
                      {"checks", checks()}});
        } else if (command == "neighbors") {
            r["neighbors"] = neighbors();
        } else if (command == "checks") {
            r["checks"] = checks();
        } else if (command == "routes") {
            r["routes"] = json::parse(R"J([{"neighbor": "tor1", "prefix": "192.0.2.10/32",
              "origin": "igp", "as_path": "65000 65000", "next_hop": "192.0.2.254", "med": 10,
              "local_pref": null, "communities": ["65000:100", "65000:200"],
              "large_communities": []}])J");
        } else if (command == "announce" || command == "withdraw") {
            const json n = args.value("neighbors", json::array());
            r["results"] = {{"tor1", "written"}, {"tor2", "not established (Active)"}};
            if (n.size() == 1 && n[0] == "tor3")
                r["results"]["tor3"] = "write failed: Connection reset by peer";
        } else if (command == "drain" || command == "undrain") {
            r["vips"] = args.contains("vip") ? json{args["vip"]} : json{"web", "api"};
            if (args.value("wait", false))
                r["results"] = {{"tor1", "written"}};
        } else if (command == "disable" || command == "enable" || command == "check-now") {
            if (args["check"] == "hang")
                return; // never answered: vipctl's --timeout ends the wait
            r["check"] = checks()[0];
            r["check"]["state"] = command == "disable" ? "disabled" : "up";
        } else if (command == "explain") {
            if (args["vip"] != "web") {
                respond({{"ok", false},
                         {"error", "no VIP named \"" + args["vip"].get<std::string>() + "\""}});
                return;
            }
            r.update({{"vip", vips()[0]}, {"tree", tree()}});
        } else if (command == "reload") {
            r["changes"] = {{"added", {"vip web2"}},
                            {"removed", json::array()},
                            {"changed", {"neighbor tor1"}}};
        } else if (command == "version") {
            r["version"] = "0.1.0-test";
        }
        respond(r);
    }
};

struct Result
{
    int status = -1;
    std::string out;
    std::string err;
};

class Daemon
{
public:
    Daemon() : dir_(make_dir()), path_(dir_ / "vipd.sock")
    {
        vipd::cli::ControlSocketConfig cfg;
        cfg.path = path_;
        server_ = std::make_unique<vipd::cli::ControlServer>(io_, cfg, handler_);
        auto started = server_->start();
        if (!started)
            FAIL(started.error());
        thread_ = std::thread([this] { io_.run(); });
    }
    template <typename F> auto on_io(F f)
    {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        asio::post(io_, [&task] { task(); });
        return result.get();
    }

    ~Daemon()
    {
        on_io([this] {
            server_->stop();
            return 0;
        });
        work_.reset();
        io_.stop();
        thread_.join();
        fs::remove_all(dir_);
    }
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    json last_args()
    {
        return on_io([this] { return handler_.last_args; });
    }

    // Runs vipctl with `args` (shell words) against this daemon, `-s` first unless told not
    // to; `env` is prepended to the command (VAR=value ...).
    Result vipctl(const std::string& args, const std::string& input = {}, bool socket = true,
                  const std::string& env = {})
    {
        const auto program = vipd::test::binary_path("vipctl");
        if (!fs::exists(program))
            FAIL(program.string() << " is not built: cmake --build <dir> --target vipctl");
        std::ofstream(dir_ / "in", std::ios::binary) << input;
        const std::string cmd = env + " " + program.string() +
                                (socket ? " -s " + path_.string() : std::string()) + " " + args +
                                " < " + (dir_ / "in").string() + " > " + (dir_ / "out").string() +
                                " 2> " + (dir_ / "err").string();
        const int raw = std::system(cmd.c_str());
        Result r;
        r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
        r.out = vipd::test::read_text(dir_ / "out");
        r.err = vipd::test::read_text(dir_ / "err");
        return r;
    }

    [[nodiscard]] const fs::path& path() const { return path_; }
    [[nodiscard]] const fs::path& dir() const { return dir_; }
    CannedDaemon& handler() { return handler_; }

private:
    static fs::path make_dir()
    {
        static std::atomic<int> counter{0};
        const fs::path d = fs::temp_directory_path() / ("vipctl-e2e-" + std::to_string(::getpid()) +
                                                        "-" + std::to_string(++counter));
        fs::remove_all(d);
        fs::create_directories(d);
        return d;
    }

    fs::path dir_;
    fs::path path_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
    CannedDaemon handler_;
    std::unique_ptr<vipd::cli::ControlServer> server_;
    std::thread thread_;
};

// The whitespace-separated words of the first line of `text` starting with `first`.
std::vector<std::string> row(const std::string& text, const std::string& first)
{
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(first + " ", 0) != 0)
            continue;
        std::istringstream words(line);
        std::vector<std::string> out;
        for (std::string w; words >> w;)
            out.push_back(w);
        return out;
    }
    return {};
}

bool has_line(const std::string& text, const std::string& line)
{
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

using Words = std::vector<std::string>;

} // namespace

TEST_CASE("vipctl status: three tables", "[cli][vipctl]")
{
    Daemon d;
    Result r = d.vipctl("status");
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.starts_with("vipd 0.1.0-test\n\n"));
    CHECK(row(r.out, "NEIGHBOR") == Words{"NEIGHBOR", "ADDRESS", "AS", "STATE", "UPTIME", "PFX",
                                          "OUT", "PFX", "IN", "LAST", "ERROR"});
    CHECK(row(r.out, "tor1") ==
          Words{"tor1", "192.0.2.1", "65001", "Established", "1h02m", "2", "0", "-"});
    CHECK(row(r.out, "tor2") == Words{"tor2", "2001:db8::2", "65002", "Active", "-", "0", "0",
                                      "connect:", "Connection", "refused"});
    CHECK(row(r.out, "web") == Words{"web", "announced", "192.0.2.10/32", "2001:db8::10/128",
                                     "all(http,", "any(ping,", "backup))", "rule", "up"});
    CHECK(row(r.out, "api") == Words{"api", "withdrawn", "192.0.2.20/32", "http-api", "rule",
                                     "down:", "http-api", "is", "down"});
    CHECK(row(r.out, "http") ==
          Words{"http", "http", "up", "3", "ms", "1", "2026-01-01T00:00:00Z", "HTTP", "200"});
    // The remote text's escape sequence is shown, not sent to the terminal.
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(row(r.out, "http-api") ==
          Words{"http-api", "http", "down", "-", "4", "-", "HTTP", "503", "\\x1b[31mred\\x1b[0m"});
    // Columns line up: every row of the check table puts STATE at the same offset.
    const auto header = r.out.find("CHECK ");
    const auto state_col = r.out.find("STATE", header) - header;
    const auto up_line = r.out.find("\nhttp ", header) + 1;
    CHECK(r.out.substr(up_line + state_col, 2) == "up");
}

TEST_CASE("vipctl status --check: one line, exit status 2 when not as expected", "[cli][vipctl]")
{
    Daemon d;
    Result r = d.vipctl("status --check");
    INFO(r.out << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.empty());
    CHECK(r.out == "CRITICAL: neighbor tor2 is Active; VIP api is withdrawn (rule down: http-api "
                   "is down)\n");
    Result j = d.vipctl("--json status --check");
    CHECK(j.status == 2);
    CHECK(json::parse(j.out)["ok"] == true);
}

TEST_CASE("vipctl --json prints the reply as sent", "[cli][vipctl]")
{
    Daemon d;
    Result r = d.vipctl("--json status");
    REQUIRE(r.status == 0);
    const json reply = json::parse(r.out);
    CHECK(reply == json{{"ok", true},
                        {"version", "0.1.0-test"},
                        {"neighbors", neighbors()},
                        {"vips", vips()},
                        {"checks", checks()}});
    // Global options may follow the command; a refusal is still printed, with exit 1.
    Result no = d.vipctl("explain nosuch --json");
    CHECK(no.status == 1);
    CHECK(json::parse(no.out) == json{{"ok", false}, {"error", "no VIP named \"nosuch\""}});
}

TEST_CASE("vipctl neighbors, checks, routes", "[cli][vipctl]")
{
    Daemon d;
    Result n = d.vipctl("neighbors");
    REQUIRE(n.status == 0);
    CHECK(row(n.out, "tor1") == Words{"tor1", "192.0.2.1", "65001", "Established", "1h02m", "10",
                                      "12", "3", "0", "2", "0", "ipv4-unicast", "ipv6-unicast",
                                      "-"}); // BFD off
    CHECK(has_line(n.out, "tor1:"));
    CHECK(n.out.find("notification received:  6/2 Administrative Shutdown \"maintenance\"") !=
          std::string::npos);
    CHECK(n.out.find("last error:  connect: Connection refused") != std::string::npos);

    Result c = d.vipctl("checks");
    REQUIRE(c.status == 0);
    CHECK(row(c.out, "http")[2] == "up");

    Result r = d.vipctl("routes --neighbor tor1");
    REQUIRE(r.status == 0);
    CHECK(d.last_args() == json{{"neighbor", "tor1"}});
    CHECK(row(r.out, "tor1") == Words{"tor1", "192.0.2.10/32", "192.0.2.254", "65000", "65000",
                                      "igp", "10", "-", "65000:100", "65000:200", "-"});
}

TEST_CASE("vipctl explain: tree, decision, attributes", "[cli][vipctl]")
{
    Daemon d;
    Result r = d.vipctl("explain web");
    INFO(r.out);
    REQUIRE(r.status == 0);
    CHECK(d.last_args() == json{{"vip", "web"}});
    CHECK(has_line(r.out, "VIP web"));
    CHECK(has_line(r.out, "  prefixes:   192.0.2.10/32 2001:db8::10/128"));
    CHECK(has_line(r.out, "  neighbors:  all"));
    CHECK(has_line(r.out, "rule evaluation: up"));
    CHECK(has_line(r.out, "  all: up"));
    CHECK(has_line(r.out, "    http: up (HTTP 200 in 3 ms)"));
    CHECK(has_line(r.out, "    any: up"));
    CHECK(has_line(r.out, "      ping: up"));
    CHECK(has_line(r.out, "      backup: down (timeout)"));
    CHECK(has_line(r.out, "decision:     announced"));
    CHECK(has_line(r.out, "reason:       rule up"));
    CHECK(has_line(r.out, "attributes:   MED 10, LOCAL_PREF -, prepend 0, communities "
                          "65000:100, large communities -, next hop per neighbor"));
    CHECK(has_line(r.out, "damping:      1 flaps, 0 suppressed, held until -"));

    Result no = d.vipctl("explain nosuch");
    CHECK(no.status == 1);
    CHECK(no.out.empty());
    CHECK(no.err == "vipctl explain: no VIP named \"nosuch\"\n");
}

TEST_CASE("vipctl announce and withdraw: arguments, results, exit status", "[cli][vipctl]")
{
    Daemon d;
    Result r = d.vipctl("announce 198.51.100.0/24 192.0.2.99 --med 50 --community 65000:100 "
                        "--community no-export --large-community 4200000000:1:2 --prepend=2 "
                        "--next-hop 192.0.2.254 --neighbor tor1 --neighbor tor2");
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK(d.last_args() == json{{"prefixes", {"198.51.100.0/24", "192.0.2.99/32"}},
                                {"med", 50},
                                {"communities", {"65000:100", "no-export"}},
                                {"large_communities", {"4200000000:1:2"}},
                                {"prepend", 2},
                                {"next_hop", "192.0.2.254"},
                                {"neighbors", {"tor1", "tor2"}}});
    CHECK(row(r.out, "tor1") == Words{"tor1", "written"});
    CHECK(row(r.out, "tor2") == Words{"tor2", "not", "established", "(Active)"});

    // An established neighbor that was not written: exit 1, named on stderr.
    Result failed = d.vipctl("announce 198.51.100.0/24 --neighbor tor3");
    CHECK(failed.status == 1);
    CHECK(row(failed.out, "tor3") ==
          Words{"tor3", "write", "failed:", "Connection", "reset", "by", "peer"});
    CHECK(failed.err == "vipctl announce: not written to 1 established neighbor: tor3\n");

    Result w = d.vipctl("withdraw 198.51.100.0/24");
    CHECK(w.status == 0);
    CHECK(d.last_args() == json{{"prefixes", {"198.51.100.0/24"}}});
}

TEST_CASE("vipctl announce --file: 100,000 prefixes, comments, line numbers", "[cli][vipctl]")
{
    Daemon d;
    std::string list = "# extra prefixes\n\n";
    for (std::uint32_t i = 0; i < 100'000; ++i)
        list += fmt::format("10.{}.{}.0/24   # n{}\n", i >> 8 & 0xff, i & 0xff, i);
    std::ofstream(d.dir() / "big.txt") << list;
    Result r = d.vipctl("announce --file " + (d.dir() / "big.txt").string());
    INFO(r.err);
    CHECK(r.status == 0);
    const json args = d.last_args();
    REQUIRE(args["prefixes"].size() == 100'000);
    CHECK(args["prefixes"][0] == "10.0.0.0/24");
    CHECK(args["prefixes"][99'999] == "10.134.159.0/24");

    // From stdin, with a bad line: nothing is sent, the line is named.
    d.on_io([&] {
        d.handler().last_args = nullptr;
        return 0;
    });
    Result bad = d.vipctl("withdraw --file -", "192.0.2.0/24\n# ok\n10.0.0.1/33\n");
    CHECK(bad.status == 2);
    CHECK(bad.err.starts_with(
        "vipctl withdraw: stdin:3: \"10.0.0.1/33\": prefix length 33 exceeds 32\n"));
    CHECK(d.last_args().is_null());
    Result missing = d.vipctl("withdraw --file " + (d.dir() / "nope.txt").string());
    CHECK(missing.status == 2);
    CHECK(missing.err.starts_with("vipctl withdraw: --file " + (d.dir() / "nope.txt").string() +
                                  ": cannot read it: No such file or directory"));
}

TEST_CASE("vipctl drain, undrain, disable, enable, check-now, reload, version", "[cli][vipctl]")
{
    Daemon d;
    Result drain = d.vipctl("drain web");
    CHECK(drain.status == 0);
    CHECK(drain.out == "draining: web\n");
    CHECK(d.last_args() == json{{"vip", "web"}});
    Result wait = d.vipctl("drain --all --wait");
    CHECK(wait.status == 0);
    CHECK(d.last_args() == json{{"all", true}, {"wait", true}});
    CHECK(wait.out.starts_with("drained, routes withdrawn: web api\n"));
    CHECK(row(wait.out, "tor1") == Words{"tor1", "written"});
    Result undrain = d.vipctl("undrain --all");
    CHECK(undrain.out == "undrained: web api\n");
    CHECK(d.last_args() == json{{"all", true}});

    Result disable = d.vipctl("disable http");
    CHECK(disable.status == 0);
    CHECK(d.last_args() == json{{"check", "http"}});
    CHECK(row(disable.out, "http")[2] == "disabled");
    CHECK(d.vipctl("enable http").status == 0);
    CHECK(d.vipctl("check-now http").status == 0);

    Result reload = d.vipctl("reload");
    CHECK(reload.status == 0);
    CHECK(reload.out == "configuration reloaded\n  added    vip web2\n  changed  neighbor tor1\n");
    // A rejected reload ("configuration rejected, running configuration kept", exit status 1)
    // is the daemon's behaviour: shown against the real one in
    // tests/integration/daemon_config_faults_test.sh, not with a canned reply here.

    Result version = d.vipctl("version");
    CHECK(version.status == 0);
    CHECK(version.out == std::string("vipctl ") + VIPD_VERSION + "\nvipd 0.1.0-test\n");
}

TEST_CASE("vipctl usage errors exit 2 before connecting", "[cli][vipctl]")
{
    Daemon d;
    const std::pair<const char*, const char*> cases[] = {
        {"announce", "vipctl announce: no prefixes given (see --help)"},
        {"announce 192.0.2.0/24 --med x",
         "vipctl announce: --med: \"x\" is not an integer 0..4294967295"},
        {"announce 192.0.2.0/24 --prepend 33",
         "vipctl announce: --prepend: \"33\" is not an integer 0..32"},
        {"announce 192.0.2.0/24 --community 1:2:3",
         "vipctl announce: --community 1:2:3: expected ASN:VALUE (each 0..65535) or a "
         "well-known name such as \"graceful-shutdown\" or \"no-export\""},
        {"announce 192.0.2.0/24 --next-hop nowhere",
         "vipctl announce: --next-hop: \"nowhere\" is not an IPv4 or IPv6 address"},
        {"announce 192.0.2.1/24", "vipctl announce: \"192.0.2.1/24\": host bits set (did you "
                                  "mean 192.0.2.0/24?)"},
        {"announce 192.0.2.0/24 --med", "vipctl announce: --med needs a value"},
        {"withdraw 192.0.2.0/24 --med 5", "vipctl withdraw: unknown option --med"},
        {"drain", "vipctl drain: give one VIP name or --all"},
        {"drain web --all", "vipctl drain: give one VIP name or --all"},
        {"undrain web --wait", "vipctl undrain: unknown option --wait"},
        {"explain", "vipctl explain: expected one VIP name, got 0"},
        {"disable a b", "vipctl disable: expected one check name, got 2"},
        {"status now", "vipctl status: unexpected argument \"now\""},
        {"--timeout soon status", "vipctl: --timeout: \"soon\" is not a number of seconds "
                                  "0..86400"},
        {"--frobnicate status", "vipctl: unknown option --frobnicate"},
    };
    for (const auto& [args, message] : cases) {
        Result r = d.vipctl(args);
        INFO(args << "\n" << r.err);
        CHECK(r.status == 2);
        CHECK(r.err.starts_with(std::string(message) + "\n"));
        CHECK(r.out.empty());
    }
    CHECK(d.on_io([&] { return d.handler().last_command; }).empty());
    CHECK(d.vipctl("frobnicate").status == 2);
}

TEST_CASE("vipctl cannot connect: exit 3 naming the socket and errno", "[cli][vipctl]")
{
    Daemon d;
    const fs::path missing = d.dir() / "missing.sock";
    Result r = d.vipctl("-s " + missing.string() + " status", {}, false);
    CHECK(r.status == 3);
    CHECK(r.err == "vipctl status: cannot connect to " + missing.string() +
                       ": No such file or directory (is vipd running? give the socket with -s or "
                       "$VIPD_SOCKET)\n");
    // $VIPD_SOCKET is the default; -s overrides it.
    Result env = d.vipctl("version", {}, false, "VIPD_SOCKET=" + d.path().string());
    CHECK(env.status == 0);
    Result over = d.vipctl("--socket=" + missing.string() + " version", {}, false,
                           "VIPD_SOCKET=" + d.path().string());
    CHECK(over.status == 3);
    CHECK(over.out == std::string("vipctl ") + VIPD_VERSION + "\n");
    // No reply within --timeout.
    Result slow = d.vipctl("--timeout 0.2 check-now hang");
    CHECK(slow.status == 3);
    CHECK(slow.err ==
          "vipctl check-now: no reply from " + d.path().string() + " within the timeout\n");
}

TEST_CASE("vipctl --help for the program and every subcommand", "[cli][vipctl]")
{
    Daemon d;
    Result help = d.vipctl("--help", {}, false);
    CHECK(help.status == 0);
    for (const auto& c : vipd::cli::command_registry()) {
        CHECK(help.out.find("  " + std::string(c.name) + " ") != std::string::npos);
        Result sub = d.vipctl(std::string(c.name) + " --help", {}, false);
        INFO(c.name);
        CHECK(sub.status == 0);
        CHECK(sub.out.starts_with("Usage: vipctl " + std::string(c.name)));
        CHECK(sub.out.find("Example") != std::string::npos);
        CHECK(d.vipctl("help " + std::string(c.name), {}, false).out == sub.out);
    }
    CHECK(help.out.find("decode") != std::string::npos);
    CHECK(help.out.find("Exit status:") != std::string::npos);
    Result none = d.vipctl("", {}, false);
    CHECK(none.status == 2);
    CHECK(none.err.starts_with("Usage: vipctl"));
    // decode is unchanged and needs no daemon.
    Result decode = d.vipctl("decode ffffffffffffffffffffffffffffffff 0013 04", {}, false);
    CHECK(decode.status == 0);
    CHECK(json::parse(decode.out)[0]["type"] == "KEEPALIVE");
}
