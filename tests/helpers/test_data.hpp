// Helpers shared by the test executables: locating tests/data and reading commented hex vectors.
// Commented hex format: '#' starts a comment to end of line; hex digit pairs separated by
// whitespace; a line "--- name" starts a new vector (the file may hold several).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace vipd::test {

/// Absolute path of a file under tests/data.
std::filesystem::path data_path(const std::string& name);

/// Path of a built program (vipd, vipctl) in the build tree.
std::filesystem::path binary_path(const std::string& name);

/// Whole file as text; throws std::runtime_error naming the file if unreadable.
std::string read_text(const std::filesystem::path& path);

struct HexVector
{
    std::string name;
    std::vector<std::uint8_t> bytes;
};

/// Parse commented hex text into vectors; throws on a stray non-hex character (names line).
std::vector<HexVector> parse_commented_hex(const std::string& text);

/// Read every vector of tests/data/NAME.
std::vector<HexVector> read_hex_file(const std::string& name);

} // namespace vipd::test
