// The default way to run a probe: its coroutine, spawned.
#include "health/check.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <utility>

#include <boost/asio/co_spawn.hpp>

namespace vipd::health {

void Check::start(const boost::asio::any_io_executor& executor, ProbeHandler handler)
{
    boost::asio::co_spawn(executor, probe(), std::move(handler));
}

} // namespace vipd::health
