// A neighbor's "bfd" object: BFD (RFC 5880) intervals, multiplier, authentication (RFC 5880
// §6.7, secret inline or from a file) and strict mode, into bgp::NeighborConfig::bfd.
#include <fmt/format.h>

#include "bgp/bfd/auth.hpp"
#include "cli/config/sections.hpp"

namespace vipd::cli::detail {

namespace {

const std::vector<std::string_view> bfd_keys{"enabled",    "min-tx", "min-rx",
                                             "multiplier", "strict", "authentication"};
const std::vector<std::string_view> auth_keys{"type", "key-id", "password", "password-file"};

/// Interval bounds in milliseconds (RFC 5880 carries microseconds; below 10 ms a scheduled
/// event loop cannot keep time, above a minute BFD detects nothing BGP would not).
constexpr std::uint32_t min_interval_ms = 10;
constexpr std::uint32_t max_interval_ms = 60'000;

void read_auth(const Object& bfd, bgp::bfd::AuthConfig& a)
{
    auto v = bfd.get("authentication");
    if (!v || v->json->is_null()) // null: none, as --check-config --print writes it
        return;
    Object o(*v, auth_keys);
    if (!o.ok())
        return;
    o.require("type");
    o.set("type", a.type, [](const Value& t) -> std::optional<bgp::bfd::AuthType> {
        auto s = as_string(t);
        auto type = s ? bgp::bfd::auth_type_from(*s) : std::nullopt;
        if (s && (!type || *type == bgp::bfd::AuthType::none)) {
            t.expected("simple-password, keyed-md5, meticulous-keyed-md5, keyed-sha1 or "
                       "meticulous-keyed-sha1");
            return std::nullopt;
        }
        return type;
    });
    o.set("key-id", a.key_id, uint_in<std::uint8_t>(0, 255));
    if (o.has("password") == o.has("password-file")) {
        o.error("password", "give password or password-file (one of them)");
        return;
    }
    std::string where = "password";
    std::optional<std::string> secret;
    if (o.has("password")) {
        secret = as_string(*o.get("password"));
    } else {
        secret = read_secret_file(o, "password-file");
        where = "password-file";
    }
    if (!secret || a.type == bgp::bfd::AuthType::none)
        return;
    // RFC 5880 §4.2-4.4: password 1-16 bytes, MD5 key 1-16, SHA1 key 1-20.
    const auto max = bgp::bfd::max_secret_length(a.type);
    if (secret->empty() || secret->size() > max) {
        o.error(where, fmt::format("expected a {} secret of 1..{} bytes, got {} bytes",
                                   to_string(a.type), max, secret->size()));
        return;
    }
    a.secret = std::move(*secret);
}

} // namespace

void read_bfd(const Object& neighbor, bgp::NeighborConfig& n)
{
    auto v = neighbor.get("bfd");
    if (!v)
        return;
    auto& b = n.bfd;
    if (v->json->is_boolean()) { // "bfd": true — every default
        b.enabled = v->json->get<bool>();
        return;
    }
    if (!v->json->is_object()) {
        v->expected("true, false or an object");
        return;
    }
    Object o(*v, bfd_keys);
    if (!o.ok())
        return;
    b.enabled = true;
    o.set("enabled", b.enabled, as_bool);
    const auto interval = [](const Value& x) -> std::optional<bgp::bfd::Micros> {
        auto ms = as_uint(x, min_interval_ms, max_interval_ms,
                          fmt::format("{}..{} milliseconds", min_interval_ms, max_interval_ms));
        return ms ? std::optional(bgp::bfd::Micros(*ms * 1000)) : std::nullopt;
    };
    o.set("min-tx", b.params.desired_min_tx, interval);
    o.set("min-rx", b.params.required_min_rx, interval);
    // RFC 5880 §4.1: Detect Mult is non-zero.
    o.set("multiplier", b.params.detect_mult, uint_in<std::uint8_t>(1, 255));
    o.set("strict", b.strict, as_bool);
    read_auth(o, b.auth);
}

} // namespace vipd::cli::detail
