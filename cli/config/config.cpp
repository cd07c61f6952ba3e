// Configuration entry points (see config.hpp): JSON syntax with positions, then the section
// readers (config_bgp.cpp, config_checks.cpp, config_vips.cpp) and the cross-references.
#include "cli/config/config.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "cli/config/json_locate.hpp"
#include "cli/config/reader.hpp"
#include "cli/config/sections.hpp"

namespace vipd::cli {

namespace {

const std::vector<std::string_view> top_keys{"global",  "neighbors", "checks",
                                             "haproxy", "vips",      "hooks"};

// nlohmann's text after "[json.exception.parse_error.101] parse error at line L, column C: ".
std::string syntax_message(const std::string& what)
{
    const auto column = what.find("column ");
    const auto colon = what.find(": ", column == std::string::npos ? 0 : column);
    return colon == std::string::npos ? what : what.substr(colon + 2);
}

// nlohmann reports the last character of an unexpected token; errors read better at its start.
std::size_t token_start(std::string_view text, std::size_t offset)
{
    auto literal_char = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '.' || c == '+' || c == '-';
    };
    if (offset >= text.size())
        return offset;
    if (text[offset] == '"') {
        for (std::size_t i = offset; i-- > 0;) {
            if (text[i] == '"' && (i == 0 || text[i - 1] != '\\'))
                return i;
        }
        return offset;
    }
    while (offset > 0 && literal_char(text[offset]) && literal_char(text[offset - 1]))
        --offset;
    return offset;
}

std::string parent_pointer(const std::string& pointer)
{
    const auto slash = pointer.rfind('/');
    return slash == std::string::npos ? std::string() : pointer.substr(0, slash);
}

} // namespace

std::string to_string(const Endpoint& e)
{
    if (e.address.is_v4())
        return fmt::format("{}:{}", e.address.to_string(), e.port);
    return fmt::format("[{}]:{}", e.address.to_string(), e.port);
}

std::string_view to_string(LogLevel l)
{
    switch (l) {
    case LogLevel::debug:
        return "debug";
    case LogLevel::info:
        return "info";
    case LogLevel::warning:
        return "warning";
    case LogLevel::error:
        return "error";
    }
    return "info";
}

std::string_view to_string(LogFormat f)
{
    return f == LogFormat::json ? "json" : "text";
}

std::string_view to_string(LoopbackMode m)
{
    return m == LoopbackMode::static_ ? "static" : "follow";
}

const bgp::NeighborConfig* Config::neighbor(std::string_view name) const
{
    for (const auto& n : neighbors)
        if (n.name == name)
            return &n;
    return nullptr;
}

bgp::SpeakerConfig speaker_config(const GlobalConfig& global)
{
    bgp::SpeakerConfig s;
    s.router_id = global.router_id;
    s.local_as = global.local_as;
    for (const auto& e : global.listen)
        s.listen.emplace_back(e.address, e.port);
    s.hostname = global.hostname;
    return s;
}

bgp::SpeakerConfig speaker_config(const Config& config)
{
    return speaker_config(config.global);
}

std::string to_string(const ConfigError& e)
{
    std::string out = e.file;
    if (e.line > 0)
        out += fmt::format(":{}:{}", e.line, e.column);
    out += ": ";
    if (!e.pointer.empty())
        out += e.pointer + ": ";
    return out + e.message;
}

tl::expected<Config, ConfigErrors> parse_config(std::string_view text, std::string file,
                                                const std::filesystem::path& base_dir)
{
    detail::Json doc;
    try {
        doc = detail::Json::parse(text, nullptr, /*allow_exceptions=*/true,
                                  /*ignore_comments=*/true);
    } catch (const detail::Json::parse_error& e) {
        // e.byte is the 1-based index of the last character read: the offending one.
        const TextPosition at = position_at(text, token_start(text, e.byte > 0 ? e.byte - 1 : 0));
        return tl::unexpected(
            ConfigErrors{{file, at.line, at.column, "", syntax_message(e.what())}});
    }
    const JsonLocator locator{std::string(text)};
    detail::Context ctx(locator, file, base_dir);
    for (const auto& d : locator.duplicates()) {
        const std::string object = parent_pointer(d.pointer);
        const std::string key = d.pointer.substr(object.size() + 1);
        ctx.error_at_key(d.pointer, object,
                         fmt::format("duplicate key \"{}\" (first at line {}, column {})", key,
                                     d.first.line, d.first.column));
    }
    const detail::Object root(ctx, doc, "", top_keys);
    if (!root.ok())
        return tl::unexpected(ctx.take());
    Config config;
    config.global = detail::read_global(root);
    config.neighbors = detail::read_neighbors(root, config.global);
    config.checks = detail::read_checks(root);
    config.haproxy = detail::read_haproxy(root);
    std::vector<detail::VipOrigin> origins;
    detail::read_vips(root, config.vips, origins);
    detail::read_rhi(ctx, config.global, config.vips, origins);
    detail::resolve(ctx, config, origins);
    config.hooks = detail::read_hooks(root, config);
    if (ctx.failed())
        return tl::unexpected(ctx.take());
    return config;
}

tl::expected<Config, ConfigErrors> load_config(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return tl::unexpected(ConfigErrors{
            {path.string(), 0, 0, "", fmt::format("cannot read: {}", std::strerror(errno))}});
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path.string(), path.parent_path());
}

} // namespace vipd::cli
