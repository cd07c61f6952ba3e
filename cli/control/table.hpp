// Plain-text tables for vipctl: a header row and aligned columns separated by two spaces,
// widths counted in characters (UTF-8 code points), the last column never padded. Cells are
// made safe for a terminal: control characters (a health check's detail may quote a remote
// server) are shown as "\xNN" and newlines as "\n".
// Must not: know what the cells mean.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::cli {

/// How a column's cells line up.
enum class Align : unsigned char { left, right };

class Table
{
public:
    struct Column
    {
        std::string header;
        Align align = Align::left;
    };

    explicit Table(std::vector<Column> columns);

    /// Adds a row; missing cells are empty, extra cells are an error (assert).
    void add_row(std::vector<std::string> cells);
    [[nodiscard]] std::size_t rows() const { return rows_.size(); }

    /// The table, one line per row after the header, each ending in '\n'. Trailing blanks
    /// are trimmed.
    [[nodiscard]] std::string render() const { return render(true, {}); }
    /// The rows alone, each line starting with `indent` (for "key: value" blocks).
    [[nodiscard]] std::string render_rows(std::string_view indent) const
    {
        return render(false, indent);
    }

private:
    [[nodiscard]] std::string render(bool header, std::string_view indent) const;

    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

/// Text with control characters escaped (see the file comment); valid UTF-8 is kept.
[[nodiscard]] std::string terminal_safe(std::string_view text);

/// Characters (code points) of UTF-8 text.
[[nodiscard]] std::size_t display_width(std::string_view text);

} // namespace vipd::cli
