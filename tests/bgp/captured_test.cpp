// Messages captured from real gobgpd and bird2 sessions (tests/data/captured/*.hex, recorded by
// the scripts in tests/data/capture/) must decode and re-encode byte for byte (UPDATEs with a
// loopback NEXT_HOP: see check_captured).
// File format: commented hex; "--- name" starts a message; a "# context: ..." comment sets the
// codec context for the message it follows (or, before the first "---", for the whole file).
// Context words: two-octet-as, four-octet-as, extended-message, add-path=ipv4,ipv6 (or none).
// Default: four-octet AS on, ADD-PATH off, extended message off.
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "bgp/message.hpp"
#include "bgp/update.hpp"
#include "helpers/test_data.hpp"

using namespace vipd::bgp;

namespace {

struct CapturedMessage
{
    std::string name;
    Bytes bytes;
    CodecContext ctx;
};

// Applies the words of one "# context:" line to `ctx`; throws on a word it does not know.
void apply_context(const std::string& words, CodecContext& ctx)
{
    std::istringstream in(words);
    std::string w;
    while (in >> w) {
        if (w == "two-octet-as") {
            ctx.four_octet_as = false;
        } else if (w == "four-octet-as") {
            ctx.four_octet_as = true;
        } else if (w == "extended-message") {
            ctx.extended_message = true;
        } else if (w.rfind("add-path=", 0) == 0) {
            const std::string families = w.substr(9);
            ctx.add_path_ipv4 = families.find("ipv4") != std::string::npos;
            ctx.add_path_ipv6 = families.find("ipv6") != std::string::npos;
            if (!ctx.add_path_ipv4 && !ctx.add_path_ipv6 && families != "none")
                throw std::runtime_error("unknown add-path families '" + families + "'");
        } else {
            throw std::runtime_error("unknown context word '" + w + "'");
        }
    }
}

std::vector<CapturedMessage> read_captured(const std::filesystem::path& file)
{
    static const std::string context_tag = "# context:";
    std::vector<CapturedMessage> out;
    CodecContext file_ctx;
    std::string block;
    std::optional<CapturedMessage> current;
    auto finish = [&] {
        if (!current)
            return;
        auto parsed = vipd::test::parse_commented_hex("--- x\n" + block);
        current->bytes = parsed.empty() ? Bytes{} : parsed.front().bytes;
        out.push_back(std::move(*current));
    };
    std::istringstream lines(vipd::test::read_text(file));
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("---", 0) == 0) {
            finish();
            std::string name = line.substr(3);
            name.erase(0, name.find_first_not_of(' '));
            current = CapturedMessage{name, {}, file_ctx};
            block.clear();
        } else if (line.rfind(context_tag, 0) == 0) {
            apply_context(line.substr(context_tag.size()), current ? current->ctx : file_ctx);
        } else if (current) {
            block += line + '\n';
        } else if (!vipd::test::parse_commented_hex(line).empty()) {
            throw std::runtime_error("hex before the first '--- name' line");
        }
    }
    finish();
    return out;
}

} // namespace

TEST_CASE("captured: the context line format", "[wire]")
{
    CodecContext ctx;
    apply_context(" two-octet-as add-path=ipv4 extended-message", ctx);
    CHECK_FALSE(ctx.four_octet_as);
    CHECK(ctx.add_path_ipv4);
    CHECK_FALSE(ctx.add_path_ipv6);
    CHECK(ctx.extended_message);
    apply_context("four-octet-as add-path=ipv4,ipv6", ctx);
    CHECK(ctx.four_octet_as);
    CHECK(ctx.add_path_ipv6);
    apply_context("add-path=none", ctx);
    CHECK_FALSE(ctx.add_path_ipv4);
    CHECK_THROWS(apply_context("add-paths", ctx));
}

namespace {

// The capture daemons run on loopback, so their IPv4 UPDATEs carry a NEXT_HOP in 127.0.0.0/8,
// which vipd refuses (RFC 4271 §6.3: not a valid host address; RFC 7606 §7.3:
// treat-as-withdraw). Such an UPDATE must fail with exactly that error, at the NEXT_HOP value;
// the byte-for-byte round trip is then checked on a copy whose NEXT_HOP is 192.0.2.1.
// Every other message must decode without any error and re-encode to the captured bytes.
void check_round_trip(const Bytes& wire, const CodecContext& ctx)
{
    auto decoded = decode_message(wire, ctx);
    if (!decoded) {
        FAIL_CHECK("decode failed: " << to_string(decoded.error()));
        return;
    }
    CHECK(encode_message(*decoded, ctx) == wire);
}

void check_captured(const CapturedMessage& m)
{
    auto header = decode_header(m.bytes, m.ctx);
    if (!header || header->type != MessageType::update || header->length != m.bytes.size())
        return check_round_trip(m.bytes, m.ctx);
    Reader body(ByteView(m.bytes).subspan(header_size), header_size);
    UpdateOutcome outcome = decode_update(body, m.ctx);
    constexpr std::size_t ipv4_size = 4;
    const std::size_t at = outcome.error ? outcome.error->offset : 0;
    const bool loopback_next_hop =
        outcome.error && outcome.error->subcode == update_error::invalid_next_hop_attribute &&
        at + ipv4_size <= m.bytes.size() && m.bytes[at] == 127;
    if (!loopback_next_hop)
        return check_round_trip(m.bytes, m.ctx);
    CHECK(outcome.errors.size() == 1);
    CHECK(outcome.error->code == 3);
    CHECK(outcome.error->action == Rfc7606::treat_as_withdraw);
    Bytes documentation = m.bytes;
    const std::uint8_t test_net_1[ipv4_size] = {192, 0, 2, 1}; // RFC 5737
    std::copy(std::begin(test_net_1), std::end(test_net_1), documentation.begin() + at);
    check_round_trip(documentation, m.ctx);
}

} // namespace

TEST_CASE("captured: gobgpd and bird2 messages decode and re-encode byte for byte", "[wire]")
{
    const auto dir = vipd::test::data_path("captured");
    if (!std::filesystem::is_directory(dir)) {
        FAIL(dir.string() << " does not exist: record the gobgpd/bird2 captures with the "
                             "scripts in tests/data/capture/ first");
    }
    std::size_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".hex")
            continue;
        for (const auto& m : read_captured(entry.path())) {
            INFO(entry.path().filename().string() << " / " << m.name);
            ++total;
            CHECK_FALSE(m.bytes.empty());
            check_captured(m);
        }
    }
    if (total == 0)
        FAIL(dir.string() << " holds no captured messages (*.hex with '--- name' vectors)");
}
