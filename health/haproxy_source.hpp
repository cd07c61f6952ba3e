// Reading HAProxy's own view of its proxies: `show stat` over a stats socket (unix or TCP), or the
// stats page in CSV form (";csv", optional basic auth, optional TLS) through HttpClient.
// One poll per HAProxy instance serves every b:/f:/s: reference to it (see Monitor).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <tl/expected.hpp>

#include "health/haproxy_stats.hpp"
#include "health/http_client.hpp"

namespace vipd::health {

enum class HaproxyTransport { unix_socket, tcp_socket, stats_page };

/// One HAProxy instance, polled once per interval.
struct HaproxyInstanceConfig
{
    std::string name; ///< referenced by HaproxyRefConfig
    HaproxyTransport transport = HaproxyTransport::unix_socket;
    std::string socket_path;                  ///< unix_socket: `stats socket PATH`
    std::string address;                      ///< tcp_socket: `stats socket ipv4@A:P`
    std::uint16_t port = 0;                   ///< tcp_socket
    HttpTarget page;                          ///< stats_page: path ends with ";csv"
    std::chrono::milliseconds interval{2000}; ///< poll period
    std::chrono::milliseconds timeout{1000};  ///< per poll
    std::chrono::milliseconds jitter{0};      ///< first poll delay in [0, jitter)
    std::size_t max_bytes = 4 * 1024 * 1024;  ///< stats text read at most
    bool operator==(const HaproxyInstanceConfig&) const = default;
};

class HaproxySource
{
public:
    /// Validates the transport settings (absolute socket path, numeric address, page target).
    [[nodiscard]] static tl::expected<HaproxySource, std::string>
    make(HaproxyInstanceConfig config);

    /// Fetch and parse the stats. Errors are causes: "connect refused", "HTTP 401",
    /// "stats larger than 4194304 bytes", parser errors.
    boost::asio::awaitable<tl::expected<StatTable, std::string>> poll() const;

    [[nodiscard]] const HaproxyInstanceConfig& config() const { return config_; }

private:
    explicit HaproxySource(HaproxyInstanceConfig config, std::optional<HttpClient> page)
        : config_(std::move(config)), page_(std::move(page))
    {}

    HaproxyInstanceConfig config_;
    std::optional<HttpClient> page_;
};

/// Send one command line (e.g. "show stat", "set server be/srv state maint") to the stats
/// socket of `config` (unix_socket or tcp_socket) and return the whole reply, read until HAProxy
/// closes the connection (non-interactive mode), at most config.max_bytes.
boost::asio::awaitable<tl::expected<std::string, std::string>>
haproxy_command(HaproxyInstanceConfig config, std::string command);

} // namespace vipd::health
