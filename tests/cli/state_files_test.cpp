// The state directory's name -> message files (cli/daemon/state_files.hpp): the disabled
// neighbors and their RFC 9003 messages round-trip; a damaged file is an error, not a guess.
// Writes that fail (the directory unusable) keep the old file, are reported and retried; a
// corrupt file is ignored and reported.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <unistd.h>

#include "cli/daemon/state_files.hpp"

TEST_CASE("state files: disabled neighbors round-trip with their messages", "[cli][config]")
{
    const std::map<std::string, std::string> disabled{
        {"tor1", "maintenance CHG-1234"},
        {"tor2", "quote \" and newline\n and \xc3\xa9"},
    };
    const std::string text = vipd::cli::format_name_map(disabled);
    CHECK(text.ends_with("\n"));
    auto parsed = vipd::cli::parse_name_map(text);
    REQUIRE(parsed);
    CHECK(*parsed == disabled);
    CHECK(vipd::cli::parse_name_map("{}\n").value().empty());
    CHECK_FALSE(vipd::cli::parse_name_map("tor1\n"));
    CHECK_FALSE(vipd::cli::parse_name_map("[\"tor1\"]"));
    CHECK(vipd::cli::parse_name_map(R"({"tor1": 3})").error() ==
          "member \"tor1\": expected a non-empty name and a string");
}

namespace {

/// The names in DIR/drained, read by a StateFiles of its own.
std::vector<std::string> names_in(const std::filesystem::path& dir)
{
    vipd::cli::Log log(vipd::cli::LogLevel::error);
    return vipd::cli::StateFiles(dir, log).load("drained");
}

} // namespace

TEST_CASE("state files: a failed write keeps the old file, is reported and retried",
          "[cli][config]")
{
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / ("vipd-state-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    fs::path dir = root / "state";
    fs::create_directories(dir);
    vipd::cli::Log log(vipd::cli::LogLevel::error);
    vipd::cli::StateFiles files(dir, log);
    files.save("drained", {"web"});
    CHECK(names_in(dir) == std::vector<std::string>{"web"});
    CHECK(files.problems().empty());

    // The directory cannot take the temporary file (a file where the directory was: also as
    // root, unlike permissions): the old text stays, the failure is kept for status/metrics.
    fs::rename(dir, root / "moved");
    {
        std::ofstream(dir) << "not a directory";
    }
    files.save("drained", {"api", "web"});
    CHECK(files.write_failures() == 1);
    REQUIRE(files.problems().count("drained") == 1);
    CHECK(files.problems().at("drained").starts_with("write failed: " +
                                                     (dir / "drained.tmp").string()));
    // The same text again is not taken for written: the next save tries again.
    fs::remove(dir);
    fs::rename(root / "moved", dir);
    CHECK(names_in(dir) == std::vector<std::string>{"web"});
    files.save("drained", {"api", "web"});
    CHECK(names_in(dir) == std::vector<std::string>{"api", "web"});
    CHECK(files.problems().empty());
    CHECK_FALSE(fs::exists(dir / "drained.tmp"));
    fs::remove_all(root);
}

TEST_CASE("state files: a corrupt file is ignored and reported", "[cli][config]")
{
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("vipd-corrupt-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
        std::ofstream(dir / "disabled-neighbors.json") << "{\"tor1\": \"maint";
    } // truncated
    vipd::cli::Log log(vipd::cli::LogLevel::error);
    vipd::cli::StateFiles files(dir, log);
    CHECK(files.load_map("disabled-neighbors.json").empty());
    REQUIRE(files.problems().count("disabled-neighbors.json") == 1);
    CHECK(files.problems()
              .at("disabled-neighbors.json")
              .starts_with("ignored at start-up, unreadable: not JSON"));
    // Written again, the file is fine, but the state it held was lost: still reported.
    files.save_map("disabled-neighbors.json", {});
    CHECK(files.problems().count("disabled-neighbors.json") == 1);
    fs::remove_all(dir);
}
