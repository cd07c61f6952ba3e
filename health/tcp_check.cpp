// TCP connect check with optional send/expect.
#include "health/tcp_check.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <cerrno>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "health/connect_poller.hpp"
#include "health/net.hpp"

namespace vipd::health {

namespace asio = boost::asio;
using asio::ip::tcp;

tl::expected<std::unique_ptr<TcpCheck>, std::string> TcpCheck::make(TcpCheckConfig config)
{
    auto target = parse_endpoint(config.address, config.port);
    if (!target) {
        return tl::unexpected(target.error());
    }
    std::unique_ptr<TcpCheck> check(new TcpCheck());
    if (!config.source_address.empty()) {
        auto source = parse_address(config.source_address, "source address");
        if (!source) {
            return tl::unexpected(source.error());
        }
        if (source->is_v4() != target->address().is_v4()) {
            return tl::unexpected(std::string("source and target address families differ"));
        }
        check->source_ = *source;
    }
    if (!config.expect.empty() && config.max_reply < config.expect.size()) {
        return tl::unexpected(std::string("max_reply is smaller than expect"));
    }
    check->target_ = *target;
    check->config_ = std::move(config);
    return check;
}

namespace {

boost::system::error_code last_error()
{
    return {errno, boost::system::system_category()};
}

Outcome connect_outcome(const boost::system::error_code& ec)
{
    return ec ? down(failure(ec)) : Outcome{Status::up, "connected", {}};
}

} // namespace

// A bare connect: the socket calls the kernel needs and no more. The outcome when it is decided
// at once (no socket, bind or connect failed, connected already), else the socket to wait for.
std::variant<Outcome, ResetFdOnExit> TcpCheck::begin_connect() const
{
    const int fd = ::socket(target_.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            IPPROTO_TCP);
    if (fd < 0) {
        return down(failure(last_error(), "socket"));
    }
    ResetFdOnExit reset(fd);
    hold_handshake_ack(fd);
    if (source_) {
        const tcp::endpoint local(*source_, 0);
        if (::bind(fd, local.data(), static_cast<socklen_t>(local.size())) != 0) {
            return down(failure(last_error(), "socket"));
        }
    }
    if (::connect(fd, target_.data(), static_cast<socklen_t>(target_.size())) == 0) {
        return connect_outcome({});
    }
    if (errno != EINPROGRESS) {
        return down(failure(last_error()));
    }
    return reset;
}

// The wait shared with every other bare connect in flight (ConnectPoller); the SYN-ACK is the
// verdict.
asio::awaitable<Outcome> TcpCheck::connect_only()
{
    auto begun = begin_connect();
    if (auto* decided = std::get_if<Outcome>(&begun)) {
        co_return std::move(*decided);
    }
    const auto& socket = std::get<ResetFdOnExit>(begun);
    const auto executor = co_await asio::this_coro::executor;
    co_return connect_outcome(co_await ConnectPoller::of(executor).wait(socket.fd()));
}

// The Monitor's way in: a bare connect without a coroutine (its completion is the ConnectPoller's
// callback), the same calls and outcome as connect_only().
void TcpCheck::start(const asio::any_io_executor& executor, ProbeHandler handler)
{
    if (!bare()) {
        Check::start(executor, std::move(handler));
        return;
    }
    auto begun = begin_connect();
    if (auto* decided = std::get_if<Outcome>(&begun)) {
        asio::post(executor, [h = std::move(handler), o = std::move(*decided)]() mutable {
            std::move(h)(nullptr, std::move(o));
        });
        return;
    }
    auto socket = std::get<ResetFdOnExit>(std::move(begun));
    const int fd = socket.fd();
    const auto slot = asio::get_associated_cancellation_slot(handler);
    ConnectPoller::of(executor).start(
        fd, asio::bind_cancellation_slot(slot, [s = std::move(socket), h = std::move(handler)](
                                                   boost::system::error_code ec) mutable {
            { // closed (RST) before the outcome is delivered, as in connect_only()
                const auto closing = std::move(s);
            }
            std::move(h)(nullptr, connect_outcome(ec));
        }));
}

asio::awaitable<Outcome> TcpCheck::probe()
{
    if (bare()) {
        co_return co_await connect_only();
    }
    tcp::socket socket(co_await asio::this_coro::executor);
    ResetOnExit reset(socket);
    if (auto ec = open_socket(socket, target_, source_)) {
        co_return down(failure(ec, "socket"));
    }
    auto [ec] = co_await socket.async_connect(target_, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return down(failure(ec));
    }
    if (!config_.send.empty()) {
        auto [wec, n] = co_await asio::async_write(socket, asio::buffer(config_.send),
                                                   asio::as_tuple(asio::use_awaitable));
        if (wec) {
            co_return down(failure(wec, "send"));
        }
    }
    if (config_.expect.empty()) {
        co_return Outcome{Status::up, "connected", {}};
    }
    std::string reply(config_.max_reply, '\0');
    std::size_t have = 0;
    while (have < reply.size()) {
        auto [rec, n] =
            co_await socket.async_read_some(asio::buffer(reply.data() + have, reply.size() - have),
                                            asio::as_tuple(asio::use_awaitable));
        have += n;
        if (std::string_view(reply.data(), have).find(config_.expect) != std::string_view::npos) {
            co_return Outcome{Status::up, fmt::format("reply has \"{}\"", config_.expect), {}};
        }
        if (rec) {
            co_return down({reason_of(rec), fmt::format("reply lacks \"{}\" ({} after {} bytes)",
                                                        config_.expect, describe(rec), have)});
        }
    }
    co_return down(
        {Reason::other, fmt::format("reply lacks \"{}\" in first {} bytes", config_.expect, have)});
}

} // namespace vipd::health
