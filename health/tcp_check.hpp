// `tcp` check: connect to address:port (IPv4/IPv6), optionally send a payload and expect a
// substring back; optional source address. Closes with an RST; a bare connect check holds back
// the handshake's last ACK so the reset goes first (see net.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <boost/asio/ip/tcp.hpp>
#include <tl/expected.hpp>

#include "health/check.hpp"
#include "health/net.hpp"

namespace vipd::health {

struct TcpCheckConfig
{
    std::string address;          ///< numeric IPv4/IPv6 address of the service (required)
    std::uint16_t port = 0;       ///< required
    std::string send;             ///< bytes sent once connected; empty: send nothing
    std::string expect;           ///< substring the reply must contain; empty: connect is enough
    std::string source_address;   ///< local address to bind; empty: kernel's choice
    std::size_t max_reply = 4096; ///< reply bytes read at most while looking for `expect`
    bool operator==(const TcpCheckConfig&) const = default;
};

class TcpCheck final : public Check
{
public:
    /// Validates the config (numeric addresses, port, max_reply > 0 when expecting).
    [[nodiscard]] static tl::expected<std::unique_ptr<TcpCheck>, std::string>
    make(TcpCheckConfig config);

    boost::asio::awaitable<Outcome> probe() override;
    /// A bare connect (no send, no expect) runs without a coroutine; others as probe().
    void start(const boost::asio::any_io_executor& executor, ProbeHandler handler) override;
    [[nodiscard]] std::string_view kind() const override { return "tcp"; }

private:
    TcpCheck() = default;
    [[nodiscard]] bool bare() const { return config_.send.empty() && config_.expect.empty(); }
    [[nodiscard]] std::variant<Outcome, ResetFdOnExit> begin_connect() const;
    boost::asio::awaitable<Outcome> connect_only();

    TcpCheckConfig config_;
    boost::asio::ip::tcp::endpoint target_;
    std::optional<boost::asio::ip::address> source_;
};

} // namespace vipd::health
