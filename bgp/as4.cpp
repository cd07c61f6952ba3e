// AS_PATH segment codec and RFC 6793 reconciliation (see as4.hpp).
#include "bgp/as4.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace vipd::bgp {

namespace {

bool is_confed(SegmentType t)
{
    return t == SegmentType::as_confed_sequence || t == SegmentType::as_confed_set;
}

AttributeFault as_path_fault(std::size_t offset, std::string what)
{
    AttributeFault f;
    f.subcode = update_error::malformed_as_path;
    f.offset = offset;
    f.what = std::move(what);
    return f;
}

// Append `tail` to `head`, joining an AS_SEQUENCE boundary when the result still fits one wire
// segment, so a reconstructed path has the shape the original speaker sent.
void append_segments(AsPath& head, const AsPath& tail)
{
    for (const auto& seg : tail.segments) {
        if (!head.segments.empty()) {
            auto& last = head.segments.back();
            if (last.type == SegmentType::as_sequence && seg.type == SegmentType::as_sequence &&
                last.asns.size() + seg.asns.size() <= max_segment_asns) {
                last.asns.insert(last.asns.end(), seg.asns.begin(), seg.asns.end());
                continue;
            }
        }
        head.segments.push_back(seg);
    }
}

} // namespace

std::size_t AsPath::length() const
{
    std::size_t n = 0;
    for (const auto& seg : segments) {
        // RFC 4271 §9.1.2.2 a): an AS_SET counts as 1; RFC 5065 §5.3: confed segments count 0.
        if (seg.type == SegmentType::as_sequence)
            n += seg.asns.size();
        else if (seg.type == SegmentType::as_set)
            n += 1;
    }
    return n;
}

tl::expected<AsPath, AttributeFault> decode_as_path(Reader& value, std::size_t width)
{
    AsPath path;
    while (!value.empty()) {
        const std::size_t at = value.offset();
        // RFC 7606 §7.2: a single octet after the last segment is an underrun.
        if (value.remaining() < 2)
            return tl::unexpected(as_path_fault(at, "1 octet left after the last segment"));
        const std::uint8_t type = *value.u8();
        const std::uint8_t count = *value.u8();
        // RFC 7606 §7.2: an unrecognized segment type makes the AS_PATH malformed.
        if (type < static_cast<std::uint8_t>(SegmentType::as_set) ||
            type > static_cast<std::uint8_t>(SegmentType::as_confed_set))
            return tl::unexpected(
                as_path_fault(at, fmt::format("unrecognized segment type {}", type)));
        // RFC 7606 §7.2: a Path Segment Length of zero is malformed.
        if (count == 0)
            return tl::unexpected(as_path_fault(at + 1, "segment length 0"));
        // RFC 7606 §7.2: the last segment must not overrun the attribute.
        if (value.remaining() < std::size_t{count} * width)
            return tl::unexpected(as_path_fault(
                at + 1, fmt::format("segment of {} AS numbers needs {} octets, {} left", count,
                                    std::size_t{count} * width, value.remaining())));
        AsPathSegment seg{static_cast<SegmentType>(type), {}};
        seg.asns.resize(count);
        for (auto& asn : seg.asns)
            asn = width == four_octet ? *value.u32() : Asn{*value.u16()};
        path.segments.push_back(std::move(seg));
    }
    return path;
}

std::size_t as_path_size(const AsPath& path, std::size_t width, bool skip_confed)
{
    std::size_t n = 0;
    for (const auto& seg : path.segments) {
        if (seg.asns.empty() || (skip_confed && is_confed(seg.type)))
            continue;
        const std::size_t pieces = (seg.asns.size() + max_segment_asns - 1) / max_segment_asns;
        n += pieces * 2 + seg.asns.size() * width;
    }
    return n;
}

void encode_as_path(const AsPath& path, Writer& w, std::size_t width, bool skip_confed)
{
    for (const auto& seg : path.segments) {
        if (skip_confed && is_confed(seg.type))
            continue;
        for (std::size_t i = 0; i < seg.asns.size(); i += max_segment_asns) {
            const std::size_t n = std::min(max_segment_asns, seg.asns.size() - i);
            w.u8(static_cast<std::uint8_t>(seg.type));
            w.u8(static_cast<std::uint8_t>(n));
            for (std::size_t k = i; k < i + n; ++k) {
                const Asn asn = seg.asns[k];
                if (width == four_octet)
                    w.u32(asn);
                else // RFC 6793 §4.2.2: non-mappable AS numbers become AS_TRANS
                    w.u16(static_cast<std::uint16_t>(asn > max_two_octet_asn ? as_trans : asn));
            }
        }
    }
}

bool needs_as4_path(const AsPath& path)
{
    bool big = false;
    bool carrier = false;
    for (const auto& seg : path.segments) {
        if (!is_confed(seg.type) && !seg.asns.empty())
            carrier = true;
        big = big || std::any_of(seg.asns.begin(), seg.asns.end(),
                                 [](Asn a) { return a > max_two_octet_asn; });
    }
    return big && carrier;
}

void reconcile_as4(PathAttributes& a)
{
    if (a.as4_aggregator) {
        // RFC 6793 §4.2.3: an AGGREGATOR with a real AS means an OLD speaker aggregated after
        // the AS4_* attributes were made; they no longer describe this route.
        if (a.aggregator && a.aggregator->asn != as_trans) {
            a.as4_aggregator.reset();
            a.as4_path.reset();
            return;
        }
        if (a.aggregator)
            a.aggregator = a.as4_aggregator;
        a.as4_aggregator.reset();
    }
    if (!a.as4_path)
        return;
    AsPath as4 = std::move(*a.as4_path);
    a.as4_path.reset();
    // RFC 6793 §4.2.3: an AS4_PATH longer than AS_PATH is ignored.
    if (!a.as_path || a.as_path->length() < as4.length())
        return;
    // RFC 6793 §4.2.3: take the leading AS numbers AS_PATH has beyond AS4_PATH, keeping a
    // confed segment that leads or is adjacent to a taken segment, then append AS4_PATH.
    std::size_t need = a.as_path->length() - as4.length();
    AsPath merged;
    bool prev_whole = true; // the segment before this one was taken whole (or none yet)
    for (const auto& seg : a.as_path->segments) {
        if (is_confed(seg.type)) {
            if (need == 0 && !prev_whole)
                break;
            merged.segments.push_back(seg);
            continue;
        }
        if (need == 0)
            break;
        if (seg.type == SegmentType::as_set) {
            merged.segments.push_back(seg);
            need -= 1;
            prev_whole = true;
            continue;
        }
        const std::size_t take = std::min(need, seg.asns.size());
        merged.segments.push_back(
            {seg.type, std::vector<Asn>(seg.asns.begin(),
                                        seg.asns.begin() + static_cast<std::ptrdiff_t>(take))});
        need -= take;
        prev_whole = take == seg.asns.size();
    }
    append_segments(merged, as4);
    a.as_path = std::move(merged);
}

} // namespace vipd::bgp
