// HTTP(S) client and check. The only translation unit that includes Beast (its HTTP/1 parser,
// driven sans-I/O with put()); the socket and TLS I/O are plain Asio operations, so the
// monitor's per-operation cancellation reaches every wait.
#include "health/http_check.hpp"

// GCC 12 false positive on coroutine frames (GCC bug 109224).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <fmt/format.h>
#include <openssl/x509v3.h>

#include "health/base64.hpp"
#include "health/net.hpp"

namespace vipd::health {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::uint32_t header_limit = 16 * 1024; // response header bytes at most
constexpr std::size_t read_chunk = 4 * 1024;      // per read; the parser keeps no more

// Collects the status and at most `limit` body bytes; later body bytes are counted and dropped.
class ResponseReader final : public http::basic_parser<false>
{
public:
    explicit ResponseReader(std::size_t limit) : limit_(limit) {}

    unsigned status = 0;
    std::string body;
    bool truncated = false;

    [[nodiscard]] bool enough() const { return body.size() >= limit_; }

private:
    void on_request_impl(http::verb, boost::beast::string_view, boost::beast::string_view, int,
                         error_code&) override
    {}
    void on_response_impl(int code, boost::beast::string_view, int, error_code&) override
    {
        status = static_cast<unsigned>(code);
    }
    void on_field_impl(http::field, boost::beast::string_view, boost::beast::string_view,
                       error_code&) override
    {}
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
    std::size_t on_body_impl(boost::beast::string_view data, error_code&) override
    {
        const auto keep = std::min(data.size(), limit_ - body.size());
        body.append(data.data(), keep);
        truncated = truncated || keep < data.size();
        return data.size();
    }
    void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view data,
                                   error_code& ec) override
    {
        return on_body_impl(data, ec);
    }
    void on_finish_impl(error_code&) override {}

    std::size_t limit_;
};

bool is_token(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return c > 0x20 && c < 0x7f &&
               std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
    });
}

bool has_ctl(std::string_view s)
{
    return std::any_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == 0; });
}

// The name part of a Host header value ("example.com:8080" -> "example.com", "[::1]" -> "::1").
std::string host_name(std::string_view host)
{
    if (!host.empty() && host.front() == '[') {
        return std::string(host.substr(1, host.find(']') - 1));
    }
    return std::string(host.substr(0, host.find(':')));
}

tl::expected<std::string, std::string> build_request(const HttpTarget& t, std::uint16_t port,
                                                     const asio::ip::address& address)
{
    if (t.method != "GET" && t.method != "HEAD") {
        return tl::unexpected(fmt::format("method \"{}\" (want GET or HEAD)", t.method));
    }
    if (t.path.empty() || t.path.front() != '/' || has_ctl(t.path) ||
        t.path.find(' ') != std::string::npos) {
        return tl::unexpected(fmt::format("bad path \"{}\"", t.path));
    }
    std::string host = t.host;
    if (host.empty()) {
        host = address.is_v6() ? fmt::format("[{}]", address.to_string()) : address.to_string();
        if (port != (t.tls ? 443 : 80)) {
            host += fmt::format(":{}", port);
        }
    }
    if (has_ctl(host) || has_ctl(t.username) || has_ctl(t.password)) {
        return tl::unexpected(std::string("control character in host or credentials"));
    }
    std::string request = fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: vipd-health\r\n"
                                      "Accept: */*\r\nConnection: close\r\n",
                                      t.method, t.path, host);
    if (!t.username.empty()) {
        const auto credentials = base64_encode(t.username + ":" + t.password); // RFC 7617 §2
        request += fmt::format("Authorization: Basic {}\r\n", credentials);
    }
    for (const auto& h : t.headers) {
        if (!is_token(h.name) || has_ctl(h.value)) {
            return tl::unexpected(fmt::format("bad header \"{}\"", h.name));
        }
        request += fmt::format("{}: {}\r\n", h.name, h.value);
    }
    request += "\r\n";
    return request;
}

// The TLS context of an https target.
tl::expected<std::shared_ptr<asio::ssl::context>, std::string> make_tls(const HttpTarget& t)
{
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    error_code ec;
    if (t.verify_tls) {
        if (!t.ca_file.empty()) {
            ctx->load_verify_file(t.ca_file, ec);
        } else {
            ctx->set_default_verify_paths(ec);
        }
        if (ec) {
            return tl::unexpected(fmt::format("CA file \"{}\": {}", t.ca_file, ec.message()));
        }
    }
    ctx->set_verify_mode(t.verify_tls ? asio::ssl::verify_peer : asio::ssl::verify_none);
    return ctx;
}

// Writes the request and reads the response from a connected (and handshaken) stream.
template <class Stream>
asio::awaitable<tl::expected<HttpResponse, Failure>> exchange(Stream& stream,
                                                              const std::string& request, bool head,
                                                              bool read_body, std::size_t max_body)
{
    auto [wec, written] = co_await asio::async_write(stream, asio::buffer(request),
                                                     asio::as_tuple(asio::use_awaitable));
    if (wec) {
        co_return tl::unexpected(failure(wec, "send"));
    }
    ResponseReader reader(max_body);
    reader.header_limit(header_limit);
    reader.body_limit(boost::none);
    reader.eager(true);
    reader.skip(head);
    std::string pending;
    std::string chunk(read_chunk, '\0');
    std::size_t received = 0;
    while (true) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk),
                                                       asio::as_tuple(asio::use_awaitable));
        received += n;
        pending.append(chunk.data(), n);
        while (!pending.empty() && !reader.is_done()) {
            error_code pec;
            const auto used = reader.put(asio::buffer(pending), pec);
            pending.erase(0, used);
            if (pec == http::error::need_more) {
                break;
            }
            if (pec) {
                co_return tl::unexpected(
                    Failure{Reason::other, fmt::format("bad HTTP response: {}", pec.message())});
            }
            if (used == 0) {
                break;
            }
        }
        const bool header_done = reader.is_header_done();
        if (reader.is_done() || (header_done && (!read_body || reader.enough()))) {
            const bool cut = reader.truncated || (!reader.is_done() && reader.enough());
            co_return HttpResponse{reader.status, std::move(reader.body), cut};
        }
        if (ec) {
            const bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
            if (eof && header_done) {
                error_code pec;
                reader.put_eof(pec);
                if (!pec) {
                    co_return HttpResponse{reader.status, std::move(reader.body), false};
                }
            }
            if (eof && received == 0) {
                co_return tl::unexpected(
                    Failure{Reason::reset, "connection closed before response"});
            }
            if (eof) {
                co_return tl::unexpected(Failure{
                    Reason::reset,
                    fmt::format("connection closed mid-response after {} bytes", received)});
            }
            co_return tl::unexpected(failure(ec));
        }
    }
}

} // namespace

tl::expected<HttpClient, std::string> HttpClient::make(HttpTarget target)
{
    const std::uint16_t port = target.port != 0 ? target.port : (target.tls ? 443 : 80);
    auto endpoint = parse_endpoint(target.address, port);
    if (!endpoint) {
        return tl::unexpected(endpoint.error());
    }
    HttpClient client;
    if (!target.source_address.empty()) {
        auto source = parse_address(target.source_address, "source address");
        if (!source) {
            return tl::unexpected(source.error());
        }
        client.source_ = *source;
    }
    auto request = build_request(target, port, endpoint->address());
    if (!request) {
        return tl::unexpected(request.error());
    }
    if (target.tls) {
        auto tls = make_tls(target);
        if (!tls) {
            return tl::unexpected(tls.error());
        }
        client.tls_ = std::move(*tls);
        client.verify_name_ = !target.sni.empty()    ? target.sni
                              : !target.host.empty() ? host_name(target.host)
                                                     : target.address;
    }
    client.endpoint_ = *endpoint;
    client.request_ = std::move(*request);
    client.target_ = std::move(target);
    return client;
}

asio::awaitable<tl::expected<HttpResponse, Failure>> HttpClient::fetch(bool read_body,
                                                                       std::size_t max_body) const
{
    const bool head = target_.method == "HEAD";
    auto executor = co_await asio::this_coro::executor;
    if (!tls_) {
        tcp::socket socket(executor);
        ResetOnExit reset(socket);
        if (auto ec = open_socket(socket, endpoint_, source_)) {
            co_return tl::unexpected(failure(ec, "socket"));
        }
        auto [ec] = co_await socket.async_connect(endpoint_, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return tl::unexpected(failure(ec));
        }
        co_return co_await exchange(socket, request_, head, read_body, max_body);
    }
    asio::ssl::stream<tcp::socket> stream(executor, *tls_);
    ResetOnExit reset(stream.next_layer());
    if (auto ec = open_socket(stream.next_layer(), endpoint_, source_)) {
        co_return tl::unexpected(failure(ec, "socket"));
    }
    error_code not_ip;
    asio::ip::make_address(verify_name_, not_ip);
    const bool name_is_ip = !not_ip;
    if (!name_is_ip && !verify_name_.empty()) {
        SSL_set_tlsext_host_name(stream.native_handle(), verify_name_.c_str());
    }
    if (target_.verify_tls) {
        X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (name_is_ip) {
            X509_VERIFY_PARAM_set1_ip_asc(param, verify_name_.c_str());
        } else {
            X509_VERIFY_PARAM_set1_host(param, verify_name_.c_str(), 0);
        }
    }
    auto [ec] =
        co_await stream.next_layer().async_connect(endpoint_, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        co_return tl::unexpected(failure(ec));
    }
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client,
                                                 asio::as_tuple(asio::use_awaitable));
    if (hec) {
        co_return tl::unexpected(
            Failure{Reason::tls, fmt::format("TLS handshake: {}", hec.message())});
    }
    co_return co_await exchange(stream, request_, head, read_body, max_body);
}

tl::expected<std::unique_ptr<HttpCheck>, std::string> HttpCheck::make(HttpCheckConfig config)
{
    auto client = HttpClient::make(std::move(config.target));
    if (!client) {
        return tl::unexpected(client.error());
    }
    auto matcher = ResponseMatcher::make(std::move(config.expect));
    if (!matcher) {
        return tl::unexpected(matcher.error());
    }
    if (matcher->needs_body() && config.max_body == 0) {
        return tl::unexpected(std::string("max_body 0 with a body check"));
    }
    return std::unique_ptr<HttpCheck>(
        new HttpCheck(std::move(*client), std::move(*matcher), config.max_body));
}

std::string_view HttpCheck::kind() const
{
    return client_.target().tls ? "https" : "http";
}

asio::awaitable<Outcome> HttpCheck::probe()
{
    auto response = co_await client_.fetch(matcher_.needs_body(), max_body_);
    if (!response) {
        co_return down(std::move(response.error()));
    }
    auto result = matcher_.match(response->status, response->body, response->truncated);
    co_return Outcome{
        result.ok ? Status::up : Status::down, std::move(result.detail), {}, result.reason};
}

} // namespace vipd::health
