// Bare TCP connects (the `tcp` check without send/expect) waited for together: one epoll
// instance of our own, watched by the event loop as a single readable descriptor. A probe then
// costs the system calls the kernel needs (socket, connect, epoll_ctl ADD, setsockopt SO_LINGER,
// close) and no more: Asio's async_connect adds ioctl(FIONBIO), an epoll_ctl MOD, poll(2) and
// getsockopt(SO_ERROR) per connect, and each system call is dear on virtual machines (a third of
// a probe's CPU in bench/health_checks.sh). SO_ERROR is read only when the kernel reports an
// error. One poller per io_context (an Asio service); on its thread only. Knows nothing of
// checks, verdicts or timeouts: cancellation (the Monitor's timeout) completes a wait with
// operation_aborted.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>

namespace vipd::health {

class ConnectPoller final : public boost::asio::execution_context::service
{
public:
    using key_type = ConnectPoller;
    static boost::asio::execution_context::id id;

    explicit ConnectPoller(boost::asio::execution_context& context);
    ~ConnectPoller() override;

    /// The poller of `executor`'s io_context (created on first use).
    [[nodiscard]] static ConnectPoller& of(const boost::asio::any_io_executor& executor);

    /// Wait until the non-blocking socket `fd`, whose connect(2) returned EINPROGRESS, is
    /// connected (no error) or failed (its SO_ERROR: connection_refused...). Cancellable
    /// (operation_aborted). `fd` stays the caller's to close, after the wait completed.
    [[nodiscard]] boost::asio::awaitable<boost::system::error_code> wait(int fd);

    /// The same wait without a coroutine: `handler` is called on the event loop, never from
    /// inside start(); its cancellation slot (if connected) cancels the wait.
    using Handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
    void start(int fd, Handler handler);

private:
    struct Waiter
    {
        Handler handler;
        boost::asio::cancellation_slot slot;
    };

    void shutdown() override;
    void cancel(int fd);
    void watch();
    void harvest();

    int epoll_fd_ = -1;
    std::unique_ptr<boost::asio::posix::stream_descriptor> watched_; // epoll_fd_, in the loop
    bool watching_ = false;
    std::size_t waiting_ = 0;
    std::vector<Waiter> waiters_; // indexed by fd
};

} // namespace vipd::health
