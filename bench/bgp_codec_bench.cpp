// UPDATE codec throughput: pack N host routes sharing one attribute set into UPDATEs with the
// builder, and decode those UPDATEs back with decode_update. items_per_second = prefixes/s.
// Targets (one core, Release): >= 20 M prefixes/s encode, >= 10 M prefixes/s decode.
// Run: build-rel/bench/bgp_codec_bench --benchmark_min_time=1
#include <stdexcept>

#include <benchmark/benchmark.h>

#include "bgp/update.hpp"
#include "bgp/update_builder.hpp"

using namespace vipd::bgp;

namespace {

constexpr std::size_t routes = 1'000'000;

PathAttributes shared_attributes(Afi afi)
{
    PathAttributes a;
    a.origin = Origin::igp;
    a.as_path = AsPath{{{SegmentType::as_sequence, {65001, 65001}}}};
    a.multi_exit_disc = 100;
    a.communities = std::vector<Community>{0xfde90001, 0xfde90002};
    if (afi == Afi::ipv4)
        a.next_hop = 0xc0000201;
    else
        a.mp_reach = MpReach{ipv6_unicast, *Address::parse("2001:db8::1"), std::nullopt, {}};
    return a;
}

std::vector<Nlri> host_routes(Afi afi, std::size_t n)
{
    std::vector<Nlri> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<std::uint32_t>(i);
        if (afi == Afi::ipv4) {
            v[i].prefix = Prefix{Address::v4(0x0a000000u + x), 32};
        } else {
            std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
            b[12] = static_cast<std::uint8_t>(x >> 24);
            b[13] = static_cast<std::uint8_t>(x >> 16);
            b[14] = static_cast<std::uint8_t>(x >> 8);
            b[15] = static_cast<std::uint8_t>(x);
            v[i].prefix = Prefix{Address::v6(b), 128};
        }
    }
    return v;
}

CodecContext context(bool extended)
{
    CodecContext ctx;
    ctx.extended_message = extended;
    return ctx;
}

Afi family_arg(const benchmark::State& state)
{
    return state.range(0) == 4 ? Afi::ipv4 : Afi::ipv6;
}

void bm_encode(benchmark::State& state)
{
    const Afi afi = family_arg(state);
    const CodecContext ctx = context(state.range(1) != 0);
    const auto input = host_routes(afi, routes);
    Bytes out;
    std::size_t messages = 0;
    for (auto _ : state) {
        out.clear();
        // Encoding the shared attributes is part of every call, as for the speaker.
        auto enc = EncodedAttributes::make(shared_attributes(afi), {afi, Safi::unicast}, ctx);
        auto n = append_announcements(out, *enc, input);
        if (!n)
            throw std::runtime_error(n.error());
        messages = *n;
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * routes));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
    state.counters["messages"] = static_cast<double>(messages);
}

void bm_decode(benchmark::State& state)
{
    const Afi afi = family_arg(state);
    const CodecContext ctx = context(state.range(1) != 0);
    const auto input = host_routes(afi, routes);
    auto enc = EncodedAttributes::make(shared_attributes(afi), {afi, Safi::unicast}, ctx);
    Bytes wire;
    if (!append_announcements(wire, *enc, input))
        throw std::runtime_error("encode failed");
    for (auto _ : state) {
        std::size_t found = 0;
        for (std::size_t i = 0; i < wire.size();) {
            const std::size_t len = (std::size_t{wire[i + 16]} << 8) | wire[i + 17];
            Reader body(ByteView(wire).subspan(i + header_size, len - header_size), header_size);
            UpdateOutcome o = decode_update(body, ctx);
            if (o.error)
                throw std::runtime_error(to_string(*o.error));
            found += o.update.nlri.size() + (o.update.path_attributes.mp_reach
                                                 ? o.update.path_attributes.mp_reach->nlri.size()
                                                 : 0);
            benchmark::DoNotOptimize(o);
            i += len;
        }
        if (found != routes)
            throw std::runtime_error("decoded a different number of prefixes");
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * routes));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

void bm_withdraw(benchmark::State& state)
{
    const Afi afi = family_arg(state);
    const CodecContext ctx = context(state.range(1) != 0);
    const auto input = host_routes(afi, routes);
    Bytes out;
    for (auto _ : state) {
        out.clear();
        auto n = append_withdrawals(out, {afi, Safi::unicast}, input, ctx);
        benchmark::DoNotOptimize(n);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * routes));
}

void bm_single(benchmark::State& state)
{
    // The speaker's per-route path: one UPDATE for one prefix, attributes pre-encoded.
    const Afi afi = family_arg(state);
    const CodecContext ctx;
    const auto input = host_routes(afi, 1024);
    auto enc = EncodedAttributes::make(shared_attributes(afi), {afi, Safi::unicast}, ctx);
    Bytes out;
    out.reserve(1 << 20);
    std::size_t i = 0;
    for (auto _ : state) {
        if (out.size() > (1 << 19))
            out.clear();
        auto n = append_announcement(out, *enc, input[i++ & 1023]);
        benchmark::DoNotOptimize(n);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

} // namespace

// Args: {4 = IPv4 /32, 6 = IPv6 /128} x {0 = 4096-octet, 1 = 65535-octet messages}.
BENCHMARK(bm_encode)->ArgsProduct({{4, 6}, {0, 1}})->Unit(benchmark::kMillisecond);
BENCHMARK(bm_decode)->ArgsProduct({{4, 6}, {0, 1}})->Unit(benchmark::kMillisecond);
BENCHMARK(bm_withdraw)->ArgsProduct({{4, 6}, {0}})->Unit(benchmark::kMillisecond);
BENCHMARK(bm_single)->Args({4})->Args({6});

BENCHMARK_MAIN();
