// Micro-benchmarks of the pure health code: HAProxy stats parsing and reference evaluation on the
// captured Debian haproxy output, rise/fall steps, HTTP response matching.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <benchmark/benchmark.h>

#include "health/haproxy_stats.hpp"
#include "health/http_match.hpp"
#include "health/rise_fall.hpp"

using namespace vipd::health;

namespace {

std::string captured()
{
    // CMake compiles with absolute source paths: tests/data sits beside bench/.
    const auto file = std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" /
                      "data" / "haproxy" / "show_stat.csv";
    std::ifstream in(file);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void parse_show_stat(benchmark::State& state)
{
    const auto text = captured();
    for (auto _ : state) {
        auto table = parse_stat_csv(text);
        benchmark::DoNotOptimize(table);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(parse_show_stat);

void evaluate_backend_ref(benchmark::State& state)
{
    const auto table = *parse_stat_csv(captured());
    const auto ref = *parse_ref("b:be_app");
    for (auto _ : state) {
        auto outcome = evaluate(table, ref);
        benchmark::DoNotOptimize(outcome);
    }
}
BENCHMARK(evaluate_backend_ref);

void rise_fall_observe(benchmark::State& state)
{
    RiseFall rf({2, 3, InitialState::down});
    const Outcome up{Status::up, "HTTP 200", {}};
    const Outcome down{Status::down, "connect refused", {}};
    std::size_t i = 0;
    for (auto _ : state) {
        auto change = rf.observe((++i % 8) < 4 ? up : down);
        benchmark::DoNotOptimize(change);
    }
}
BENCHMARK(rise_fall_observe);

void match_body_substring(benchmark::State& state)
{
    const auto matcher = *ResponseMatcher::make({{{200, 299}}, "\"status\":\"ok\"", ""});
    const std::string body(4096, 'x');
    for (auto _ : state) {
        auto r = matcher.match(200, body, false);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(match_body_substring);

} // namespace

BENCHMARK_MAIN();
