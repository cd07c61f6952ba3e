// Connection: framed reads and coalesced writes on one TCP socket (see transport.hpp).
#include "bgp/transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

namespace vipd::bgp {

namespace asio = boost::asio;

asio::ip::address to_asio(const Address& a)
{
    if (a.is_v4())
        return asio::ip::address_v4(a.v4_value());
    asio::ip::address_v6::bytes_type b;
    std::copy(a.bytes.begin(), a.bytes.end(), b.begin());
    return asio::ip::address_v6(b);
}

Address from_asio(asio::ip::address a)
{
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    if (a.is_v4())
        return Address::v4(a.to_v4().to_uint());
    return Address::v6(a.to_v6().to_bytes());
}

namespace {

std::string endpoint_text(const asio::ip::tcp::socket& s)
{
    boost::system::error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec)
        return "?";
    return ep.address().is_v6() ? fmt::format("[{}]:{}", ep.address().to_string(), ep.port())
                                : fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

} // namespace

Connection::Connection(asio::ip::tcp::socket socket, ConnectionId id, ConnectionHandler* handler)
    : socket_(std::move(socket)), id_(id), handler_(handler), remote_(endpoint_text(socket_))
{}

void Connection::start()
{
    asio::co_spawn(socket_.get_executor(), read_loop(shared_from_this()), asio::detached);
}

asio::awaitable<void> Connection::read_loop(std::shared_ptr<Connection> self)
{
    for (;;) {
        auto space = self->framer_.prepare();
        auto [ec, n] = co_await self->socket_.async_read_some(
            asio::buffer(space.data(), space.size()), asio::as_tuple(asio::use_awaitable));
        if (self->closed_)
            co_return;
        if (ec) {
            self->report_closed(ec == asio::error::eof ? "connection closed by peer"
                                                       : ec.message());
            co_return;
        }
        self->framer_.commit(n);
        for (;;) {
            auto next = self->framer_.next();
            if (self->closed_ || self->handler_ == nullptr)
                co_return;
            if (!next) {
                self->handler_->on_stream_error(self->id_, next.error());
                co_return;
            }
            if (!*next)
                break;
            self->handler_->on_message(self->id_, **next);
        }
    }
}

void Connection::send(ByteView bytes)
{
    if (closed_ || closing_)
        return;
    out_.insert(out_.end(), bytes.begin(), bytes.end());
    flush();
}

void Connection::flush()
{
    if (!writing_ && !out_.empty() && !closed_)
        start_write();
}

void Connection::start_write()
{
    writing_ = true;
    inflight_.swap(out_);
    asio::async_write(socket_, asio::buffer(inflight_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->writing_ = false;
                          self->inflight_.clear();
                          if (self->closed_)
                              return;
                          if (ec) {
                              self->report_closed(fmt::format("write failed: {}", ec.message()));
                              return;
                          }
                          if (!self->out_.empty()) {
                              self->start_write();
                              return;
                          }
                          if (self->closing_) {
                              self->close();
                              return;
                          }
                          if (self->handler_ != nullptr)
                              self->handler_->on_drained(self->id_);
                      });
}

void Connection::close_after_flush(std::chrono::milliseconds limit)
{
    handler_ = nullptr;
    if (closed_)
        return;
    closing_ = true;
    if (!writing_ && out_.empty()) {
        close();
        return;
    }
    flush();
    linger_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), limit);
    linger_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec)
            self->close();
    });
}

void Connection::close()
{
    handler_ = nullptr;
    if (closed_)
        return;
    closed_ = true;
    if (linger_)
        linger_->cancel();
    boost::system::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
}

void Connection::report_closed(const std::string& reason)
{
    ConnectionHandler* h = handler_;
    close();
    if (h != nullptr)
        h->on_closed(id_, reason);
}

} // namespace vipd::bgp
