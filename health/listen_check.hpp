// `listen` check: is a socket listening on ADDRESS:PORT (TCP; or a bound UDP socket), as the
// kernel's socket table says (sock_diag.hpp). No connection is made: nothing reaches the
// service's accept queue or logs, nothing is left in TIME_WAIT. Every listen check of the
// process shares one ListenTable: one dump per protocol serves all the checks probed within
// the same 10 ms tick (the Monitor's wake-up granularity), so N checks due together cost one
// dump, and a verdict is never older than a tick.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <tl/expected.hpp>

#include "health/check.hpp"
#include "health/sock_diag.hpp"

namespace vipd::health {

struct ListenCheckConfig
{
    std::string address;    ///< numeric IPv4/IPv6 address the socket serves (required)
    std::uint16_t port = 0; ///< required
    SocketProtocol protocol = SocketProtocol::tcp;
    bool operator==(const ListenCheckConfig&) const = default;
};

/// The listening sockets of the process, re-dumped when older than one tick. One per
/// process (shared()), on the event loop's thread only.
class ListenTable
{
public:
    using Clock = std::chrono::steady_clock;
    static constexpr auto tick = std::chrono::milliseconds{10};

    /// The table every listen check uses (created on first use, freed with its last check).
    [[nodiscard]] static std::shared_ptr<ListenTable> shared();

    /// Listening sockets of `protocol` from a dump taken at most one tick before `now`.
    [[nodiscard]] tl::expected<const std::vector<DiagSocket>*, std::string>
    listening(SocketProtocol protocol, Clock::time_point now);

    /// Dumps done so far (benchmarks and tests).
    [[nodiscard]] std::uint64_t dumps() const { return dumps_; }

private:
    struct Cached
    {
        Clock::time_point at;
        bool valid = false;
        tl::expected<std::vector<DiagSocket>, std::string> sockets;
    };
    SockDiag diag_;
    Cached tcp_;
    Cached udp_;
    std::uint64_t dumps_ = 0;
};

class ListenCheck final : public Check
{
public:
    /// Validates the address (numeric) and port (> 0).
    [[nodiscard]] static tl::expected<std::unique_ptr<ListenCheck>, std::string>
    make(ListenCheckConfig config);

    /// up "tcp 127.0.0.1:80 listening" | down not_listening "nothing listens on tcp
    /// 127.0.0.1:80" | down other "sock_diag: ..." (cannot tell: fail safe).
    boost::asio::awaitable<Outcome> probe() override;
    [[nodiscard]] std::string_view kind() const override { return "listen"; }

private:
    ListenCheck() = default;

    ListenCheckConfig config_;
    boost::asio::ip::address address_;
    std::string label_; ///< "tcp 127.0.0.1:80"
    std::shared_ptr<ListenTable> table_;
};

} // namespace vipd::health
