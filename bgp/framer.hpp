// Splits a TCP byte stream into whole BGP messages for the session driver: bytes go in, spans
// of complete messages come out, or a DecodeError (with the NOTIFICATION to send) as soon as
// a header is bad. Header checks only (RFC 4271 §6.1, RFC 8654 §4); bodies are decoded by
// decode_message / decode_update. Fixed-size buffer, no sockets, no allocation after
// construction. Must not: read from a socket, decode bodies, or grow without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <tl/expected.hpp>

#include "bgp/message.hpp"

namespace vipd::bgp {

class Framer
{
public:
    /// Buffer size: one message of the largest size (RFC 8654 §4) always fits.
    static constexpr std::size_t capacity = max_extended_message_size;

    Framer() : buf_(capacity) {}

    /// RFC 8654: set after OPEN negotiation when both sides sent the extended message
    /// capability; messages other than OPEN/KEEPALIVE may then be up to 65535 octets.
    void set_extended_message(bool on) { extended_message_ = on; }
    [[nodiscard]] bool extended_message() const { return extended_message_; }

    /// Free space to receive into (empty while a whole message waits to be taken with next()).
    /// Moves buffered bytes to the front, so spans returned by next() become invalid.
    [[nodiscard]] std::span<std::uint8_t> prepare();
    /// Mark the first `n` octets of the last prepare() span as received.
    void commit(std::size_t n);
    /// Copy as much of `bytes` as fits (prepare + commit); returns how many were taken.
    [[nodiscard]] std::size_t feed(ByteView bytes);

    /// The next whole message (header included), std::nullopt if more bytes are needed, or the
    /// header error. After an error the stream cannot be resynchronized: every later call
    /// returns the same error. The span stays valid until the next prepare()/feed().
    [[nodiscard]] tl::expected<std::optional<ByteView>, DecodeError> next();

    /// Octets received but not yet returned by next().
    [[nodiscard]] std::size_t buffered() const { return end_ - begin_; }
    /// Stream offset of the first octet not yet returned (the start of the next message).
    [[nodiscard]] std::size_t stream_offset() const { return consumed_; }

private:
    std::vector<std::uint8_t> buf_;
    std::size_t begin_ = 0; ///< first unconsumed octet
    std::size_t end_ = 0;   ///< one past the last received octet
    std::size_t consumed_ = 0;
    bool extended_message_ = false;
    std::optional<DecodeError> error_;
};

} // namespace vipd::bgp
