// DNS query encoding and strict response decoding (see dns_message.hpp). The only byte
// arithmetic of the dns check; no I/O.
#include "health/dns_message.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <arpa/inet.h>
#include <fmt/format.h>

namespace vipd::health::dns {

namespace {

// RFC 1035 §4.1.1 header flag bits (of the second 16-bit word).
constexpr std::uint16_t flag_qr = 0x8000;
constexpr std::uint16_t flag_aa = 0x0400;
constexpr std::uint16_t flag_tc = 0x0200;
constexpr std::uint16_t flag_rd = 0x0100;
constexpr std::uint16_t flag_ra = 0x0080;
constexpr std::uint16_t flag_ad = 0x0020; // RFC 4035 §3.2.3
constexpr unsigned opcode_shift = 11;
constexpr std::uint16_t opcode_mask = 0x0f;
constexpr std::uint16_t rcode_mask = 0x0f;

constexpr std::size_t question_tail = 4; // QTYPE, QCLASS (RFC 1035 §4.1.2)
constexpr std::size_t record_fixed = 10; // TYPE, CLASS, TTL, RDLENGTH (RFC 1035 §4.1.3)
constexpr std::size_t min_record = 1 + record_fixed; // the root name and the fixed fields
// A name has at most 127 labels (255 octets), so more pointers than that can only be an attack.
constexpr unsigned max_pointers = 127;

constexpr std::array<std::pair<std::string_view, std::uint16_t>, 11> type_names{{
    {"A", rr_type::a},
    {"NS", rr_type::ns},
    {"CNAME", rr_type::cname},
    {"SOA", rr_type::soa},
    {"PTR", rr_type::ptr},
    {"MX", rr_type::mx},
    {"TXT", rr_type::txt},
    {"AAAA", rr_type::aaaa},
    {"SRV", rr_type::srv},
    {"OPT", rr_type::opt},
    {"ANY", rr_type::any},
}};

constexpr std::array<std::pair<std::string_view, std::uint16_t>, 13> rcode_names{{
    {"NOERROR", 0},
    {"FORMERR", 1},
    {"SERVFAIL", 2},
    {"NXDOMAIN", 3},
    {"NOTIMP", 4},
    {"REFUSED", 5},
    {"YXDOMAIN", 6},   // RFC 2136 §2.2
    {"YXRRSET", 7},    // RFC 2136 §2.2
    {"NXRRSET", 8},    // RFC 2136 §2.2
    {"NOTAUTH", 9},    // RFC 2136 §2.2
    {"NOTZONE", 10},   // RFC 2136 §2.2
    {"BADVERS", 16},   // RFC 6891 §9
    {"BADCOOKIE", 23}, // RFC 7873 §8
}};

bool iequal(std::string_view a, std::string_view b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        return lower(x) == lower(y);
    });
}

std::optional<std::uint32_t> parse_number(std::string_view text, std::uint32_t max)
{
    if (text.empty() || text.size() > 10)
        return std::nullopt;
    std::uint64_t n = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n > max)
        return std::nullopt;
    return static_cast<std::uint32_t>(n);
}

// A name or a number, or PREFIX followed by a number ("TYPE99", "RCODE42").
template <std::size_t N>
std::optional<std::uint32_t>
parse_mnemonic(std::string_view text,
               const std::array<std::pair<std::string_view, std::uint16_t>, N>& names,
               std::string_view prefix, std::uint32_t max)
{
    for (const auto& [name, value] : names) {
        if (iequal(text, name))
            return value;
    }
    if (text.size() > prefix.size() && iequal(text.substr(0, prefix.size()), prefix))
        return parse_number(text.substr(prefix.size()), max);
    return parse_number(text, max);
}

template <std::size_t N>
std::string mnemonic(std::uint16_t value,
                     const std::array<std::pair<std::string_view, std::uint16_t>, N>& names,
                     std::string_view prefix)
{
    for (const auto& [name, v] : names) {
        if (v == value)
            return std::string(name);
    }
    return fmt::format("{}{}", prefix, value);
}

void put16(Bytes& out, std::uint16_t v)
{
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
}

std::uint16_t get16(ByteView m, std::size_t at)
{
    return static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]);
}

std::uint32_t get32(ByteView m, std::size_t at)
{
    return (std::uint32_t{get16(m, at)} << 16) | get16(m, at + 2);
}

tl::unexpected<DecodeError> fail(Problem problem, std::size_t offset, std::string_view what)
{
    return tl::unexpected(DecodeError{problem, offset, fmt::format("byte {}: {}", offset, what)});
}

tl::unexpected<DecodeError> short_at(std::size_t offset, std::string_view what)
{
    return fail(Problem::short_message, offset, fmt::format("message ends inside {}", what));
}

// RFC 1035 §5.1 presentation: octets in `special` behind a backslash, those outside
// [`lowest`, '~'] as \DDD.
void append_escaped(std::string& out, ByteView octets, std::string_view special, char lowest)
{
    for (std::uint8_t c : octets) {
        if (special.find(static_cast<char>(c)) != std::string_view::npos)
            out += fmt::format("\\{}", static_cast<char>(c));
        else if (c < static_cast<std::uint8_t>(lowest) || c > 0x7e)
            out += fmt::format("\\{:03}", c);
        else
            out += static_cast<char>(c);
    }
}

// Reads the name at `pos` (RFC 1035 §4.1.4). Every pointer must point before the start of the
// run of labels that holds it — a prior occurrence, as the RFC says — so the offsets jumped to
// strictly decrease and no loop is possible; `pos` moves past the name's in-place octets.
tl::expected<Name, DecodeError> read_name(ByteView m, std::size_t& pos)
{
    Name name;
    std::size_t at = pos;
    std::size_t run_start = pos;
    unsigned pointers = 0;
    bool jumped = false;
    for (;;) {
        if (at >= m.size())
            return short_at(at, "a name");
        const std::uint8_t len = m[at];
        if ((len & 0xc0) == 0xc0) {
            if (at + 1 >= m.size())
                return short_at(at, "a compression pointer");
            const std::size_t target = ((len & 0x3fu) << 8) | m[at + 1];
            if (target >= run_start)
                return fail(Problem::bad_pointer, at,
                            fmt::format("compression pointer to {} does not point before {}",
                                        target, run_start));
            if (++pointers > max_pointers)
                return fail(Problem::bad_pointer, at,
                            fmt::format("more than {} compression pointers", max_pointers));
            if (!jumped)
                pos = at + 2;
            jumped = true;
            at = run_start = target;
            continue;
        }
        if ((len & 0xc0) != 0) // RFC 6891 §5: extended label types are not to be used
            return fail(Problem::bad_label, at, fmt::format("label type 0x{:02x}", len & 0xc0));
        if (name.wire.size() + 1 + len > max_name_size)
            return fail(Problem::bad_label, at, "name longer than 255 octets");
        if (at + 1 + len > m.size())
            return short_at(at, "a label");
        name.wire.insert(name.wire.end(), m.begin() + static_cast<std::ptrdiff_t>(at),
                         m.begin() + static_cast<std::ptrdiff_t>(at + 1 + len));
        at += 1 + len;
        if (len == 0) {
            if (!jumped)
                pos = at;
            return name;
        }
    }
}

// A name inside RDATA [pos, end): its in-place octets must end within the RDATA (pointers go
// backwards, so reading from the message cut at `end` loses nothing legitimate).
tl::expected<std::string, DecodeError> rdata_name(ByteView m, std::size_t& pos, std::size_t end)
{
    const std::size_t start = pos;
    auto name = read_name(m.first(end), pos);
    if (!name && name.error().problem == Problem::short_message)
        return fail(Problem::bad_rdata, start, "name runs past RDLENGTH");
    if (!name)
        return tl::unexpected(name.error());
    return to_string(*name);
}

std::string quoted(ByteView s)
{
    std::string out = "\"";
    append_escaped(out, s, "\"\\", ' ');
    return out + "\"";
}

// RFC 1035 §3.3.14: one or more <character-string>s filling RDATA exactly.
tl::expected<std::string, DecodeError> txt_text(ByteView m, std::size_t pos, std::size_t end)
{
    if (pos == end)
        return fail(Problem::bad_rdata, pos, "TXT without a character-string");
    std::string out;
    while (pos < end) {
        const std::size_t len = m[pos];
        if (pos + 1 + len > end)
            return fail(Problem::bad_rdata, pos, "character-string runs past RDLENGTH");
        if (!out.empty())
            out += ' ';
        out += quoted(m.subspan(pos + 1, len));
        pos += 1 + len;
    }
    return out;
}

std::string unknown_text(ByteView rdata) // RFC 3597 §5
{
    std::string out = fmt::format("\\# {}", rdata.size());
    if (!rdata.empty())
        out += ' ';
    for (std::uint8_t c : rdata)
        out += fmt::format("{:02x}", c);
    return out;
}

std::string address_text(ByteView rdata)
{
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(rdata.size() == 4 ? AF_INET : AF_INET6, rdata.data(), buf, sizeof buf);
    return buf;
}

// Names followed by `numbers` 32-bit or 16-bit fields, as SOA (2 names, 5 x 32) and MX
// (16, 1 name) lay them out: `layout` lists 'n' (name), 'h' (16 bits), 'w' (32 bits).
tl::expected<std::string, DecodeError> fields_text(ByteView m, std::size_t pos, std::size_t end,
                                                   std::string_view layout)
{
    std::string out;
    for (char f : layout) {
        if (!out.empty())
            out += ' ';
        if (f == 'n') {
            auto name = rdata_name(m, pos, end);
            if (!name)
                return name;
            out += *name;
            continue;
        }
        const std::size_t size = f == 'h' ? 2 : 4;
        if (pos + size > end)
            return fail(Problem::bad_rdata, pos, "RDATA shorter than its fields");
        out += std::to_string(size == 2 ? get16(m, pos) : get32(m, pos));
        pos += size;
    }
    if (pos != end)
        return fail(Problem::bad_rdata, pos, "RDATA longer than its fields");
    return out;
}

tl::expected<std::string, DecodeError> rdata_text(ByteView m, std::uint16_t type, std::size_t pos,
                                                  std::size_t len)
{
    const std::size_t end = pos + len;
    switch (type) {
    case rr_type::a:    // RFC 1035 §3.4.1
    case rr_type::aaaa: // RFC 3596 §2.2
        if (len != (type == rr_type::a ? 4u : 16u))
            return fail(Problem::bad_rdata, pos,
                        fmt::format("{} RDLENGTH {}", type_name(type), len));
        return address_text(m.subspan(pos, len));
    case rr_type::ns:
    case rr_type::cname:
    case rr_type::ptr:
        return fields_text(m, pos, end, "n");
    case rr_type::mx:
        return fields_text(m, pos, end, "hn");
    case rr_type::soa:
        return fields_text(m, pos, end, "nnwwwww");
    case rr_type::srv: // RFC 2782: priority, weight, port, target
        return fields_text(m, pos, end, "hhhn");
    case rr_type::txt:
        return txt_text(m, pos, end);
    default:
        return unknown_text(m.subspan(pos, len));
    }
}

enum class Section { answer, authority, additional };

struct Decoder
{
    explicit Decoder(ByteView message) : m(message) {}

    ByteView m;
    std::size_t pos = header_size;
    Response out;
    bool have_opt = false;

    tl::expected<void, DecodeError> question(const Query& query, std::uint16_t count);
    tl::expected<void, DecodeError> record(Section section);
    tl::expected<void, DecodeError> opt(std::size_t at, const Name& owner, Section section,
                                        std::uint16_t payload, std::uint32_t ttl);
};

tl::expected<void, DecodeError> Decoder::question(const Query& query, std::uint16_t count)
{
    // RFC 5452 §9.1: the question must be ours. A server that could not parse the query may
    // answer an error without it (RFC 6891 §7: FORMERR).
    if (count == 0 && out.rcode != 0)
        return {};
    if (count != 1)
        return fail(Problem::wrong_question, 4, fmt::format("QDCOUNT {}, expected 1", count));
    const std::size_t at = pos;
    auto name = read_name(m, pos);
    if (!name)
        return tl::unexpected(name.error());
    if (pos + question_tail > m.size())
        return short_at(pos, "the question");
    const std::uint16_t type = get16(m, pos);
    const std::uint16_t qclass = get16(m, pos + 2);
    pos += question_tail;
    if (!same_name(*name, query.name) || type != query.type || qclass != class_in)
        return fail(Problem::wrong_question, at,
                    fmt::format("question {} {} class {}, expected {} {} class 1", to_string(*name),
                                type_name(type), qclass, to_string(query.name),
                                type_name(query.type)));
    return {};
}

tl::expected<void, DecodeError> Decoder::opt(std::size_t at, const Name& owner, Section section,
                                             std::uint16_t payload, std::uint32_t ttl)
{
    // RFC 6891 §6.1.1: at most one, in the additional section, owned by the root.
    if (section != Section::additional || owner.wire.size() != 1 || have_opt)
        return fail(Problem::bad_opt, at,
                    have_opt ? "second OPT record"
                             : (owner.wire.size() != 1 ? "OPT owned by a non-root name"
                                                       : "OPT outside the additional section"));
    have_opt = true;
    out.udp_payload_size = payload;
    // RFC 6891 §6.1.3: the upper 8 bits of the 12-bit RCODE.
    out.rcode = static_cast<std::uint16_t>(((ttl >> 24) << 4) | (out.rcode & rcode_mask));
    return {};
}

tl::expected<void, DecodeError> Decoder::record(Section section)
{
    const std::size_t at = pos;
    auto owner = read_name(m, pos);
    if (!owner)
        return tl::unexpected(owner.error());
    if (pos + record_fixed > m.size())
        return short_at(pos, "a record");
    Record r{std::move(*owner), get16(m, pos), get16(m, pos + 2), get32(m, pos + 4), {}};
    const std::size_t rdlength = get16(m, pos + 8);
    pos += record_fixed;
    if (pos + rdlength > m.size())
        return short_at(pos, fmt::format("RDATA of {} octets", rdlength));
    const std::size_t rdata = pos;
    pos += rdlength;
    if (r.type == rr_type::opt)
        return opt(at, r.name, section, r.rr_class, r.ttl);
    if (section != Section::answer)
        return {};
    auto text = rdata_text(m, r.type, rdata, rdlength);
    if (!text)
        return tl::unexpected(text.error());
    r.data = std::move(*text);
    out.answers.push_back(std::move(r));
    return {};
}

} // namespace

std::optional<std::uint16_t> parse_type(std::string_view text)
{
    auto t = parse_mnemonic(text, type_names, "TYPE", 65535);
    if (!t || *t == 0 || *t == rr_type::opt)
        return std::nullopt;
    return static_cast<std::uint16_t>(*t);
}

std::string type_name(std::uint16_t type)
{
    return mnemonic(type, type_names, "TYPE");
}

std::optional<std::uint16_t> parse_rcode(std::string_view text)
{
    auto r = parse_mnemonic(text, rcode_names, "RCODE", max_rcode);
    return r ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*r)) : std::nullopt;
}

std::string rcode_name(std::uint16_t rcode)
{
    return mnemonic(rcode, rcode_names, "RCODE");
}

tl::expected<Name, std::string> parse_name(std::string_view text)
{
    Name name;
    if (text.empty())
        return tl::unexpected(std::string("empty name"));
    if (text != "." && text.back() == '.')
        text.remove_suffix(1);
    while (text != "." && !text.empty()) {
        const auto dot = text.find('.');
        const std::string_view label = text.substr(0, dot);
        if (label.empty())
            return tl::unexpected(std::string("empty label"));
        if (label.size() > max_label_size) // RFC 1035 §2.3.4
            return tl::unexpected(fmt::format("label \"{}\" longer than 63 octets", label));
        for (char c : label) {
            if (c < 0x21 || c > 0x7e || c == '\\')
                return tl::unexpected(
                    fmt::format("label \"{}\": only printable ASCII without '\\'", label));
        }
        name.wire.push_back(static_cast<std::uint8_t>(label.size()));
        name.wire.insert(name.wire.end(), label.begin(), label.end());
        text = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    }
    name.wire.push_back(0);
    if (name.wire.size() > max_name_size) // RFC 1035 §2.3.4
        return tl::unexpected(fmt::format("name of {} octets, at most 255", name.wire.size()));
    return name;
}

std::string to_string(const Name& name)
{
    if (name.wire.size() <= 1)
        return ".";
    std::string out;
    std::size_t at = 0;
    while (at < name.wire.size() && name.wire[at] != 0) {
        const std::size_t len = name.wire[at];
        const ByteView label(name.wire.data() + at + 1, std::min(len, name.wire.size() - at - 1));
        append_escaped(out, label, ".\\", '!');
        out += '.';
        at += 1 + len;
    }
    return out;
}

bool same_name(const Name& a, const Name& b)
{
    return iequal(std::string_view(reinterpret_cast<const char*>(a.wire.data()), a.wire.size()),
                  std::string_view(reinterpret_cast<const char*>(b.wire.data()), b.wire.size()));
}

Bytes encode_query(const Query& q)
{
    Bytes out;
    out.reserve(header_size + q.name.wire.size() + question_tail + min_record);
    put16(out, q.id);
    put16(out, static_cast<std::uint16_t>((q.recursion_desired ? flag_rd : 0) |
                                          (q.authentic_data ? flag_ad : 0)));
    put16(out, 1);                               // QDCOUNT
    put16(out, 0);                               // ANCOUNT
    put16(out, 0);                               // NSCOUNT
    put16(out, q.udp_payload_size != 0 ? 1 : 0); // ARCOUNT: the OPT record
    out.insert(out.end(), q.name.wire.begin(), q.name.wire.end());
    put16(out, q.type);
    put16(out, class_in);
    if (q.udp_payload_size != 0) { // RFC 6891 §6.1.2
        out.push_back(0);          // owner: the root
        put16(out, rr_type::opt);
        put16(out, q.udp_payload_size); // CLASS: requestor's UDP payload size
        put16(out, 0);                  // TTL: extended RCODE 0, version 0
        put16(out, 0);                  // TTL: DO clear, Z
        put16(out, 0);                  // RDLENGTH: no options
    }
    return out;
}

std::string_view to_string(Problem problem)
{
    switch (problem) {
    case Problem::short_message:
        return "short message";
    case Problem::not_a_response:
        return "not a response";
    case Problem::wrong_id:
        return "wrong ID";
    case Problem::wrong_opcode:
        return "wrong opcode";
    case Problem::wrong_question:
        return "wrong question";
    case Problem::bad_count:
        return "bad count";
    case Problem::bad_label:
        return "bad label";
    case Problem::bad_pointer:
        return "bad compression pointer";
    case Problem::bad_rdata:
        return "bad RDATA";
    case Problem::bad_opt:
        return "bad OPT record";
    case Problem::trailing_data:
        return "trailing data";
    }
    return "?";
}

bool is_mismatch(Problem problem)
{
    return problem == Problem::not_a_response || problem == Problem::wrong_id ||
           problem == Problem::wrong_opcode || problem == Problem::wrong_question;
}

tl::expected<Response, DecodeError> decode_response(ByteView m, const Query& query)
{
    if (m.size() < header_size)
        return short_at(m.size(), fmt::format("the header ({} of 12 octets)", m.size()));
    Decoder d(m);
    const std::uint16_t flags = get16(m, 2);
    if ((flags & flag_qr) == 0)
        return fail(Problem::not_a_response, 2, "QR clear: a query, not a response");
    d.out.id = get16(m, 0);
    if (d.out.id != query.id) // RFC 5452 §9.1
        return fail(Problem::wrong_id, 0,
                    fmt::format("ID 0x{:04x}, expected 0x{:04x}", d.out.id, query.id));
    if (const unsigned opcode = (flags >> opcode_shift) & opcode_mask; opcode != 0)
        return fail(Problem::wrong_opcode, 2, fmt::format("opcode {}, expected 0 (QUERY)", opcode));
    d.out.authoritative = (flags & flag_aa) != 0;
    d.out.truncated = (flags & flag_tc) != 0;
    d.out.recursion_available = (flags & flag_ra) != 0;
    d.out.authentic_data = (flags & flag_ad) != 0;
    d.out.rcode = flags & rcode_mask;
    const std::uint16_t qdcount = get16(m, 4);
    const std::uint16_t counts[3] = {get16(m, 6), get16(m, 8), get16(m, 10)};
    d.out.authority_count = counts[1];
    d.out.additional_count = counts[2];
    if (auto q = d.question(query, qdcount); !q)
        return tl::unexpected(q.error());
    // RFC 2181 §9: a truncated message is retried over TCP, its sections are not used.
    if (d.out.truncated)
        return d.out;
    const std::size_t records = std::size_t{counts[0]} + counts[1] + counts[2];
    if (records * min_record > m.size() - d.pos)
        return fail(
            Problem::bad_count, 6,
            fmt::format("{} records cannot fit in the {} octets left", records, m.size() - d.pos));
    const Section sections[3] = {Section::answer, Section::authority, Section::additional};
    for (int s = 0; s < 3; ++s) {
        for (std::uint16_t i = 0; i < counts[s]; ++i) {
            if (auto r = d.record(sections[s]); !r)
                return tl::unexpected(r.error());
        }
    }
    if (d.pos != m.size())
        return fail(Problem::trailing_data, d.pos,
                    fmt::format("{} trailing octet(s) after the last record", m.size() - d.pos));
    return d.out;
}

} // namespace vipd::health::dns
