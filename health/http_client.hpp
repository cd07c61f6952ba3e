// Minimal HTTP/1.1 client for health checks and the HAProxy stats page: one request per
// connection ("Connection: close"), optional TLS (OpenSSL, verification on by default), a
// bounded read (header, then at most max_body body bytes), RST close (see net.hpp).
// Numeric target address only; Host and SNI may name anything. Beast is used for parsing only,
// in http_check.cpp, the one translation unit that includes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <tl/expected.hpp>

#include "health/outcome.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vipd::health {

struct HttpHeader
{
    std::string name;
    std::string value;
    bool operator==(const HttpHeader&) const = default;
};

/// Where and how to send the request.
struct HttpTarget
{
    std::string address;        ///< numeric IPv4/IPv6 address to connect to (required)
    std::uint16_t port = 0;     ///< 0: 80, or 443 with tls
    bool tls = false;           ///< https
    std::string method = "GET"; ///< GET or HEAD
    std::string path = "/";     ///< request target, starts with '/'
    std::string host;           ///< Host header; empty: address[:port]
    std::string sni;            ///< TLS server name sent and verified; empty: host's name
    std::vector<HttpHeader> headers;
    std::string username; ///< basic auth when non-empty
    std::string password;
    bool verify_tls = true;     ///< false only for self-signed local services
    std::string ca_file;        ///< PEM CA bundle; empty: the system store
    std::string source_address; ///< local address to bind; empty: kernel's choice
    bool operator==(const HttpTarget&) const = default;
};

struct HttpResponse
{
    unsigned status = 0;
    std::string body;       ///< first bytes of the body (empty when not read)
    bool truncated = false; ///< more body followed than was read
};

class HttpClient
{
public:
    /// Validates the target (addresses, method, path, header syntax) and loads TLS settings.
    [[nodiscard]] static tl::expected<HttpClient, std::string> make(HttpTarget target);

    /// One request. Errors are typed causes: "connect refused", "TLS handshake: certificate verify
    /// failed", "connection closed mid-response", "bad HTTP response: bad version".
    /// read_body = false stops after the header.
    boost::asio::awaitable<tl::expected<HttpResponse, Failure>> fetch(bool read_body,
                                                                      std::size_t max_body) const;

    [[nodiscard]] const HttpTarget& target() const { return target_; }

private:
    HttpTarget target_;
    boost::asio::ip::tcp::endpoint endpoint_;
    std::optional<boost::asio::ip::address> source_;
    std::string request_;
    std::string verify_name_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
};

} // namespace vipd::health
