// JSON position index (see json_locate.hpp): one pass over the text, recording byte offsets;
// line:column are computed only for the few positions an error message needs.
#include "cli/config/json_locate.hpp"

#include <algorithm>
#include <cstdint>

#include "bgp/wire.hpp"

namespace vipd::cli {

namespace {

// Nesting beyond this is not indexed (positions fall back to the nearest indexed ancestor),
// which keeps the recursive scanner's stack bounded on hostile input.
inline constexpr std::size_t max_depth = 256;

bool is_utf8_continuation(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Reads four hex digits at `at`; -1 when they are not all there.
long hex4(std::string_view t, std::size_t at)
{
    if (at + 4 > t.size())
        return -1;
    long v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const int d = bgp::hex_digit(t[at + i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

void append_utf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// One escape sequence starting at the backslash at `at`: how many raw bytes it spans and the
// decoded text it stands for (RFC 8259 §7, surrogate pairs joined).
struct Escape
{
    std::size_t raw = 2;
    std::string decoded;
};

Escape decode_escape(std::string_view t, std::size_t at)
{
    Escape e;
    const char c = at + 1 < t.size() ? t[at + 1] : '\0';
    switch (c) {
    case 'b':
        e.decoded = "\b";
        return e;
    case 'f':
        e.decoded = "\f";
        return e;
    case 'n':
        e.decoded = "\n";
        return e;
    case 'r':
        e.decoded = "\r";
        return e;
    case 't':
        e.decoded = "\t";
        return e;
    case 'u':
        break;
    default:
        e.decoded = std::string(1, c);
        return e;
    }
    const long cp = hex4(t, at + 2);
    e.raw = 6;
    if (cp < 0)
        return e;
    if (cp >= 0xD800 && cp < 0xDC00 && at + 7 < t.size() && t[at + 6] == '\\' && t[at + 7] == 'u') {
        const long low = hex4(t, at + 8);
        if (low >= 0xDC00 && low < 0xE000) {
            e.raw = 12;
            append_utf8(e.decoded, 0x10000u + ((static_cast<std::uint32_t>(cp) - 0xD800u) << 10) +
                                       (static_cast<std::uint32_t>(low) - 0xDC00u));
            return e;
        }
    }
    append_utf8(e.decoded, static_cast<std::uint32_t>(cp));
    return e;
}

} // namespace

TextPosition position_at(std::string_view text, std::size_t offset)
{
    TextPosition p;
    const std::size_t end = std::min(offset, text.size());
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else if (!is_utf8_continuation(text[i])) {
            ++p.column;
        }
    }
    return p;
}

std::string escape_pointer_token(std::string_view token)
{
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

class JsonLocator::Scanner
{
public:
    explicit Scanner(JsonLocator& out) : out_(out), t_(out.text_) {}

    void run()
    {
        if (skip_space())
            value("", 0);
    }

private:
    // Skips whitespace and comments; false at the end of the text or in an unclosed comment.
    bool skip_space()
    {
        while (pos_ < t_.size()) {
            const char c = t_[pos_];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++pos_;
            } else if (c == '/' && pos_ + 1 < t_.size() && t_[pos_ + 1] == '/') {
                const auto nl = t_.find('\n', pos_);
                pos_ = nl == std::string_view::npos ? t_.size() : nl + 1;
            } else if (c == '/' && pos_ + 1 < t_.size() && t_[pos_ + 1] == '*') {
                const auto close = t_.find("*/", pos_ + 2);
                if (close == std::string_view::npos)
                    return false;
                pos_ = close + 2;
            } else {
                return true;
            }
        }
        return false;
    }

    bool value(const std::string& pointer, std::size_t depth)
    {
        if (depth > max_depth)
            return false;
        out_.entries_[pointer].value_offset = pos_;
        switch (t_[pos_]) {
        case '{':
            return object(pointer, depth);
        case '[':
            return array(pointer, depth);
        case '"':
            return string(nullptr);
        default:
            return scalar();
        }
    }

    bool object(const std::string& pointer, std::size_t depth)
    {
        ++pos_;
        std::map<std::string, std::size_t> seen; // key -> key offset
        if (!skip_space())
            return false;
        if (t_[pos_] == '}') {
            ++pos_;
            return true;
        }
        for (;;) {
            if (!skip_space() || t_[pos_] != '"')
                return false;
            const std::size_t key_offset = pos_;
            std::string key;
            if (!string(&key) || !skip_space() || t_[pos_] != ':')
                return false;
            ++pos_;
            const std::string member = pointer + "/" + escape_pointer_token(key);
            if (auto [it, fresh] = seen.emplace(key, key_offset); !fresh) {
                out_.duplicates_.push_back(
                    {member, position_at(t_, it->second), position_at(t_, key_offset)});
            }
            if (!skip_space() || !value(member, depth + 1))
                return false;
            out_.entries_[member].key_offset = key_offset;
            if (!skip_space())
                return false;
            if (t_[pos_] == '}') {
                ++pos_;
                return true;
            }
            if (t_[pos_] != ',')
                return false;
            ++pos_;
        }
    }

    bool array(const std::string& pointer, std::size_t depth)
    {
        ++pos_;
        if (!skip_space())
            return false;
        if (t_[pos_] == ']') {
            ++pos_;
            return true;
        }
        for (std::size_t index = 0;; ++index) {
            if (!skip_space() || !value(pointer + "/" + std::to_string(index), depth + 1))
                return false;
            if (!skip_space())
                return false;
            if (t_[pos_] == ']') {
                ++pos_;
                return true;
            }
            if (t_[pos_] != ',')
                return false;
            ++pos_;
        }
    }

    // At the opening quote; leaves pos_ after the closing one. Decodes into `decoded` if given.
    bool string(std::string* decoded)
    {
        ++pos_;
        while (pos_ < t_.size()) {
            const char c = t_[pos_];
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c == '\\') {
                Escape e = decode_escape(t_, pos_);
                if (decoded)
                    *decoded += e.decoded;
                pos_ += e.raw;
            } else {
                if (decoded)
                    *decoded += c;
                ++pos_;
            }
        }
        return false;
    }

    // Numbers and literals: everything up to the next delimiter.
    bool scalar()
    {
        const std::size_t start = pos_;
        while (pos_ < t_.size()) {
            const char c = t_[pos_];
            if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' ||
                c == '\r' || c == '/')
                break;
            ++pos_;
        }
        return pos_ > start;
    }

    JsonLocator& out_;
    std::string_view t_;
    std::size_t pos_ = 0;
};

JsonLocator::JsonLocator(std::string text) : text_(std::move(text))
{
    Scanner(*this).run();
}

std::optional<TextPosition> JsonLocator::value(std::string_view pointer) const
{
    const auto it = entries_.find(pointer);
    if (it == entries_.end())
        return std::nullopt;
    return position_at(text_, it->second.value_offset);
}

std::optional<TextPosition> JsonLocator::key(std::string_view pointer) const
{
    const auto it = entries_.find(pointer);
    if (it == entries_.end() || !it->second.key_offset)
        return std::nullopt;
    return position_at(text_, *it->second.key_offset);
}

TextPosition JsonLocator::nearest(std::string_view pointer) const
{
    for (;;) {
        if (auto p = value(pointer))
            return *p;
        if (pointer.empty())
            return TextPosition{};
        const auto slash = pointer.rfind('/');
        pointer = pointer.substr(0, slash == std::string_view::npos ? 0 : slash);
    }
}

TextPosition JsonLocator::in_string(std::string_view pointer, std::size_t offset) const
{
    const auto it = entries_.find(pointer);
    if (it == entries_.end() || text_[it->second.value_offset] != '"')
        return nearest(pointer);
    std::string_view t = text_;
    std::size_t raw = it->second.value_offset + 1;
    std::size_t decoded = 0;
    while (decoded < offset && raw < t.size() && t[raw] != '"') {
        if (t[raw] == '\\') {
            const Escape e = decode_escape(t, raw);
            raw += e.raw;
            decoded += e.decoded.size();
        } else {
            ++raw;
            ++decoded;
        }
    }
    return position_at(t, raw);
}

} // namespace vipd::cli
