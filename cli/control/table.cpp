// Text tables (see table.hpp). Pure string work.
#include "cli/control/table.hpp"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

namespace vipd::cli {

namespace {

constexpr std::string_view column_gap = "  ";

bool is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

} // namespace

std::size_t display_width(std::string_view text)
{
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return !is_continuation(static_cast<unsigned char>(c));
    }));
}

std::string terminal_safe(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += ' ';
        else if (c < 0x20 || c == 0x7f)
            out += fmt::format("\\x{:02x}", c);
        else
            out += ch;
    }
    return out;
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells)
{
    assert(cells.size() <= columns_.size());
    cells.resize(columns_.size());
    for (auto& c : cells)
        c = terminal_safe(c);
    rows_.push_back(std::move(cells));
}

std::string Table::render(bool header, std::string_view indent) const
{
    std::vector<std::size_t> width(columns_.size());
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        width[i] = header ? display_width(columns_[i].header) : 0;
        for (const auto& r : rows_)
            width[i] = std::max(width[i], display_width(r[i]));
    }
    std::string out;
    const auto line = [&](const auto& cell_of) {
        std::string text(indent);
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            const std::string_view cell = cell_of(i);
            const std::size_t pad = width[i] - display_width(cell);
            const bool last = i + 1 == columns_.size();
            if (i > 0)
                text += column_gap;
            if (columns_[i].align == Align::right)
                text.append(pad, ' ').append(cell);
            else
                text.append(cell).append(last ? 0 : pad, ' ');
        }
        text.erase(text.find_last_not_of(' ') + 1);
        out += text;
        out += '\n';
    };
    if (header)
        line([&](std::size_t i) -> std::string_view { return columns_[i].header; });
    for (const auto& r : rows_)
        line([&](std::size_t i) -> std::string_view { return r[i]; });
    return out;
}

} // namespace vipd::cli
