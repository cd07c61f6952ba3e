// Internal to the configuration parser: an error collector that knows positions (Context), a
// view of one JSON value with its pointer (Value), an object reader that rejects unknown keys
// with a suggestion (Object), and typed value readers whose errors say what was expected and
// what was found. Every reader reports its own error and returns std::nullopt, so the caller
// keeps its default and goes on to find further errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bgp/suggest.hpp"
#include "bgp/types.hpp"
#include "cli/config/config.hpp"
#include "cli/config/json_locate.hpp"

namespace vipd::cli::detail {

using Json = nlohmann::json;

/// Collects errors with their positions for one configuration file.
class Context
{
public:
    Context(const JsonLocator& locator, std::string file, std::filesystem::path base_dir)
        : locator_(locator), file_(std::move(file)), base_dir_(std::move(base_dir))
    {}

    /// An error about the value at `pointer` (or where its nearest ancestor is written).
    void error(const std::string& pointer, std::string message);
    /// An error about the key of member `member`, reported with the object's pointer.
    void error_at_key(const std::string& member, const std::string& object, std::string message);
    /// An error at byte `offset` of the string value at `pointer`.
    void error_in_string(const std::string& pointer, std::size_t offset, std::string message);
    /// An error inside another file (the RHI file): no JSON pointer.
    void error_in_file(std::string file, TextPosition at, std::string message);

    [[nodiscard]] bool failed() const { return !errors_.empty(); }
    [[nodiscard]] std::size_t error_count() const { return count_; }
    [[nodiscard]] ConfigErrors take();
    /// A path from the configuration, relative ones taken from the configuration's directory.
    [[nodiscard]] std::filesystem::path resolve(const std::string& path) const;
    [[nodiscard]] const JsonLocator& locator() const { return locator_; }

private:
    void add(ConfigError e);

    const JsonLocator& locator_;
    std::string file_;
    std::filesystem::path base_dir_;
    ConfigErrors errors_;
    std::size_t count_ = 0; ///< every error reported, also those beyond max_config_errors
};

/// One JSON value and where it is.
struct Value
{
    Context* ctx;
    const Json* json;
    std::string pointer;

    void error(std::string message) const { ctx->error(pointer, std::move(message)); }
    /// "expected WHAT, got VALUE".
    void expected(std::string_view what) const;
};

/// JSON pointer of a member / element.
[[nodiscard]] std::string child(const std::string& pointer, std::string_view key);
[[nodiscard]] std::string child(const std::string& pointer, std::size_t index);

/// A value as it appears in messages: its JSON text, cut at 40 characters.
[[nodiscard]] std::string show(const Json& v);

/// " (did you mean \"interval\"?)" (bgp/suggest.hpp).
using bgp::did_you_mean;

/// The members of a JSON object, checked against the keys it may have.
class Object
{
public:
    /// Reports "expected an object" or each unknown key (at the key, with a suggestion).
    Object(Context& ctx, const Json& json, std::string pointer,
           std::vector<std::string_view> known);
    Object(const Value& v, std::vector<std::string_view> known)
        : Object(*v.ctx, *v.json, v.pointer, std::move(known))
    {}

    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] const std::string& pointer() const { return pointer_; }
    [[nodiscard]] Context& ctx() const { return *ctx_; }
    [[nodiscard]] std::string at(std::string_view key) const { return child(pointer_, key); }
    [[nodiscard]] bool has(std::string_view key) const;
    /// The member, absent when not written (null counts as written).
    [[nodiscard]] std::optional<Value> get(std::string_view key) const;
    /// Reports "missing key" at the object when `key` is absent; returns presence.
    bool require(std::string_view key) const;
    /// Reports an error at the member `key` (which must be present) or at the object.
    void error(std::string_view key, std::string message) const;

    /// Assigns the parsed member to `out` when present and valid.
    template <class T, class Parse> void set(std::string_view key, T& out, Parse&& parse) const
    {
        if (auto v = get(key)) {
            if (auto r = parse(*v))
                out = std::move(*r);
        }
    }
    /// For optional settings: null resets to "not set".
    template <class T, class Parse>
    void set(std::string_view key, std::optional<T>& out, Parse&& parse) const
    {
        if (auto v = get(key)) {
            if (v->json->is_null()) {
                out.reset();
                return;
            }
            if (auto r = parse(*v))
                out = std::move(*r);
        }
    }

private:
    Context* ctx_;
    const Json* json_;
    std::string pointer_;
    bool ok_ = false;
};

// Typed readers: the value or std::nullopt after reporting the error.
[[nodiscard]] std::optional<std::string> as_string(const Value& v);
[[nodiscard]] std::optional<std::string> as_non_empty_string(const Value& v);
[[nodiscard]] std::optional<bool> as_bool(const Value& v);
/// Integer in [min, max]; `range` replaces "MIN..MAX" in the message when given.
[[nodiscard]] std::optional<std::uint64_t> as_uint(const Value& v, std::uint64_t min,
                                                   std::uint64_t max, std::string_view range = {});
/// Duration text or number of seconds, within [min, max].
[[nodiscard]] std::optional<std::chrono::milliseconds>
as_duration(const Value& v, std::chrono::milliseconds min, std::chrono::milliseconds max);
/// Whole seconds (duration text or number), within [min, max]; `range` as for as_uint.
[[nodiscard]] std::optional<std::uint64_t>
as_seconds(const Value& v, std::uint64_t min, std::uint64_t max, std::string_view range = {});
[[nodiscard]] std::optional<bgp::Address> as_address(const Value& v);
/// "ADDR:PORT", "[V6]:PORT", or a bare address with `default_port` (0: port required).
[[nodiscard]] std::optional<Endpoint> as_endpoint(const Value& v, std::uint16_t default_port);
/// The elements of an array (error: not an array).
[[nodiscard]] std::optional<std::vector<Value>> as_array(const Value& v);
/// The members of an object whose keys are names (error: not an object).
[[nodiscard]] std::optional<std::vector<std::pair<std::string, Value>>> as_map(const Value& v);

/// An object of environment variables as NAME=value entries; names must be valid and must not
/// start with `reserved_prefix` (when given).
[[nodiscard]] std::optional<std::vector<std::string>>
as_environment(const Value& v, std::string_view reserved_prefix = {});

/// The index of the word `v` names among `words` (error: one of them expected).
[[nodiscard]] std::optional<std::size_t> as_choice(const Value& v,
                                                   const std::vector<std::string_view>& words);

/// A fixed set of words and the values they name (one table serves parsing and printing).
template <class E> using Words = std::span<const std::pair<std::string_view, E>>;

/// One of a fixed set of words.
template <class E> [[nodiscard]] std::optional<E> as_enum(const Value& v, Words<E> words)
{
    std::vector<std::string_view> names;
    for (const auto& w : words)
        names.push_back(w.first);
    const auto i = as_choice(v, names);
    if (!i)
        return std::nullopt;
    return words[*i].second;
}
template <class E>
[[nodiscard]] std::optional<E> as_enum(const Value& v,
                                       std::initializer_list<std::pair<std::string_view, E>> words)
{
    return as_enum(v, Words<E>(words.begin(), words.size()));
}

/// The word that names `value` in `words` (empty if none does).
template <class E> [[nodiscard]] std::string_view word_of(Words<E> words, E value)
{
    for (const auto& [word, e] : words) {
        if (e == value)
            return word;
    }
    return {};
}

/// Reader factories for Object::set.
template <class T>
auto uint_in(T min, T max = std::numeric_limits<T>::max(), std::string_view range = {})
{
    return [=](const Value& v) -> std::optional<T> {
        auto n = as_uint(v, min, max, range);
        return n ? std::optional<T>(static_cast<T>(*n)) : std::nullopt;
    };
}
inline auto duration_in(std::chrono::milliseconds min, std::chrono::milliseconds max)
{
    return [=](const Value& v) { return as_duration(v, min, max); };
}

} // namespace vipd::cli::detail
