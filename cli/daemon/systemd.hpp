// systemd service notification without libsystemd: READY=1, STOPPING=1, STATUS=… and the
// watchdog keep-alive, sent as datagrams to $NOTIFY_SOCKET (sd_notify(3) protocol; abstract
// sockets start with '@'). Does nothing when not started by systemd.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace vipd::cli {

/// Send one notification ("READY=1", "WATCHDOG=1", "STATUS=text"). Returns false (and does
/// nothing) when $NOTIFY_SOCKET is not set or the send fails.
bool sd_notify(std::string_view state);

/// The watchdog interval from $WATCHDOG_USEC (honouring $WATCHDOG_PID), if enabled.
[[nodiscard]] std::optional<std::chrono::microseconds> sd_watchdog_interval();

} // namespace vipd::cli
