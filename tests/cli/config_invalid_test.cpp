// Data-driven error tests: every file in tests/data/config/invalid/ states the exact errors
// it must produce in lines "// error: MESSAGE" (FILE stands for the file's path, DIR for its
// directory). A file that loads, or gives other or more errors, fails.
#include <algorithm>
#include <sstream>

#include <catch2/catch.hpp>

#include "cli/config/config.hpp"
#include "helpers/test_data.hpp"

namespace {

std::string replace_all(std::string s, std::string_view from, const std::string& to)
{
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

std::vector<std::string> expected_errors(const std::filesystem::path& file)
{
    std::vector<std::string> out;
    std::istringstream lines(vipd::test::read_text(file));
    const std::string marker = "// error: ";
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with(marker)) {
            std::string e = replace_all(line.substr(marker.size()), "FILE", file.string());
            out.push_back(replace_all(e, "DIR", file.parent_path().string()));
        }
    }
    return out;
}

} // namespace

TEST_CASE("every invalid sample gives exactly its stated errors", "[config]")
{
    std::vector<std::filesystem::path> files;
    for (const auto& e :
         std::filesystem::directory_iterator(vipd::test::data_path("config/invalid")))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    CHECK(files.size() >= 8);
    for (const auto& file : files) {
        CAPTURE(file.filename().string());
        const auto expected = expected_errors(file);
        REQUIRE_FALSE(expected.empty());
        const auto result = vipd::cli::load_config(file);
        REQUIRE_FALSE(result);
        std::vector<std::string> actual;
        for (const auto& e : result.error())
            actual.push_back(to_string(e));
        CHECK(actual == expected);
    }
}
