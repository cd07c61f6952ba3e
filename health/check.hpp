// The one interface every health check kind implements (tcp, http/https, exec, file).
// A probe runs on the daemon's single io_context; it reports a down target as an Outcome and
// throws only on programmer errors. It applies no timeout: the Monitor bounds every probe,
// identically for all kinds, by cancelling it (per-operation cancellation, terminal).
#pragma once

#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "health/outcome.hpp"

namespace vipd::health {

class Check
{
public:
    virtual ~Check() = default;

    /// Probe the target once. Must react to terminal cancellation by returning or throwing
    /// promptly and releasing what it holds (sockets closed, processes killed and reaped).
    virtual boost::asio::awaitable<Outcome> probe() = 0;

    /// "tcp", "http", "https", "exec", "file".
    [[nodiscard]] virtual std::string_view kind() const = 0;
};

} // namespace vipd::health
