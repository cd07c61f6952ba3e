// Request parsing and validation for the control socket (see protocol.hpp). The registry
// (registry.hpp) lists each command's arguments and their kinds; every check produces a
// message naming the command, the argument (and element index) and what was expected.
#include "cli/control/protocol.hpp"

#include <array>
#include <limits>

#include <fmt/format.h>

#include "bgp/community_text.hpp"
#include "cli/control/registry.hpp"

namespace vipd::cli {

using nlohmann::json;

namespace {

/// Every command's name, for error messages.
std::vector<std::string_view> names_of_commands()
{
    std::vector<std::string_view> out;
    for (const auto& c : command_registry())
        out.push_back(c.name);
    return out;
}

bool is_bulk(std::string_view command)
{
    const CommandSpec* spec = find_command(command);
    return spec != nullptr && spec->bulk;
}

/// "a string", "an array", or the value itself for numbers, booleans and null.
std::string describe(const json& j)
{
    switch (j.type()) {
    case json::value_t::string:
        return "a string";
    case json::value_t::array:
        return "an array";
    case json::value_t::object:
        return "an object";
    default:
        return j.dump();
    }
}

std::string join(std::span<const std::string_view> words)
{
    std::string out;
    for (auto w : words)
        out += (out.empty() ? "" : ", ") + std::string(w);
    return out;
}

/// Deepest array/object nesting of JSON text, strings skipped; stops counting past `limit`.
std::size_t nesting_depth(std::string_view text, std::size_t limit)
{
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit)
                return deepest;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

/// nlohmann's messages start with "[json.exception.parse_error.101] "; keep what follows.
std::string parse_error_text(const std::string& what)
{
    const auto bracket = what.find("] ");
    return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

using Check = tl::expected<void, std::string>;

Check check_integer(const json& v, std::uint64_t max, std::string_view where)
{
    // Parsed JSON holds non-negative integers as unsigned; values built in C++ may be signed.
    const bool whole =
        v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    if (!whole || v.get<std::uint64_t>() > max)
        return tl::unexpected(
            fmt::format("{} must be an integer 0..{}, got {}", where, max, describe(v)));
    return {};
}

/// Each element of an array of strings through `element`, errors "where[i]: ...".
template <typename Element>
Check check_string_array(const json& v, std::string_view where, Element element)
{
    if (!v.is_array())
        return tl::unexpected(
            fmt::format("{} must be an array of strings, got {}", where, describe(v)));
    for (std::size_t i = 0; i < v.size(); ++i) {
        const json& e = v[i];
        if (!e.is_string())
            return tl::unexpected(
                fmt::format("{}[{}] must be a string, got {}", where, i, describe(e)));
        if (auto r = element(e.get_ref<const std::string&>()); !r)
            return tl::unexpected(fmt::format("{}[{}]: {}", where, i, r.error()));
    }
    return {};
}

Check check_arg(const ArgSpec& spec, const json& v)
{
    const std::string where = fmt::format("argument \"{}\"", spec.name);
    const auto nonempty = [](const std::string& s) -> Check {
        if (s.empty())
            return tl::unexpected(std::string("must not be empty"));
        return {};
    };
    switch (spec.kind) {
    case ArgKind::name:
        if (!v.is_string() || v.get_ref<const std::string&>().empty())
            return tl::unexpected(fmt::format("{} must be a non-empty string, got {}", where,
                                              v.is_string() ? std::string("\"\"") : describe(v)));
        return {};
    case ArgKind::prefixes:
        if (v.is_array() && v.empty())
            return tl::unexpected(fmt::format("{} must list at least one prefix", where));
        return check_string_array(v, spec.name, [](const std::string& s) -> Check {
            if (auto p = bgp::Prefix::parse(s); !p)
                return tl::unexpected(p.error());
            return {};
        });
    case ArgKind::u32: // RFC 4271 §4.3: MULTI_EXIT_DISC is a four-octet unsigned integer
        return check_integer(v, std::numeric_limits<std::uint32_t>::max(), where);
    case ArgKind::prepend:
        return check_integer(v, max_prepend, where);
    case ArgKind::communities:
        return check_string_array(v, spec.name, [](const std::string& s) -> Check {
            if (auto c = bgp::parse_community(s); !c)
                return tl::unexpected(c.error());
            return {};
        });
    case ArgKind::large_communities:
        return check_string_array(v, spec.name, [](const std::string& s) -> Check {
            if (auto c = bgp::parse_large_community(s); !c)
                return tl::unexpected(c.error());
            return {};
        });
    case ArgKind::address:
        if (!v.is_string())
            return tl::unexpected(
                fmt::format("{} must be an IP address string, got {}", where, describe(v)));
        if (!bgp::Address::parse(v.get_ref<const std::string&>()))
            return tl::unexpected(fmt::format("{}: \"{}\" is not an IPv4 or IPv6 address", where,
                                              v.get_ref<const std::string&>()));
        return {};
    case ArgKind::names:
        return check_string_array(v, spec.name, nonempty);
    case ArgKind::boolean:
        if (!v.is_boolean())
            return tl::unexpected(
                fmt::format("{} must be true or false, got {}", where, describe(v)));
        return {};
    }
    return {};
}

/// drain/undrain: exactly one of "vip" and "all": true.
Check check_drain(const json& args)
{
    const bool has_vip = args.contains("vip");
    const auto all = args.find("all");
    if (all != args.end() && !all->get<bool>())
        return tl::unexpected(
            std::string("argument \"all\" may only be true; give \"vip\" to name one VIP instead"));
    if (has_vip && all != args.end())
        return tl::unexpected(std::string("give either \"vip\" or \"all\", not both"));
    if (!has_vip && all == args.end())
        return tl::unexpected(std::string("missing argument \"vip\" (or \"all\": true)"));
    return {};
}

/// Checks the members of `args` (an object) against `spec`, except the one named `skip`
/// (converted by the caller). The text lacks the "command: " prefix.
Check check_members(const CommandSpec& spec, const json& args, std::string_view skip = {})
{
    for (const auto& [key, value] : args.items()) {
        if (!skip.empty() && key == skip)
            continue;
        const ArgSpec* arg = nullptr;
        for (const auto& a : spec.args)
            if (a.name == key)
                arg = &a;
        if (!arg) {
            if (spec.args.empty())
                return tl::unexpected(
                    fmt::format("unknown argument \"{}\" (this command takes none)", key));
            std::vector<std::string_view> known;
            for (const auto& a : spec.args)
                known.push_back(a.name);
            return tl::unexpected(
                fmt::format("unknown argument \"{}\" (arguments are {})", key, join(known)));
        }
        if (auto r = check_arg(*arg, value); !r)
            return r;
    }
    for (const auto& a : spec.args)
        if (a.required && !args.contains(a.name))
            return tl::unexpected(fmt::format("missing argument \"{}\"", a.name));
    if (spec.name == "drain" || spec.name == "undrain")
        return check_drain(args);
    return {};
}

/// The "prefixes" of announce/withdraw arguments, converted in one pass; nullopt when any
/// is missing or bad (the caller then asks validate_args for the message).
std::optional<std::vector<bgp::Prefix>> convert_prefixes(const json& args)
{
    const auto it = args.find("prefixes");
    if (it == args.end() || !it->is_array() || it->empty())
        return std::nullopt;
    std::vector<bgp::Prefix> out;
    out.reserve(it->size());
    for (const auto& p : *it) {
        if (!p.is_string())
            return std::nullopt;
        auto prefix = bgp::Prefix::parse(p.get_ref<const std::string&>());
        if (!prefix)
            return std::nullopt;
        out.push_back(*prefix);
    }
    return out;
}

/// The validation message for arguments a typed view could not convert.
std::string invalid_args(std::string_view command, const json& args)
{
    auto r = validate_args(command, args);
    return r ? fmt::format("{}: arguments cannot be converted", command) : r.error();
}

} // namespace

std::span<const std::string_view> command_names()
{
    static const std::vector<std::string_view> names = names_of_commands();
    return names;
}

tl::expected<void, std::string> validate_args(std::string_view command, const json& args)
{
    const CommandSpec* spec = find_command(command);
    if (!spec)
        return tl::unexpected(
            fmt::format("unknown command \"{}\"; commands are {}", command, join(command_names())));
    if (!args.is_object())
        return tl::unexpected(
            fmt::format("{}: \"args\" must be an object, got {}", command, describe(args)));
    if (auto r = check_members(*spec, args); !r)
        return tl::unexpected(fmt::format("{}: {}", command, r.error()));
    return {};
}

tl::expected<Request, RequestError> parse_request(std::string_view line)
{
    const auto fail = [](std::string text, std::optional<json> id = std::nullopt) {
        return tl::unexpected(RequestError{std::move(text), std::move(id)});
    };
    if (line.size() > max_bulk_request_bytes)
        return fail(fmt::format("request is {} bytes; the limit is {} bytes ({} for announce "
                                "and withdraw)",
                                line.size(), max_request_bytes, max_bulk_request_bytes));
    if (nesting_depth(line, max_request_depth) > max_request_depth)
        return fail(fmt::format("request nests arrays or objects more than {} levels deep",
                                max_request_depth));
    json j;
    try {
        j = json::parse(line);
    } catch (const json::parse_error& e) {
        return fail("malformed JSON: " + parse_error_text(e.what()));
    }
    if (!j.is_object())
        return fail(fmt::format("a request is a JSON object, got {}", describe(j)));
    Request req;
    if (auto id = j.find("id"); id != j.end())
        req.id = *id;
    for (const auto& [key, value] : j.items())
        if (key != "command" && key != "args" && key != "id")
            return fail(
                fmt::format("unknown request field \"{}\" (fields are command, args, id)", key),
                req.id);
    const auto command = j.find("command");
    if (command == j.end())
        return fail("missing \"command\"", req.id);
    if (!command->is_string())
        return fail(fmt::format("\"command\" must be a string, got {}", describe(*command)),
                    req.id);
    req.command = command->get<std::string>();
    if (const auto args = j.find("args"); args != j.end() && !args->is_null())
        req.args = std::move(*args);
    if (auto r = validate_args(req.command, req.args); !r)
        return fail(r.error(), req.id);
    // Checked after parsing so the error can name the command and carry the id.
    if (line.size() > max_request_bytes && !is_bulk(req.command))
        return fail(fmt::format("{}: request is {} bytes; the limit is {} bytes (only announce "
                                "and withdraw may use up to {})",
                                req.command, line.size(), max_request_bytes,
                                max_bulk_request_bytes),
                    req.id);
    return req;
}

json error_reply(std::string_view message)
{
    return json{{"ok", false}, {"error", message}};
}

json finish_reply(json reply, const std::optional<json>& id)
{
    if (!reply.is_object() || !reply.contains("ok") || !reply["ok"].is_boolean())
        reply = error_reply("internal error: the daemon's reply has no boolean \"ok\"");
    else if (!reply["ok"].get<bool>() && (!reply.contains("error") || !reply["error"].is_string()))
        reply["error"] = "internal error: the daemon refused without saying why";
    if (id)
        reply["id"] = *id;
    else
        reply.erase("id");
    return reply;
}

std::string encode_line(const json& message)
{
    std::string out = message.dump(-1, ' ', false, json::error_handler_t::replace);
    out += '\n';
    return out;
}

// The typed views convert the prefixes once (validating 100,000 of them is most of the cost of
// a large request) and check the other members as validate_args does.
tl::expected<AnnounceArgs, std::string> announce_args(const json& args)
{
    AnnounceArgs out;
    std::optional<std::vector<bgp::Prefix>> prefixes;
    if (args.is_object())
        prefixes = convert_prefixes(args);
    if (!prefixes || !check_members(*find_command("announce"), args, "prefixes"))
        return tl::unexpected(invalid_args("announce", args));
    out.prefixes = std::move(*prefixes);
    if (args.contains("med"))
        out.med = args["med"].get<std::uint32_t>();
    for (const auto& c : args.value("communities", json::array()))
        out.communities.push_back(*bgp::parse_community(c.get_ref<const std::string&>()));
    for (const auto& c : args.value("large_communities", json::array()))
        out.large_communities.push_back(
            *bgp::parse_large_community(c.get_ref<const std::string&>()));
    out.prepend = args.value("prepend", std::uint8_t{0});
    if (args.contains("next_hop"))
        out.next_hop = bgp::Address::parse(args["next_hop"].get_ref<const std::string&>());
    out.neighbors = args.value("neighbors", std::vector<std::string>{});
    return out;
}

tl::expected<std::vector<bgp::Prefix>, std::string> withdraw_args(const json& args)
{
    std::optional<std::vector<bgp::Prefix>> prefixes;
    if (args.is_object())
        prefixes = convert_prefixes(args);
    if (!prefixes || !check_members(*find_command("withdraw"), args, "prefixes"))
        return tl::unexpected(invalid_args("withdraw", args));
    return std::move(*prefixes);
}

tl::expected<DrainArgs, std::string> drain_args(std::string_view command, const json& args)
{
    if (command != "drain" && command != "undrain")
        return tl::unexpected(fmt::format("drain_args: \"{}\" is not drain or undrain", command));
    if (auto r = validate_args(command, args); !r)
        return tl::unexpected(r.error());
    DrainArgs out;
    if (args.contains("vip"))
        out.vip = args["vip"].get<std::string>();
    out.wait = args.value("wait", false);
    return out;
}

bool result_is_failure(std::string_view result)
{
    return result != result_written && !result.starts_with(result_not_established);
}

} // namespace vipd::cli
