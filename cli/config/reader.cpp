// Error collection and typed JSON value readers for the configuration (see config_reader.hpp).
#include "cli/config/reader.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "cli/config/duration.hpp"

namespace vipd::cli::detail {

namespace {

inline constexpr std::size_t max_shown = 40;

bool parse_port(std::string_view text, std::uint16_t& port)
{
    if (text.empty() || text.size() > 5)
        return false;
    unsigned v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    port = static_cast<std::uint16_t>(v);
    return true;
}

} // namespace

void Context::add(ConfigError e)
{
    ++count_;
    if (errors_.size() < max_config_errors)
        errors_.push_back(std::move(e));
}

void Context::error(const std::string& pointer, std::string message)
{
    const TextPosition at = locator_.nearest(pointer);
    add({file_, at.line, at.column, pointer, std::move(message)});
}

void Context::error_at_key(const std::string& member, const std::string& object,
                           std::string message)
{
    const TextPosition at = locator_.key(member).value_or(locator_.nearest(object));
    add({file_, at.line, at.column, object, std::move(message)});
}

void Context::error_in_string(const std::string& pointer, std::size_t offset, std::string message)
{
    const TextPosition at = locator_.in_string(pointer, offset);
    add({file_, at.line, at.column, pointer, std::move(message)});
}

void Context::error_in_file(std::string file, TextPosition at, std::string message)
{
    add({std::move(file), at.line, at.column, "", std::move(message)});
}

ConfigErrors Context::take()
{
    auto key = [this](const ConfigError& e) {
        return std::make_tuple(e.file != file_, e.file, e.line, e.column);
    };
    std::stable_sort(errors_.begin(), errors_.end(),
                     [&](const ConfigError& a, const ConfigError& b) { return key(a) < key(b); });
    errors_.erase(std::unique(errors_.begin(), errors_.end()), errors_.end());
    return std::move(errors_);
}

std::filesystem::path Context::resolve(const std::string& path) const
{
    const std::filesystem::path p(path);
    return p.is_absolute() || base_dir_.empty() ? p : base_dir_ / p;
}

void Value::expected(std::string_view what) const
{
    error(fmt::format("expected {}, got {}", what, show(*json)));
}

std::string child(const std::string& pointer, std::string_view key)
{
    return pointer + "/" + escape_pointer_token(key);
}

std::string child(const std::string& pointer, std::size_t index)
{
    return pointer + "/" + std::to_string(index);
}

std::string show(const Json& v)
{
    std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > max_shown)
        text = text.substr(0, max_shown) + "...";
    return text;
}

std::optional<std::size_t> as_choice(const Value& v, const std::vector<std::string_view>& words)
{
    std::string list;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (v.json->is_string() && v.json->get_ref<const std::string&>() == words[i])
            return i;
        list += fmt::format("{}\"{}\"", list.empty() ? "" : ", ", words[i]);
    }
    if (!v.json->is_string()) {
        v.expected(fmt::format("one of {}", list));
        return std::nullopt;
    }
    v.error(fmt::format("expected one of {}, got {}{}", list, show(*v.json),
                        did_you_mean(v.json->get_ref<const std::string&>(), words)));
    return std::nullopt;
}

Object::Object(Context& ctx, const Json& json, std::string pointer,
               std::vector<std::string_view> known)
    : ctx_(&ctx), json_(&json), pointer_(std::move(pointer))
{
    if (!json.is_object()) {
        Value{ctx_, json_, pointer_}.expected("an object");
        return;
    }
    ok_ = true;
    for (const auto& [key, value] : json.items()) {
        if (std::find(known.begin(), known.end(), key) == known.end())
            ctx.error_at_key(child(pointer_, key), pointer_,
                             fmt::format("unknown key \"{}\"{}", key, did_you_mean(key, known)));
    }
}

bool Object::has(std::string_view key) const
{
    return ok_ && json_->contains(key);
}

std::optional<Value> Object::get(std::string_view key) const
{
    if (!has(key))
        return std::nullopt;
    return Value{ctx_, &*json_->find(std::string(key)), at(key)};
}

bool Object::require(std::string_view key) const
{
    if (!ok_)
        return false;
    if (has(key))
        return true;
    ctx_->error(pointer_, fmt::format("missing key \"{}\"", key));
    return false;
}

void Object::error(std::string_view key, std::string message) const
{
    ctx_->error(has(key) ? at(key) : pointer_, std::move(message));
}

std::optional<std::string> as_string(const Value& v)
{
    if (!v.json->is_string()) {
        v.expected("a string");
        return std::nullopt;
    }
    return v.json->get<std::string>();
}

std::optional<std::string> as_non_empty_string(const Value& v)
{
    auto s = as_string(v);
    if (s && s->empty()) {
        v.expected("a non-empty string");
        return std::nullopt;
    }
    return s;
}

std::optional<bool> as_bool(const Value& v)
{
    if (!v.json->is_boolean()) {
        v.expected("true or false");
        return std::nullopt;
    }
    return v.json->get<bool>();
}

std::optional<std::uint64_t> as_uint(const Value& v, std::uint64_t min, std::uint64_t max,
                                     std::string_view range)
{
    const std::string range_text =
        range.empty() ? fmt::format("{}..{}", min, max) : std::string(range);
    if (!v.json->is_number_integer()) {
        v.expected(fmt::format("an integer {}", range_text));
        return std::nullopt;
    }
    if (v.json->is_number_unsigned()) {
        const auto n = v.json->get<std::uint64_t>();
        if (n >= min && n <= max)
            return n;
    }
    v.expected(range_text);
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> as_duration(const Value& v, std::chrono::milliseconds min,
                                                     std::chrono::milliseconds max)
{
    tl::expected<std::chrono::milliseconds, std::string> d = tl::unexpected(std::string());
    if (v.json->is_number())
        d = duration_from_seconds(v.json->get<double>());
    else if (v.json->is_string())
        d = parse_duration(v.json->get_ref<const std::string&>());
    else {
        v.expected("a duration such as \"2s\" or \"1m30s\", or a number of seconds");
        return std::nullopt;
    }
    if (!d) {
        v.error(fmt::format("expected a duration such as \"2s\" or \"1m30s\": {}", d.error()));
        return std::nullopt;
    }
    if (*d < min || *d > max) {
        v.expected(fmt::format("{}..{}", format_duration(min), format_duration(max)));
        return std::nullopt;
    }
    return *d;
}

std::optional<std::uint64_t> as_seconds(const Value& v, std::uint64_t min, std::uint64_t max,
                                        std::string_view range)
{
    const std::string range_text =
        range.empty() ? fmt::format("{}..{} seconds", min, max) : std::string(range);
    auto d = as_duration(v, std::chrono::milliseconds::zero(), max_duration);
    if (!d)
        return std::nullopt;
    if (d->count() % 1000 != 0) {
        v.expected("whole seconds");
        return std::nullopt;
    }
    const auto s = static_cast<std::uint64_t>(d->count() / 1000);
    if (s < min || s > max) {
        v.expected(range_text);
        return std::nullopt;
    }
    return s;
}

std::optional<bgp::Address> as_address(const Value& v)
{
    auto s = as_string(v);
    if (!s)
        return std::nullopt;
    auto a = bgp::Address::parse(*s);
    if (!a)
        v.expected("an IPv4 or IPv6 address");
    return a;
}

std::optional<Endpoint> as_endpoint(const Value& v, std::uint16_t default_port)
{
    auto s = as_string(v);
    if (!s)
        return std::nullopt;
    const std::string_view text = *s;
    std::string_view addr = text;
    std::string_view port;
    bool has_port = false;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close != std::string_view::npos) {
            addr = text.substr(1, close - 1);
            const auto rest = text.substr(close + 1);
            has_port = !rest.empty();
            port = has_port ? rest.substr(1) : rest;
            if (has_port && rest.front() != ':')
                port = "x";
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const auto colon = text.find(':');
        addr = text.substr(0, colon);
        port = text.substr(colon + 1);
        has_port = true;
    }
    Endpoint e;
    auto a = bgp::Address::parse(addr);
    const bool port_ok = has_port ? parse_port(port, e.port) : default_port != 0;
    if (!a || !port_ok || (!text.empty() && text.front() == '[' && a->is_v4())) {
        v.expected(default_port != 0
                       ? "an address with an optional port, such as \"192.0.2.1\", "
                         "\"192.0.2.1:179\" or \"[2001:db8::1]:179\""
                       : "an address and port such as \"127.0.0.1:9180\" or \"[::1]:9180\"");
        return std::nullopt;
    }
    e.address = *a;
    if (!has_port)
        e.port = default_port;
    return e;
}

std::optional<std::vector<Value>> as_array(const Value& v)
{
    if (!v.json->is_array()) {
        v.expected("an array");
        return std::nullopt;
    }
    std::vector<Value> out;
    for (std::size_t i = 0; i < v.json->size(); ++i)
        out.push_back(Value{v.ctx, &(*v.json)[i], child(v.pointer, i)});
    return out;
}

std::optional<std::vector<std::pair<std::string, Value>>> as_map(const Value& v)
{
    if (!v.json->is_object()) {
        v.expected("an object");
        return std::nullopt;
    }
    std::vector<std::pair<std::string, Value>> out;
    for (const auto& [key, value] : v.json->items())
        out.emplace_back(key, Value{v.ctx, &value, child(v.pointer, key)});
    return out;
}

std::optional<std::vector<std::string>> as_environment(const Value& v,
                                                       std::string_view reserved_prefix)
{
    auto members = as_map(v);
    if (!members)
        return std::nullopt;
    std::vector<std::string> out;
    for (const auto& [name, value] : *members) {
        const bool reserved = !reserved_prefix.empty() && name.starts_with(reserved_prefix);
        const bool ok = !name.empty() && name.find('=') == std::string::npos &&
                        !(name[0] >= '0' && name[0] <= '9') && !reserved;
        if (!ok)
            value.ctx->error_at_key(
                value.pointer, v.pointer,
                reserved ? fmt::format("\"{}\" is not an environment variable name ({} names "
                                       "are vipd's)",
                                       name, reserved_prefix)
                         : fmt::format("\"{}\" is not an environment variable name", name));
        else if (auto s = as_string(value))
            out.push_back(name + "=" + *s);
    }
    return out;
}

} // namespace vipd::cli::detail
