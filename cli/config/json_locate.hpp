// Where things are in a JSON text: a position index from JSON pointers (RFC 6901) to the
// line:column of each value and object key, so that semantic configuration errors can name the
// exact spot (nlohmann::json keeps no positions). Understands what our parser accepts: // and
// /* */ comments, strings with escapes. Also finds duplicate object keys, which nlohmann
// silently collapses (the last one wins) and which must never hide a setting.
// Must not: validate JSON (nlohmann does that first) or know the configuration schema.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::cli {

/// A 1-based line and column. Columns count characters (UTF-8 code points), a tab counts as 1.
struct TextPosition
{
    std::size_t line = 1;
    std::size_t column = 1;
    bool operator==(const TextPosition&) const = default;
};

/// Position of the byte at `offset` in `text`; offsets past the end give the position just
/// after the last character.
[[nodiscard]] TextPosition position_at(std::string_view text, std::size_t offset);

/// One reference token of a JSON pointer, escaped per RFC 6901 §3 ('~' -> "~0", '/' -> "~1").
[[nodiscard]] std::string escape_pointer_token(std::string_view token);

/// An object key that appears twice in the same object.
struct DuplicateKey
{
    std::string pointer; ///< pointer of the member ("/checks/web")
    TextPosition first;  ///< key position of the first occurrence
    TextPosition second; ///< key position of the repeated one
};

class JsonLocator
{
public:
    /// Scans `text`. Never fails: for malformed text the index holds what precedes the fault.
    explicit JsonLocator(std::string text);

    /// Where the value at `pointer` starts ("" is the root document).
    [[nodiscard]] std::optional<TextPosition> value(std::string_view pointer) const;
    /// Where the key of the object member at `pointer` starts (its opening quote).
    [[nodiscard]] std::optional<TextPosition> key(std::string_view pointer) const;
    /// The value position of `pointer`, or of its nearest ancestor that exists in the text
    /// (a default that was not written is reported where its object is).
    [[nodiscard]] TextPosition nearest(std::string_view pointer) const;
    /// Position of the character at byte `offset` of the decoded string value at `pointer`,
    /// accounting for escapes; falls back to nearest() when `pointer` is not a string.
    [[nodiscard]] TextPosition in_string(std::string_view pointer, std::size_t offset) const;

    [[nodiscard]] const std::vector<DuplicateKey>& duplicates() const { return duplicates_; }

private:
    struct Entry
    {
        std::size_t value_offset = 0;
        std::optional<std::size_t> key_offset;
    };
    class Scanner;

    std::string text_;
    std::map<std::string, Entry, std::less<>> entries_;
    std::vector<DuplicateKey> duplicates_;
};

} // namespace vipd::cli
