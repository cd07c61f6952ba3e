// Bounds-checked big-endian byte cursor (Reader) and appender (Writer): the only place in the
// codec that does byte arithmetic. A Reader knows its offset from the start of the message, so
// every DecodeError can name the byte it refers to. No allocation on the read path.
// Must not: throw, read past its span, or know anything about BGP semantics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace vipd::bgp {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

/// Read cursor over a byte span. Every read returns std::nullopt (and leaves the cursor where
/// it was) when fewer bytes remain than asked for.
class Reader
{
public:
    /// `base` is the absolute offset of data[0] within the enclosing message.
    explicit Reader(ByteView data, std::size_t base = 0) : data_(data), base_(base) {}

    /// Absolute offset (from message start) of the next byte to read.
    [[nodiscard]] std::size_t offset() const { return base_ + pos_; }
    [[nodiscard]] std::size_t remaining() const { return data_.size() - pos_; }
    [[nodiscard]] bool empty() const { return pos_ == data_.size(); }
    /// The unread bytes, without consuming them.
    [[nodiscard]] ByteView rest() const { return data_.subspan(pos_); }

    [[nodiscard]] std::optional<std::uint8_t> u8()
    {
        if (remaining() < 1)
            return std::nullopt;
        return data_[pos_++];
    }
    [[nodiscard]] std::optional<std::uint16_t> u16()
    {
        if (remaining() < 2)
            return std::nullopt;
        auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
        pos_ += 2;
        return v;
    }
    [[nodiscard]] std::optional<std::uint32_t> u32()
    {
        if (remaining() < 4)
            return std::nullopt;
        std::uint32_t v = (std::uint32_t{data_[pos_]} << 24) |
                          (std::uint32_t{data_[pos_ + 1]} << 16) |
                          (std::uint32_t{data_[pos_ + 2]} << 8) | std::uint32_t{data_[pos_ + 3]};
        pos_ += 4;
        return v;
    }
    /// The next n bytes as a view (no copy).
    [[nodiscard]] std::optional<ByteView> bytes(std::size_t n)
    {
        if (remaining() < n)
            return std::nullopt;
        auto v = data_.subspan(pos_, n);
        pos_ += n;
        return v;
    }
    /// A Reader over the next n bytes (offsets preserved); this cursor moves past them.
    [[nodiscard]] std::optional<Reader> sub(std::size_t n)
    {
        if (remaining() < n)
            return std::nullopt;
        Reader r(data_.subspan(pos_, n), offset());
        pos_ += n;
        return r;
    }
    /// Skip n bytes; false (cursor unchanged) if fewer remain.
    [[nodiscard]] bool skip(std::size_t n)
    {
        if (remaining() < n)
            return false;
        pos_ += n;
        return true;
    }

private:
    ByteView data_;
    std::size_t base_ = 0;
    std::size_t pos_ = 0;
};

/// Appends big-endian values to a byte vector it does not own; back-patches length fields.
class Writer
{
public:
    explicit Writer(Bytes& out) : out_(out) {}

    [[nodiscard]] std::size_t size() const { return out_.size(); }
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v)
    {
        out_.push_back(static_cast<std::uint8_t>(v >> 8));
        out_.push_back(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v)
    {
        out_.push_back(static_cast<std::uint8_t>(v >> 24));
        out_.push_back(static_cast<std::uint8_t>(v >> 16));
        out_.push_back(static_cast<std::uint8_t>(v >> 8));
        out_.push_back(static_cast<std::uint8_t>(v));
    }
    void bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
    void fill(std::size_t n, std::uint8_t v) { out_.insert(out_.end(), n, v); }

    /// Reserve a 1- or 2-octet length field; returns its position for patch8/patch16.
    [[nodiscard]] std::size_t mark8()
    {
        out_.push_back(0);
        return out_.size() - 1;
    }
    [[nodiscard]] std::size_t mark16()
    {
        out_.insert(out_.end(), 2, 0);
        return out_.size() - 2;
    }
    /// Write at `pos` the number of bytes appended after the field that starts at `pos`.
    void patch8(std::size_t pos) { out_[pos] = static_cast<std::uint8_t>(out_.size() - pos - 1); }
    void patch16(std::size_t pos) { put16(pos, static_cast<std::uint16_t>(out_.size() - pos - 2)); }
    /// Overwrite two octets at `pos` with v.
    void put16(std::size_t pos, std::uint16_t v)
    {
        out_[pos] = static_cast<std::uint8_t>(v >> 8);
        out_[pos + 1] = static_cast<std::uint8_t>(v);
    }

private:
    Bytes& out_;
};

/// The value of one hexadecimal digit (either case), or -1: messages written as hex text
/// (`vipctl decode`, test vectors) and JSON \u escapes.
[[nodiscard]] constexpr int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace vipd::bgp
