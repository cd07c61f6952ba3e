// Implementation of the shared test-data helpers (see test_data.hpp).
#include "helpers/test_data.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bgp/wire.hpp"

namespace vipd::test {

std::filesystem::path data_path(const std::string& name)
{
    return std::filesystem::path(VIPD_SOURCE_DIR) / "tests" / "data" / name;
}

std::filesystem::path binary_path(const std::string& name)
{
    return std::filesystem::path(VIPD_BINARY_DIR) / name;
}

std::string read_text(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<HexVector> parse_commented_hex(const std::string& text)
{
    std::vector<HexVector> out;
    std::istringstream lines(text);
    std::string line;
    int line_no = 0;
    while (std::getline(lines, line)) {
        ++line_no;
        if (line.rfind("---", 0) == 0) {
            std::string name = line.substr(3);
            name.erase(0, name.find_first_not_of(' '));
            out.push_back({name, {}});
            continue;
        }
        if (auto hash = line.find('#'); hash != std::string::npos)
            line.resize(hash);
        int pending = -1;
        for (char c : line) {
            if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == ':')
                continue;
            int v = vipd::bgp::hex_digit(c);
            if (v < 0)
                throw std::runtime_error("line " + std::to_string(line_no) + ": not hex: '" +
                                         std::string(1, c) + "'");
            if (out.empty())
                out.push_back({"", {}});
            if (pending < 0) {
                pending = v;
            } else {
                out.back().bytes.push_back(static_cast<std::uint8_t>(pending * 16 + v));
                pending = -1;
            }
        }
        if (pending >= 0)
            throw std::runtime_error("line " + std::to_string(line_no) +
                                     ": odd number of hex digits");
    }
    return out;
}

std::vector<HexVector> read_hex_file(const std::string& name)
{
    return parse_commented_hex(read_text(data_path(name)));
}

} // namespace vipd::test
