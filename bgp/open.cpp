// OPEN message body codec: fixed fields, optional parameters in the RFC 4271 form or the
// RFC 9072 extended form, capabilities via capability.cpp. Syntax only: hold time, peer AS,
// BGP identifier and required capabilities are judged by validate_open (negotiate.cpp).
// RFC 4271 §4.2/§6.2, RFC 5492 §4, RFC 9072 §2-§3.
#include <fmt/format.h>

#include "bgp/message.hpp"

namespace vipd::bgp {
namespace {

DecodeError open_error_at(std::uint8_t subcode, std::size_t offset, std::string what)
{
    return DecodeError{static_cast<std::uint8_t>(ErrorCode::open_message),
                       subcode,
                       {},
                       offset,
                       Rfc7606::session_reset,
                       std::move(what)};
}

// Reads the parameters that fill `params`; `extended` selects 2-octet parameter lengths.
tl::expected<std::vector<OptionalParameter>, DecodeError> decode_parameters(Reader& params,
                                                                            bool extended)
{
    std::vector<OptionalParameter> out;
    while (!params.empty()) {
        const std::size_t type_at = params.offset();
        const std::uint8_t type = *params.u8();
        const std::size_t length_at = params.offset();
        std::optional<std::uint16_t> len;
        if (extended)
            len = params.u16();
        else if (auto short_len = params.u8())
            len = *short_len;
        if (!len) {
            // RFC 4271 §6.2: a malformed optional parameter → OPEN Message Error / Unspecific.
            return tl::unexpected(open_error_at(
                open_error::unspecific, length_at,
                fmt::format("optional parameter type {}: length field truncated", type)));
        }
        auto value = params.sub(*len);
        if (!value) {
            // RFC 4271 §6.2: a parameter that overruns Optional Parameters is malformed.
            return tl::unexpected(open_error_at(
                open_error::unspecific, length_at,
                fmt::format("optional parameter type {} length {} runs past the optional "
                            "parameters ({} octets left)",
                            type, *len, params.remaining())));
        }
        if (type != capabilities_parameter_type) {
            // RFC 4271 §6.2: an unrecognized optional parameter → Unsupported Optional
            // Parameter (2/4). RFC 9072 §3: type 255 is only valid as the first-octet marker.
            return tl::unexpected(
                open_error_at(open_error::unsupported_optional_parameter, type_at,
                              fmt::format("unsupported optional parameter type {}", type)));
        }
        auto caps = decode_capabilities(*value);
        if (!caps)
            return tl::unexpected(std::move(caps.error()));
        out.emplace_back(CapabilitiesParameter{std::move(*caps)});
    }
    return out;
}

} // namespace

tl::expected<Open, DecodeError> decode_open(Reader& body)
{
    Open m;
    const std::size_t version_at = body.offset();
    auto version = body.u8();
    auto my_as = body.u16();
    auto hold_time = body.u16();
    auto bgp_identifier = body.u32();
    const std::size_t opt_len_at = body.offset();
    auto opt_len = body.u8();
    if (!opt_len) {
        // decode_header guarantees 10 body octets (RFC 4271 §6.1); a shorter body is 1/2.
        return tl::unexpected(DecodeError{static_cast<std::uint8_t>(ErrorCode::message_header),
                                          header_error::bad_message_length,
                                          {},
                                          version_at,
                                          Rfc7606::session_reset,
                                          "OPEN body shorter than its 10 fixed octets"});
    }
    if (*version != bgp_version) {
        // RFC 4271 §6.2: data = the largest locally supported version below the one bid, or
        // the smallest supported if all are above it; vipd speaks only version 4.
        auto e =
            open_error_at(open_error::unsupported_version_number, version_at,
                          fmt::format("version {}, only {} is supported", *version, bgp_version));
        e.data = {0, bgp_version};
        return tl::unexpected(std::move(e));
    }
    m.version = *version;
    m.my_as = *my_as;
    m.hold_time = *hold_time;
    m.bgp_identifier = *bgp_identifier;

    // RFC 9072 §2: a non-zero Non-Ext OP Len followed by type 255 selects the extended
    // encoding; the Non-Ext OP Len value itself is then ignored.
    const bool extended =
        *opt_len != 0 && !body.empty() && body.rest()[0] == extended_parameters_marker;
    std::size_t params_len = *opt_len;
    std::size_t params_len_at = opt_len_at;
    if (extended) {
        (void)body.skip(1);
        params_len_at = body.offset();
        auto ext_len = body.u16();
        if (!ext_len) {
            return tl::unexpected(
                open_error_at(open_error::unspecific, params_len_at,
                              "extended optional parameters length (RFC 9072) truncated"));
        }
        params_len = *ext_len;
    }
    if (params_len != body.remaining()) {
        // RFC 4271 §6.2: Optional Parameters that disagree with the message length are
        // malformed → OPEN Message Error / Unspecific.
        return tl::unexpected(
            open_error_at(open_error::unspecific, params_len_at,
                          fmt::format("optional parameters length {} but {} octets follow",
                                      params_len, body.remaining())));
    }
    auto params = decode_parameters(body, extended);
    if (!params)
        return tl::unexpected(std::move(params.error()));
    m.optional_parameters = std::move(*params);
    m.extended_parameters_length = extended;
    return m;
}

void encode(const Open& m, Writer& w)
{
    w.u8(m.version);
    w.u16(m.my_as);
    w.u16(m.hold_time);
    w.u32(m.bgp_identifier);

    struct Encoded
    {
        std::uint8_t type;
        Bytes value;
    };
    std::vector<Encoded> params;
    std::size_t classic_size = 0;
    bool fits_classic = true;
    for (const auto& p : m.optional_parameters) {
        Encoded e;
        if (const auto* caps = std::get_if<CapabilitiesParameter>(&p)) {
            e.type = capabilities_parameter_type;
            Writer vw(e.value);
            encode_capabilities(caps->capabilities, vw);
        } else {
            const auto& unknown = std::get<UnknownParameter>(p);
            e.type = unknown.type;
            e.value = unknown.value;
        }
        classic_size += 2 + e.value.size();
        fits_classic = fits_classic && e.value.size() <= max_classic_parameters;
        params.push_back(std::move(e));
    }
    fits_classic = fits_classic && classic_size <= max_classic_parameters;

    if (fits_classic && !m.extended_parameters_length) {
        w.u8(static_cast<std::uint8_t>(classic_size));
        for (const auto& p : params) {
            w.u8(p.type);
            w.u8(static_cast<std::uint8_t>(p.value.size()));
            w.bytes(p.value);
        }
        return;
    }
    // RFC 9072 §2: Non-Ext OP Len 255, Non-Ext OP Type 255, 2-octet lengths.
    w.u8(static_cast<std::uint8_t>(max_classic_parameters));
    w.u8(extended_parameters_marker);
    const std::size_t len_at = w.mark16();
    for (const auto& p : params) {
        w.u8(p.type);
        w.u16(static_cast<std::uint16_t>(p.value.size()));
        w.bytes(p.value);
    }
    w.patch16(len_at);
}

std::vector<Capability> Open::capabilities() const
{
    std::vector<Capability> out;
    for (const auto& p : optional_parameters) {
        if (const auto* caps = std::get_if<CapabilitiesParameter>(&p))
            out.insert(out.end(), caps->capabilities.begin(), caps->capabilities.end());
    }
    return out;
}

} // namespace vipd::bgp
