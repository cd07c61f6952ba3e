// The one interface every health check kind implements (tcp, http/https, exec, file, process,
// listen). A probe runs on the daemon's single io_context; it reports a down target as an Outcome
// and throws only on programmer errors. It applies no timeout: the Monitor bounds every probe,
// identically for all kinds, by cancelling it (per-operation cancellation, terminal).
// Event-driven kinds (process) also report between probes what the kernel tells them at once.
#pragma once

#include <exception>
#include <functional>
#include <string_view>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
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

    /// How the Monitor runs a probe: `handler` gets its outcome (or the exception of a bug) on
    /// the event loop, never from inside start(); the handler's cancellation slot cancels it
    /// (terminal), as for probe(). Default: probe() in a coroutine of its own (co_spawn). A kind
    /// whose probe is a single kernel wait (a bare TCP connect) overrides it to run without a
    /// coroutine: at thousands of probes a second the coroutine's frames, spawn and resumptions
    /// cost more CPU than the connect itself.
    using ProbeHandler = boost::asio::any_completion_handler<void(std::exception_ptr, Outcome)>;
    virtual void start(const boost::asio::any_io_executor& executor, ProbeHandler handler);

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
