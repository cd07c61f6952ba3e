// The daemon side of the control socket (docs/control-protocol.md): one call per validated
// request. ControlServer (control_server.hpp) owns the connections; the handler only answers.
// Must not: block the event loop while answering (reply later through Respond instead).
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace vipd::cli {

/// Called exactly once per request, possibly later (e.g. after an UPDATE was written), always
/// on the io_context thread; calling it inside handle() is fine. The server adds "id". Calls
/// after the client went away, and second calls, are ignored.
using Respond = std::function<void(nlohmann::json reply)>;

class ControlHandler
{
public:
    virtual ~ControlHandler() = default;
    /// `command` and `args` were validated by parse_request (control_protocol.hpp).
    /// The reply is the object sent back: {"ok": true, ...} or {"ok": false, "error": "..."}.
    virtual void handle(const std::string& command, const nlohmann::json& args,
                        Respond respond) = 0;
};

} // namespace vipd::cli
