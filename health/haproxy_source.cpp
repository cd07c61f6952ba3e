// HAProxy stats transports: stats socket (unix/TCP, one command per connection) and stats page.
#include "health/haproxy_source.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "health/net.hpp"

namespace vipd::health {

namespace asio = boost::asio;

namespace {

// Write "COMMAND\n" and read until EOF (HAProxy closes after one command), bounded.
template <class Socket>
asio::awaitable<tl::expected<std::string, std::string>>
converse(Socket& socket, std::string command, std::size_t max_bytes)
{
    command += '\n';
    auto [wec, written] = co_await asio::async_write(socket, asio::buffer(command),
                                                     asio::as_tuple(asio::use_awaitable));
    if (wec) {
        co_return tl::unexpected(fmt::format("send: {}", describe(wec)));
    }
    std::string reply;
    std::array<char, 16384> buf{};
    while (true) {
        auto [ec, n] =
            co_await socket.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        reply.append(buf.data(), n);
        if (reply.size() > max_bytes) {
            co_return tl::unexpected(fmt::format("stats larger than {} bytes", max_bytes));
        }
        if (ec == asio::error::eof) {
            co_return reply;
        }
        if (ec) {
            co_return tl::unexpected(describe(ec));
        }
    }
}

asio::awaitable<tl::expected<std::string, std::string>>
unix_command(std::string path, std::string command, std::size_t max_bytes)
{
    asio::local::stream_protocol::socket socket(co_await asio::this_coro::executor);
    auto [ec] = co_await socket.async_connect(asio::local::stream_protocol::endpoint(path),
                                              asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return tl::unexpected(fmt::format("{}: {}", path, describe(ec)));
    }
    co_return co_await converse(socket, std::move(command), max_bytes);
}

asio::awaitable<tl::expected<std::string, std::string>>
tcp_command(asio::ip::tcp::endpoint endpoint, std::string command, std::size_t max_bytes)
{
    asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
    ResetOnExit reset(socket);
    auto [ec] = co_await socket.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return tl::unexpected(describe(ec));
    }
    co_return co_await converse(socket, std::move(command), max_bytes);
}

tl::expected<void, std::string> validate_socket(const HaproxyInstanceConfig& c)
{
    if (c.transport == HaproxyTransport::unix_socket &&
        (c.socket_path.empty() || c.socket_path.front() != '/')) {
        return tl::unexpected(
            fmt::format("stats socket \"{}\" is not an absolute path", c.socket_path));
    }
    if (c.transport == HaproxyTransport::tcp_socket) {
        auto endpoint = parse_endpoint(c.address, c.port);
        if (!endpoint) {
            return tl::unexpected(endpoint.error());
        }
    }
    return {};
}

} // namespace

tl::expected<HaproxySource, std::string> HaproxySource::make(HaproxyInstanceConfig config)
{
    if (config.name.empty()) {
        return tl::unexpected(std::string("HAProxy instance without a name"));
    }
    if (config.interval.count() <= 0 || config.timeout.count() <= 0 || config.max_bytes == 0) {
        return tl::unexpected(std::string("interval, timeout and max_bytes must be positive"));
    }
    std::optional<HttpClient> page;
    if (config.transport == HaproxyTransport::stats_page) {
        auto client = HttpClient::make(config.page);
        if (!client) {
            return tl::unexpected(client.error());
        }
        page = std::move(*client);
    } else if (auto ok = validate_socket(config); !ok) {
        return tl::unexpected(ok.error());
    }
    return HaproxySource(std::move(config), std::move(page));
}

asio::awaitable<tl::expected<StatTable, std::string>> HaproxySource::poll() const
{
    tl::expected<std::string, std::string> text;
    if (page_) {
        auto response = co_await page_->fetch(true, config_.max_bytes);
        if (!response) {
            co_return tl::unexpected(std::move(response.error().detail));
        }
        if (response->status != 200) {
            co_return tl::unexpected(fmt::format("stats page HTTP {}", response->status));
        }
        if (response->truncated) {
            co_return tl::unexpected(fmt::format("stats larger than {} bytes", config_.max_bytes));
        }
        text = std::move(response->body);
    } else {
        text = co_await haproxy_command(config_, "show stat");
    }
    if (!text) {
        co_return tl::unexpected(text.error());
    }
    co_return parse_stat_csv(*text);
}

asio::awaitable<tl::expected<std::string, std::string>>
haproxy_command(HaproxyInstanceConfig config, std::string command)
{
    if (auto ok = validate_socket(config); !ok) {
        co_return tl::unexpected(ok.error());
    }
    if (config.transport == HaproxyTransport::unix_socket) {
        co_return co_await unix_command(config.socket_path, std::move(command), config.max_bytes);
    }
    if (config.transport == HaproxyTransport::tcp_socket) {
        auto endpoint = parse_endpoint(config.address, config.port);
        co_return co_await tcp_command(*endpoint, std::move(command), config.max_bytes);
    }
    co_return tl::unexpected(std::string("commands need a stats socket, not the stats page"));
}

} // namespace vipd::health
