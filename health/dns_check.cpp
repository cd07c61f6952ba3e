// DNS check: UDP query, TCP on truncation or TCP only; the verdict is judge().
#include "health/dns_check.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <algorithm>
#include <array>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <sys/random.h>

#include "health/net.hpp"

namespace vipd::health {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using Result = tl::expected<dns::Response, Failure>;

namespace {

constexpr std::size_t shown_answer = 60; // characters of an answer quoted in a cause

// RFC 5452 §9.2: an ID an off-path attacker cannot predict.
std::uint16_t random_id()
{
    std::uint16_t id = 0;
    if (::getrandom(&id, sizeof id, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof id))
        return id;
    static std::random_device device;
    return static_cast<std::uint16_t>(device());
}

std::string_view plural(std::size_t n)
{
    return n == 1 ? "" : "s";
}

bool of_type(const dns::Record& r, std::uint16_t type)
{
    return type == dns::rr_type::any || r.type == type;
}

// "UDP: ..." for an I/O error; a UDP "connection refused" is the server's ICMP port unreachable.
Failure io_failure(const boost::system::error_code& ec, std::string_view over)
{
    if (over == "UDP" && ec == asio::error::connection_refused)
        return {Reason::refused, "UDP: port unreachable (ICMP)"};
    return failure(ec, over);
}

} // namespace

Failure rejected(const dns::DecodeError& error, std::string_view over)
{
    return {dns::is_mismatch(error.problem) ? Reason::dns_mismatch : Reason::dns_malformed,
            fmt::format("{} reply {}", over, error.what)};
}

Outcome judge(const DnsCheckConfig& config, const dns::Response& response, std::string_view over)
{
    const std::string got = fmt::format("{} over {}", dns::rcode_name(response.rcode), over);
    if (response.truncated) // RFC 7766 §6.2.1.1: over TCP a server has no reason to truncate
        return down({Reason::dns_truncated, got + ": truncated (TC) anyway"});
    if (response.rcode != config.rcode)
        return down({Reason::dns_rcode,
                     fmt::format("{}, expected {}", got, dns::rcode_name(config.rcode))});
    std::size_t answers = 0;
    const dns::Record* first = nullptr;
    const dns::Record* match = nullptr;
    for (const auto& r : response.answers) {
        if (!of_type(r, config.type))
            continue;
        ++answers;
        first = first != nullptr ? first : &r;
        if (match == nullptr && !config.contains.empty() &&
            r.data.find(config.contains) != std::string::npos)
            match = &r;
    }
    const std::string type = dns::type_name(config.type);
    if (!config.contains.empty() && match == nullptr) {
        const std::string seen =
            first == nullptr ? "none"
                             : fmt::format("{}: {}", answers, first->data.substr(0, shown_answer));
        return down({Reason::dns_answer, fmt::format("{}: no {} answer contains \"{}\" ({})", got,
                                                     type, config.contains, seen)});
    }
    if (config.authoritative && !response.authoritative)
        return down({Reason::dns_answer, got + ": AA clear, the answer is not authoritative"});
    if (config.authentic_data && !response.authentic_data)
        return down({Reason::dns_answer, got + ": AD clear, the answer was not validated"});
    std::string detail = fmt::format("{}, {} {} answer{}", got, answers, type, plural(answers));
    if (match != nullptr)
        detail += fmt::format(" with \"{}\"", config.contains);
    if (response.authoritative)
        detail += ", AA";
    if (response.authentic_data)
        detail += ", AD";
    return Outcome{Status::up, std::move(detail), {}};
}

tl::expected<std::unique_ptr<DnsCheck>, std::string> DnsCheck::make(DnsCheckConfig config)
{
    auto target = parse_address(config.address, "address");
    if (!target)
        return tl::unexpected(target.error());
    if (config.port == 0)
        return tl::unexpected(std::string("port 0"));
    auto name = dns::parse_name(config.name);
    if (!name)
        return tl::unexpected(fmt::format("name \"{}\": {}", config.name, name.error()));
    if (config.type == 0 || config.type == dns::rr_type::opt)
        return tl::unexpected(fmt::format("type {} cannot be queried", config.type));
    if (config.rcode > dns::max_rcode)
        return tl::unexpected(fmt::format("RCODE {} above 4095", config.rcode));
    if (config.rcode > 15 && config.edns_buffer == 0) // RFC 6891 §6.1.3
        return tl::unexpected(
            std::string("an extended RCODE (above 15) needs EDNS (a non-zero EDNS buffer size)"));
    if (config.edns_buffer != 0 && config.edns_buffer < min_edns_buffer)
        return tl::unexpected(
            fmt::format("EDNS buffer size {}: 0 or 512..65535", config.edns_buffer));
    if (config.max_reply < min_dns_reply || config.max_reply > max_dns_reply)
        return tl::unexpected(fmt::format("max reply {}: 512..65535", config.max_reply));
    std::unique_ptr<DnsCheck> check(new DnsCheck());
    if (!config.source_address.empty()) {
        auto source = parse_address(config.source_address, "source address");
        if (!source)
            return tl::unexpected(source.error());
        if (source->is_v4() != target->is_v4())
            return tl::unexpected(std::string("source and server address families differ"));
        check->source_ = *source;
    }
    check->target_ = *target;
    check->name_ = std::move(*name);
    check->config_ = std::move(config);
    return check;
}

asio::awaitable<Outcome> DnsCheck::probe()
{
    dns::Query query{
        random_id(),        name_, config_.type, config_.recursion_desired, config_.authentic_data,
        config_.edns_buffer};
    if (config_.transport == DnsTransport::tcp) {
        auto r = co_await over_tcp(std::move(query));
        co_return r ? judge(config_, *r, "TCP") : down(std::move(r.error()));
    }
    auto r = co_await over_udp(query);
    if (!r)
        co_return down(std::move(r.error()));
    if (!r->truncated)
        co_return judge(config_, *r, "UDP");
    // RFC 7766 §5: a truncated answer is asked again over TCP, with a new ID.
    query.id = random_id();
    auto again = co_await over_tcp(std::move(query));
    co_return again ? judge(config_, *again, "TCP after UDP truncation")
                    : down(std::move(again.error()));
}

asio::awaitable<Result> DnsCheck::over_udp(dns::Query query)
{
    const udp::endpoint target(target_, config_.port);
    udp::socket socket(co_await asio::this_coro::executor);
    boost::system::error_code ec;
    socket.open(target.protocol(), ec);
    if (!ec && source_)
        socket.bind(udp::endpoint(*source_, 0), ec);
    // Connected: the kernel picks a random ephemeral port, passes only the server's datagrams
    // and reports its ICMP errors.
    if (!ec)
        socket.connect(target, ec);
    if (ec)
        co_return tl::unexpected(failure(ec, "UDP socket"));
    const dns::Bytes message = dns::encode_query(query);
    auto [sec, sent] =
        co_await socket.async_send(asio::buffer(message), asio::as_tuple(asio::use_awaitable));
    if (sec)
        co_return tl::unexpected(io_failure(sec, "UDP"));
    // RFC 6891 §6.2.5: the server sends at most what we offered (512 octets without EDNS).
    const std::size_t limit = std::max<std::size_t>(query.udp_payload_size, dns::classic_udp_size);
    std::vector<std::uint8_t> reply(limit + 1);
    auto [rec, n] =
        co_await socket.async_receive(asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
    if (rec)
        co_return tl::unexpected(io_failure(rec, "UDP"));
    if (n > limit)
        co_return tl::unexpected(
            Failure{Reason::dns_malformed,
                    fmt::format("UDP reply larger than the {} octets offered", limit)});
    auto response = dns::decode_response(dns::ByteView(reply.data(), n), query);
    if (!response)
        co_return tl::unexpected(rejected(response.error(), "UDP"));
    co_return std::move(*response);
}

asio::awaitable<Result> DnsCheck::over_tcp(dns::Query query)
{
    const tcp::endpoint target(target_, config_.port);
    tcp::socket socket(co_await asio::this_coro::executor);
    ResetOnExit reset(socket);
    if (auto ec = open_socket(socket, target, source_))
        co_return tl::unexpected(failure(ec, "TCP socket"));
    auto [cec] = co_await socket.async_connect(target, asio::as_tuple(asio::use_awaitable));
    if (cec)
        co_return tl::unexpected(failure(cec, "TCP"));
    const dns::Bytes message = dns::encode_query(query);
    // RFC 1035 §4.2.2: a two-octet length, then the message; written in one send.
    dns::Bytes framed{static_cast<std::uint8_t>(message.size() >> 8),
                      static_cast<std::uint8_t>(message.size() & 0xff)};
    framed.insert(framed.end(), message.begin(), message.end());
    auto [wec, written] = co_await asio::async_write(socket, asio::buffer(framed),
                                                     asio::as_tuple(asio::use_awaitable));
    if (wec)
        co_return tl::unexpected(failure(wec, "TCP send"));
    std::array<std::uint8_t, 2> prefix{};
    auto [lec, got] = co_await asio::async_read(socket, asio::buffer(prefix),
                                                asio::as_tuple(asio::use_awaitable));
    if (lec)
        co_return tl::unexpected(failure(lec, "TCP"));
    const std::size_t length = std::size_t{prefix[0]} << 8 | prefix[1];
    if (length < dns::header_size || length > config_.max_reply)
        co_return tl::unexpected(
            Failure{Reason::dns_malformed, fmt::format("TCP reply of {} octets, expected 12..{}",
                                                       length, config_.max_reply)});
    std::vector<std::uint8_t> reply(length);
    auto [rec, n] =
        co_await asio::async_read(socket, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
    if (rec)
        co_return tl::unexpected(failure(rec, fmt::format("TCP, {} of {} octets", n, length)));
    auto response = dns::decode_response(reply, query);
    if (!response)
        co_return tl::unexpected(rejected(response.error(), "TCP"));
    co_return std::move(*response);
}

} // namespace vipd::health
