// Listen check and the shared table of listening sockets.
#include "health/listen_check.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <algorithm>

#include <fmt/format.h>

#include "health/net.hpp"

namespace vipd::health {

std::shared_ptr<ListenTable> ListenTable::shared()
{
    // One event-loop thread: a plain static weak reference is enough.
    static std::weak_ptr<ListenTable> one;
    auto table = one.lock();
    if (!table) {
        table = std::make_shared<ListenTable>();
        one = table;
    }
    return table;
}

tl::expected<const std::vector<DiagSocket>*, std::string>
ListenTable::listening(SocketProtocol protocol, Clock::time_point now)
{
    auto& cached = protocol == SocketProtocol::tcp ? tcp_ : udp_;
    if (!cached.valid || now - cached.at >= tick || now < cached.at) {
        cached.sockets = diag_.listening(protocol);
        cached.at = now;
        cached.valid = true;
        ++dumps_;
    }
    if (!cached.sockets)
        return tl::unexpected(cached.sockets.error());
    return &*cached.sockets;
}

tl::expected<std::unique_ptr<ListenCheck>, std::string> ListenCheck::make(ListenCheckConfig config)
{
    auto address = parse_address(config.address, "address");
    if (!address)
        return tl::unexpected(address.error());
    if (config.port == 0)
        return tl::unexpected(std::string("port must be 1..65535"));
    std::unique_ptr<ListenCheck> check(new ListenCheck());
    check->address_ = *address;
    const auto host =
        address->is_v6() ? fmt::format("[{}]", address->to_string()) : address->to_string();
    check->label_ = fmt::format("{} {}:{}", config.protocol == SocketProtocol::tcp ? "tcp" : "udp",
                                host, config.port);
    check->config_ = std::move(config);
    check->table_ = ListenTable::shared();
    return check;
}

boost::asio::awaitable<Outcome> ListenCheck::probe()
{
    const auto sockets = table_->listening(config_.protocol, ListenTable::Clock::now());
    if (!sockets)
        co_return down({Reason::other, sockets.error()});
    const bool found = std::any_of((*sockets)->begin(), (*sockets)->end(), [&](const auto& s) {
        return serves(s, address_, config_.port);
    });
    if (!found)
        co_return down({Reason::not_listening, fmt::format("nothing listens on {}", label_)});
    co_return Outcome{Status::up, fmt::format("{} listening", label_), {}};
}

} // namespace vipd::health
