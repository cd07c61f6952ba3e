// Typed probe failure reasons (health/outcome.hpp, health/net.hpp): the metric label of each
// reason, and the reason of each I/O error the checks describe.
#include <boost/asio/error.hpp>
#include <catch2/catch.hpp>

#include "health/net.hpp"
#include "health/outcome.hpp"

using namespace vipd::health;
namespace asio = boost::asio;

TEST_CASE("Reason: one metric label each, the cause classes of the status page", "[health]")
{
    CHECK(to_string(Reason::none) == "none");
    CHECK(to_string(Reason::timeout) == "timeout");
    CHECK(to_string(Reason::refused) == "refused");
    CHECK(to_string(Reason::reset) == "reset");
    CHECK(to_string(Reason::unreachable) == "unreachable");
    CHECK(to_string(Reason::http_status) == "http_status");
    CHECK(to_string(Reason::body_mismatch) == "http_body");
    CHECK(to_string(Reason::tls) == "tls");
    CHECK(to_string(Reason::exit_status) == "exit");
    CHECK(to_string(Reason::haproxy) == "haproxy");
    CHECK(to_string(Reason::no_process) == "no_process");
    CHECK(to_string(Reason::process_exited) == "process_exited");
    CHECK(to_string(Reason::not_listening) == "not_listening");
    CHECK(to_string(Reason::maintenance) == "maintenance");
    CHECK(to_string(Reason::dns_rcode) == "dns_rcode");
    CHECK(to_string(Reason::dns_answer) == "dns_answer");
    CHECK(to_string(Reason::dns_mismatch) == "dns_mismatch");
    CHECK(to_string(Reason::dns_malformed) == "dns_malformed");
    CHECK(to_string(Reason::dns_truncated) == "dns_truncated");
    CHECK(to_string(Reason::other) == "other");
}

TEST_CASE("reason_of: I/O errors map onto reasons beside their text", "[health]")
{
    CHECK(reason_of(asio::error::connection_refused) == Reason::refused);
    CHECK(reason_of(asio::error::connection_reset) == Reason::reset);
    CHECK(reason_of(asio::error::eof) == Reason::reset);
    CHECK(reason_of(asio::error::broken_pipe) == Reason::reset);
    CHECK(reason_of(asio::error::host_unreachable) == Reason::unreachable);
    CHECK(reason_of(asio::error::network_unreachable) == Reason::unreachable);
    CHECK(reason_of(asio::error::timed_out) == Reason::timeout);
    CHECK(reason_of(asio::error::operation_aborted) == Reason::other);

    CHECK(failure(asio::error::connection_refused) == Failure{Reason::refused, "connect refused"});
    CHECK(failure(asio::error::broken_pipe, "send") == Failure{Reason::reset, "send: broken pipe"});
}

TEST_CASE("down: a down Outcome carrying the failure's reason and text", "[health]")
{
    const auto o = down({Reason::timeout, "timeout after 2 s"});
    CHECK(o == Outcome{Status::down, "timeout after 2 s", {}, Reason::timeout});
    CHECK_FALSE(o.up());
}

TEST_CASE("readable_duration: milliseconds below a second, else seconds to 0.1 s", "[health]")
{
    using namespace std::chrono_literals;
    CHECK(readable_duration(0ms) == "0 ms");
    CHECK(readable_duration(250ms) == "250 ms");
    CHECK(readable_duration(2000ms) == "2 s");
    CHECK(readable_duration(1500ms) == "1.5 s");
    CHECK(readable_duration(90000ms) == "90 s");
}
