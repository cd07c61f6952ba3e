// Real loopback test peers for the health tests: a TCP listener, an HTTP server with scripted
// misbehaviours (plain or TLS), child processes stopped by PID, and helpers to drive one
// io_context until a condition holds (bounded). Everything binds 127.0.0.1 port 0.
#pragma once

// GCC 12 false positive on coroutine frames (GCC bug 109224), for the tests' coroutines.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "health/check.hpp"

extern char** environ;

namespace vipd::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

/// Run `io` until `done()` or `limit` passes; returns done(). A bound for failures, not a timing
/// assertion.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = 10s)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        if (io.stopped()) {
            io.restart();
        }
        io.run_for(5ms);
    }
    return true;
}

/// Run `io` for `span` (lets asynchronous clean-up happen).
inline void run_for(asio::io_context& io, std::chrono::milliseconds span)
{
    const auto deadline = std::chrono::steady_clock::now() + span;
    while (std::chrono::steady_clock::now() < deadline) {
        if (io.stopped()) {
            io.restart();
        }
        io.run_for(5ms);
    }
}

/// One probe of `check`, driven to completion on `io`.
inline health::Outcome run_probe(asio::io_context& io, health::Check& check)
{
    std::optional<health::Outcome> result;
    std::exception_ptr error;
    asio::co_spawn(io, check.probe(), [&](std::exception_ptr ep, health::Outcome o) {
        error = ep;
        result = std::move(o);
    });
    if (!run_until(
            io, [&] { return result.has_value(); }, 30s)) {
        throw std::runtime_error("probe did not complete");
    }
    if (error) {
        std::rethrow_exception(error);
    }
    return *result;
}

/// A loopback port nobody listens on (bound then released).
inline std::uint16_t closed_port()
{
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

/// Accepts connections; optionally writes `banner` to each; holds them until the peer closes.
class TcpListener
{
public:
    TcpListener(asio::io_context& io, std::string banner = {}, std::uint16_t port = 0)
        : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)),
          banner_(std::move(banner))
    {
        asio::co_spawn(io, accept_loop(), asio::detached);
    }
    ~TcpListener() { stop(); }
    std::uint16_t port() const { return port_; }
    std::size_t accepted() const { return *accepted_; }
    void stop()
    {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    }

private:
    asio::awaitable<void> accept_loop()
    {
        auto accepted = accepted_;
        while (true) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                co_return;
            }
            ++*accepted;
            asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket), banner_),
                           asio::detached);
        }
    }
    static asio::awaitable<void> serve(tcp::socket socket, std::string banner)
    {
        if (!banner.empty()) {
            co_await asio::async_write(socket, asio::buffer(banner),
                                       asio::as_tuple(asio::use_awaitable));
        }
        char buf[256];
        while (true) {
            auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf),
                                                           asio::as_tuple(asio::use_awaitable));
            if (ec) {
                co_return;
            }
        }
    }

    tcp::acceptor acceptor_;
    std::uint16_t port_ = acceptor_.local_endpoint().port();
    std::string banner_;
    std::shared_ptr<std::size_t> accepted_ = std::make_shared<std::size_t>(0);
};

/// What the test HTTP server does after reading a request.
enum class Behaviour { ok, unavailable, hang, huge_body, close_mid_response, garbage };

/// Self-signed certificate for CN=localhost, SAN DNS:localhost and IP:127.0.0.1 (P-256).
struct SelfSigned
{
    std::string cert_pem;
    std::string key_pem;
};

inline SelfSigned make_self_signed()
{
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* san =
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
    X509_sign(cert, key, EVP_sha256());
    SelfSigned out;
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    auto len = BIO_get_mem_data(bio, &data);
    out.cert_pem.assign(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    len = BIO_get_mem_data(bio, &data);
    out.key_pem.assign(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
}

/// HTTP/1.1 server on 127.0.0.1 answering every request per `behaviour` (optionally over TLS).
class HttpServer
{
public:
    static constexpr std::size_t huge_size = 100 * 1024 * 1024;

    HttpServer(asio::io_context& io, Behaviour behaviour, std::uint16_t port = 0,
               const SelfSigned* tls = nullptr)
        : acceptor_(io), behaviour_(behaviour)
    {
        tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        if (tls != nullptr) {
            tls_ = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
            tls_->use_certificate_chain(asio::buffer(tls->cert_pem));
            tls_->use_private_key(asio::buffer(tls->key_pem), asio::ssl::context::pem);
        }
        asio::co_spawn(io, accept_loop(acceptor_, behaviour_, state_, tls_), asio::detached);
    }
    ~HttpServer() { stop(); }
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    std::uint16_t port() const { return port_; }
    std::size_t requests() const { return state_->requests; }
    std::size_t body_bytes_sent() const { return state_->body_bytes_sent; }
    const std::string& last_request() const { return state_->last_request; }
    /// Close the listener and every open connection.
    void stop()
    {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        for (auto& weak : state_->sockets) {
            if (auto s = weak.lock()) {
                s->close(ignored);
            }
        }
        state_->sockets.clear();
    }

private:
    struct State
    {
        std::size_t requests = 0;
        std::size_t body_bytes_sent = 0;
        std::string last_request;
        std::list<std::weak_ptr<tcp::socket>> sockets;
    };

    static asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Behaviour behaviour,
                                             std::shared_ptr<State> state,
                                             std::shared_ptr<asio::ssl::context> tls)
    {
        while (true) {
            auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                co_return;
            }
            auto shared = std::make_shared<tcp::socket>(std::move(socket));
            state->sockets.push_back(shared);
            if (tls) {
                asio::co_spawn(acceptor.get_executor(), serve_tls(shared, behaviour, state, tls),
                               asio::detached);
            } else {
                asio::co_spawn(acceptor.get_executor(), serve(*shared, shared, behaviour, state),
                               asio::detached);
            }
        }
    }

    static asio::awaitable<void> serve_tls(std::shared_ptr<tcp::socket> socket, Behaviour b,
                                           std::shared_ptr<State> state,
                                           std::shared_ptr<asio::ssl::context> tls)
    {
        asio::ssl::stream<tcp::socket&> stream(*socket, *tls);
        auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                    asio::as_tuple(asio::use_awaitable));
        if (!ec) {
            co_await serve(stream, socket, b, state);
        }
    }

    template <class Stream>
    static asio::awaitable<void> serve(Stream& stream, std::shared_ptr<tcp::socket> keep,
                                       Behaviour behaviour, std::shared_ptr<State> state)
    {
        std::string request;
        char buf[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
            auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf),
                                                           asio::as_tuple(asio::use_awaitable));
            if (ec) {
                co_return;
            }
            request.append(buf, n);
        }
        ++state->requests;
        state->last_request = request;
        std::string reply;
        switch (behaviour) {
        case Behaviour::ok:
            reply = "HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: close\r\n\r\n"
                    "{\"status\":\"ok\"}";
            break;
        case Behaviour::unavailable:
            reply = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
            break;
        case Behaviour::hang: {
            asio::steady_timer never(stream.get_executor(), 1h);
            co_await never.async_wait(asio::as_tuple(asio::use_awaitable));
            co_return;
        }
        case Behaviour::huge_body:
            co_await send_huge(stream, *state);
            co_return;
        case Behaviour::close_mid_response:
            reply = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly ten b";
            break;
        case Behaviour::garbage:
            reply = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
            break;
        }
        co_await asio::async_write(stream, asio::buffer(reply),
                                   asio::as_tuple(asio::use_awaitable));
        if (behaviour == Behaviour::ok || behaviour == Behaviour::unavailable) {
            // Let the client close first (as a real server would after Connection: close).
            co_await stream.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        }
        boost::system::error_code ignored;
        keep->close(ignored);
    }

    template <class Stream> static asio::awaitable<void> send_huge(Stream& stream, State& state)
    {
        const std::string header =
            "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(huge_size) + "\r\n\r\n";
        auto [hec, hn] = co_await asio::async_write(stream, asio::buffer(header),
                                                    asio::as_tuple(asio::use_awaitable));
        const std::string block(64 * 1024, 'x');
        while (!hec && state.body_bytes_sent < huge_size) {
            auto [ec, n] = co_await asio::async_write(stream, asio::buffer(block),
                                                      asio::as_tuple(asio::use_awaitable));
            state.body_bytes_sent += n;
            if (ec) {
                co_return;
            }
        }
    }

    tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    Behaviour behaviour_;
    std::shared_ptr<State> state_ = std::make_shared<State>();
    std::shared_ptr<asio::ssl::context> tls_;
};

/// A child process started with posix_spawnp, stdout/stderr to `log`, stopped by its PID
/// (SIGTERM, bounded wait, then SIGKILL) and always reaped.
class Process
{
public:
    Process(const std::vector<std::string>& argv, const std::filesystem::path& log)
    {
        std::vector<char*> args;
        for (const auto& a : argv) {
            args.push_back(const_cast<char*>(a.c_str()));
        }
        args.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        posix_spawn_file_actions_addclosefrom_np(&actions, 3); // no inherited test sockets
        const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            throw std::runtime_error("cannot start " + argv[0]);
        }
    }
    ~Process() { stop(); }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    /// True while the process runs (reaps it if it exited).
    bool running()
    {
        if (pid_ <= 0) {
            return false;
        }
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        return true;
    }
    void stop()
    {
        if (pid_ <= 0) {
            return;
        }
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 300; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            ::usleep(10'000);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
};

/// A fresh directory under the build tree, removed at scope exit.
class TempDir
{
public:
    explicit TempDir(const std::string& tag)
    {
        auto base = std::filesystem::path(VIPD_BINARY_DIR) / "test-tmp";
        std::filesystem::create_directories(base);
        std::string tmpl = (base / (tag + "-XXXXXX")).string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw std::runtime_error("mkdtemp " + tmpl);
        }
        path_ = tmpl;
    }
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

} // namespace vipd::test

namespace Catch {
template <> struct StringMaker<vipd::health::Outcome>
{
    static std::string convert(const vipd::health::Outcome& o)
    {
        return "{" + std::string(vipd::health::to_string(o.status)) + ", \"" + o.detail + "\"}";
    }
};
} // namespace Catch
