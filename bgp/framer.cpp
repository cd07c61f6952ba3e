// Stream framing for BGP (see framer.hpp): a fixed buffer, header checks through decode_header,
// whole-message spans out. RFC 4271 §4.1 (length field frames the stream), §6.1 (header errors),
// RFC 8654 §4 (maximum size after negotiation).
#include "bgp/framer.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace vipd::bgp {

std::span<std::uint8_t> Framer::prepare()
{
    if (begin_ > 0) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    return std::span<std::uint8_t>(buf_).subspan(end_);
}

void Framer::commit(std::size_t n)
{
    assert(end_ + n <= buf_.size());
    end_ += n;
}

std::size_t Framer::feed(ByteView bytes)
{
    auto space = prepare();
    const std::size_t n = std::min(space.size(), bytes.size());
    std::copy_n(bytes.begin(), n, space.begin());
    commit(n);
    return n;
}

tl::expected<std::optional<ByteView>, DecodeError> Framer::next()
{
    if (error_)
        return tl::unexpected(*error_);
    const ByteView pending(buf_.data() + begin_, end_ - begin_);
    if (pending.size() < header_size)
        return std::nullopt;
    CodecContext ctx;
    ctx.extended_message = extended_message_;
    // RFC 4271 §6.1: the header decides framing; a bad one ends the stream.
    auto header = decode_header(pending, ctx);
    if (!header) {
        error_ = header.error();
        return tl::unexpected(std::move(header.error()));
    }
    if (pending.size() < header->length)
        return std::nullopt;
    begin_ += header->length;
    consumed_ += header->length;
    return pending.first(header->length);
}

} // namespace vipd::bgp
