// The one interface every health check kind implements (tcp, http/https, exec, file, process,
// listen). A probe runs on the daemon's single io_context; it reports a down target as an Outcome
// and throws only on programmer errors. It applies no timeout: the Monitor bounds every probe,
// identically for all kinds, by cancelling it (per-operation cancellation, terminal).
// Event-driven kinds (process) also report between probes what the kernel tells them at once.
#pragma once

#include <functional>
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

    /// "tcp", "http", "https", "exec", "file", "process", "listen".
    [[nodiscard]] virtual std::string_view kind() const = 0;

    /// Where an event-driven check reports a down target it learns of between probes (a
    /// watched process exited). Called on the event loop, never from inside probe().
    using Report = std::function<void(Outcome)>;

    /// The Monitor calls this once, before the first probe. A kind that learns of failures
    /// from the kernel keeps `report` and calls it in the same event-loop turn; the Monitor
    /// applies such an outcome at once (RiseFall::observe_gone: down whatever the fall count).
    /// Default: a polling kind, nothing to watch.
    virtual void watch(Report report) { (void)report; }
};

} // namespace vipd::health
