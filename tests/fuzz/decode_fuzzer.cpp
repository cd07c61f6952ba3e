// libFuzzer target for the BGP message decoders. Input: one context octet (bit 0: 2-octet AS,
// bit 1: extended message, bit 2: ADD-PATH IPv4, bit 3: ADD-PATH IPv6, high nibble: framer
// chunk size - 1), then a byte stream. The stream goes through the Framer (whole and in
// chunks, which must agree), every framed message through decode_message, UPDATEs
// also through decode_update; whatever decodes must re-encode into bytes that decode again to
// the same value and re-encode identically. Any violation aborts, so libFuzzer reports it.
// A crash input becomes tests/data/regressions/<name>.hex (message bytes, without the context
// octet; message_malformed_test.cpp replays every vector under all 16 contexts).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include "bgp/framer.hpp"
#include "bgp/message.hpp"
#include "bgp/update.hpp"

namespace bgp = vipd::bgp;

namespace {

[[noreturn]] void violation(const char* what, const std::string& detail = {})
{
    std::fprintf(stderr, "decode_fuzzer: %s %s\n", what, detail.c_str());
    std::abort();
}

bgp::CodecContext context_from(std::uint8_t bits)
{
    bgp::CodecContext ctx;
    ctx.four_octet_as = (bits & 0x01) == 0;
    ctx.extended_message = (bits & 0x02) != 0;
    ctx.add_path_ipv4 = (bits & 0x04) != 0;
    ctx.add_path_ipv6 = (bits & 0x08) != 0;
    return ctx;
}

// Exercise the text helpers on every error and NOTIFICATION (they index tables).
void touch(const bgp::DecodeError& e)
{
    if (e.action == bgp::Rfc7606::none)
        violation("DecodeError with action none");
    (void)bgp::to_string(e);
    (void)bgp::describe(e.code, e.subcode);
    (void)bgp::to_notification(e);
}

// What one encode legitimately changes: RFC 4271 §5 passes an unrecognized optional
// transitive attribute on with the Partial bit set.
bgp::Message after_encode(bgp::Message m)
{
    if (auto* u = std::get_if<bgp::Update>(&m)) {
        constexpr std::uint8_t opt_trans = bgp::attr_flag::optional | bgp::attr_flag::transitive;
        for (auto& a : u->path_attributes.unknown) {
            if ((a.flags & opt_trans) == opt_trans)
                a.flags |= bgp::attr_flag::partial;
        }
    }
    return m;
}

// encode(decode(x)) must decode to the same value (up to after_encode) and re-encode to the
// same bytes.
void check_round_trip(const bgp::Message& m, const bgp::CodecContext& ctx)
{
    if (const auto* u = std::get_if<bgp::Update>(&m)) {
        if (bgp::header_size + bgp::update_body_size(*u, ctx) > bgp::max_extended_message_size)
            violation("decoded UPDATE re-encodes above 65535 octets");
    }
    const bgp::Bytes again = bgp::encode_message(m, ctx);
    auto back = bgp::decode_message(again, ctx);
    if (!back)
        violation("encode(decode(x)) does not decode:", bgp::to_string(back.error()));
    if (!(*back == after_encode(m)))
        violation("decode(encode(decode(x))) differs from decode(x)");
    if (bgp::encode_message(*back, ctx) != again)
        violation("re-encoding is not stable");
}

void check_message(bgp::ByteView wire, const bgp::CodecContext& ctx)
{
    auto m = bgp::decode_message(wire, ctx);
    if (!m) {
        touch(m.error());
    } else {
        check_round_trip(*m, ctx);
        if (const auto* n = std::get_if<bgp::Notification>(&*m)) {
            (void)bgp::describe(n->code, n->subcode);
            (void)bgp::shutdown_communication(*n);
        } else if (const auto* o = std::get_if<bgp::Open>(&*m)) {
            for (const auto& c : o->capabilities())
                (void)bgp::capability_name(c);
        } else if (const auto* u = std::get_if<bgp::Update>(&*m)) {
            (void)bgp::end_of_rib_family(*u);
        }
    }
    auto header = bgp::decode_header(wire, ctx);
    if (!header || header->type != bgp::MessageType::update || wire.size() != header->length)
        return;
    // The RFC 7606 path: whatever was kept must still encode without crashing.
    bgp::Reader body(wire.subspan(bgp::header_size), bgp::header_size);
    bgp::UpdateOutcome outcome = bgp::decode_update(body, ctx);
    if (outcome.error)
        touch(*outcome.error);
    if (!outcome.error && !m)
        violation("decode_update found no error but decode_message failed");
    if (bgp::header_size + bgp::update_body_size(outcome.update, ctx) <=
        bgp::max_extended_message_size) {
        auto back = bgp::decode_message(bgp::encode_message(outcome.update, ctx), ctx);
        if (!back)
            touch(back.error());
    }
}

// Frames `input` feeding at most `chunk` octets at a time; returns the messages (copied) and
// the error that ended the stream, if any.
struct Framed
{
    std::vector<bgp::Bytes> messages;
    std::optional<bgp::DecodeError> error;
};

Framed frame(bgp::ByteView input, std::size_t chunk, bool extended_message)
{
    Framed out;
    bgp::Framer framer;
    framer.set_extended_message(extended_message);
    bgp::ByteView rest = input;
    for (;;) {
        const std::size_t taken = framer.feed(rest.first(std::min(chunk, rest.size())));
        rest = rest.subspan(taken);
        auto next = framer.next();
        if (!next) {
            out.error = next.error();
            return out;
        }
        if (*next) {
            out.messages.emplace_back((*next)->begin(), (*next)->end());
            continue;
        }
        if (rest.empty())
            return out;
        if (taken == 0)
            violation("framer made no progress");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const bgp::CodecContext ctx = context_from(data[0]);
    const bgp::ByteView input(data + 1, size - 1);

    // The stream in one piece and in small pieces (1-16 octets, from the high nibble) must
    // frame identically.
    const Framed whole = frame(input, input.size(), ctx.extended_message);
    const Framed pieces = frame(input, 1u + (data[0] >> 4), ctx.extended_message);
    if (whole.messages != pieces.messages || whole.error != pieces.error)
        violation("framing depends on how the stream is split");
    if (whole.error) {
        touch(*whole.error);
        if (whole.error->code != static_cast<std::uint8_t>(bgp::ErrorCode::message_header))
            violation("framer error is not a header error");
    }
    for (const auto& m : whole.messages)
        check_message(m, ctx);
    // The whole input as one message too (length field disagreeing with the octets given).
    check_message(input, ctx);
    return 0;
}
