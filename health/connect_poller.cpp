// ConnectPoller: one epoll instance for every bare connect in flight, one wake-up of the event
// loop per batch of completed connects.
#include "health/connect_poller.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <array>
#include <cerrno>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vipd::health {

namespace asio = boost::asio;
using boost::system::error_code;

asio::execution_context::id ConnectPoller::id;

ConnectPoller::ConnectPoller(asio::execution_context& context)
    : asio::execution_context::service(context)
{}

ConnectPoller::~ConnectPoller()
{
    shutdown();
}

void ConnectPoller::shutdown()
{
    waiters_.clear(); // handlers destroyed, never called (the io_context is going away)
    waiting_ = 0;
    watched_.reset(); // closes epoll_fd_
}

ConnectPoller& ConnectPoller::of(const asio::any_io_executor& executor)
{
    auto& poller =
        asio::use_service<ConnectPoller>(asio::query(executor, asio::execution::context));
    if (!poller.watched_) {
        const int fd = ::epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) {
            throw boost::system::system_error(error_code(errno, boost::system::system_category()),
                                              "epoll_create1");
        }
        poller.epoll_fd_ = fd;
        poller.watched_ = std::make_unique<asio::posix::stream_descriptor>(executor, fd);
    }
    return poller;
}

asio::awaitable<error_code> ConnectPoller::wait(int fd)
{
    auto token = asio::as_tuple(asio::use_awaitable);
    auto [ec] = co_await asio::async_initiate<decltype(token), void(error_code)>(
        [this, fd](auto handler) { start(fd, Handler(std::move(handler))); }, token);
    co_return ec;
}

void ConnectPoller::start(int fd, Handler handler)
{
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLONESHOT; // one report, then silent until closed
    ev.data.fd = fd;
    if (fd < 0 || ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        const error_code ec(fd < 0 ? EBADF : errno, boost::system::system_category());
        asio::post(watched_->get_executor(),
                   [h = std::move(handler), ec]() mutable { std::move(h)(ec); });
        return;
    }
    const auto index = static_cast<std::size_t>(fd);
    if (index >= waiters_.size()) {
        waiters_.resize(index + 1);
    }
    auto& waiter = waiters_[index];
    waiter.slot = asio::get_associated_cancellation_slot(handler);
    waiter.handler.swap(handler); // Boost 1.81's move assignment wraps instead of moving
    ++waiting_;
    if (waiter.slot.is_connected()) {
        waiter.slot.assign([this, fd](asio::cancellation_type) { cancel(fd); });
    }
    watch();
}

// The Monitor's timeout: stop watching `fd` and complete its wait with operation_aborted.
void ConnectPoller::cancel(int fd)
{
    auto& waiter = waiters_[static_cast<std::size_t>(fd)];
    if (!waiter.handler) {
        return;
    }
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    waiter.slot = {}; // we are inside its handler: not cleared here, replaced by the next op
    --waiting_;
    asio::post(watched_->get_executor(), [h = std::move(waiter.handler)]() mutable {
        std::move(h)(asio::error::operation_aborted);
    });
    waiter.handler = nullptr;
}

void ConnectPoller::watch()
{
    if (watching_ || waiting_ == 0) {
        return;
    }
    watching_ = true;
    watched_->async_wait(asio::posix::stream_descriptor::wait_read, [this](error_code ec) {
        watching_ = false;
        if (!ec) {
            harvest();
        }
    });
}

// Collect every completed connect (a full batch may be followed by more), then resume their
// probes: a resumed probe closes its socket and may start another wait.
void ConnectPoller::harvest()
{
    std::vector<std::pair<Handler, error_code>> done;
    std::array<epoll_event, 256> events{};
    int n = 0;
    do {
        n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 0);
        for (int i = 0; i < n; ++i) {
            const auto& ev = events[static_cast<std::size_t>(i)];
            auto& waiter = waiters_[static_cast<std::size_t>(ev.data.fd)];
            if (!waiter.handler) {
                continue;
            }
            error_code ec;
            if ((ev.events & (EPOLLERR | EPOLLHUP)) != 0) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(ev.data.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                ec = err != 0 ? error_code(err, boost::system::system_category())
                              : error_code(asio::error::connection_reset);
            }
            if (waiter.slot.is_connected()) {
                waiter.slot.clear();
            }
            waiter.slot = {};
            done.emplace_back(std::move(waiter.handler), ec);
            waiter.handler = nullptr;
            --waiting_;
        }
    } while (n == static_cast<int>(events.size()));
    watch();
    for (auto& [handler, ec] : done) {
        std::move(handler)(ec);
    }
}

} // namespace vipd::health
