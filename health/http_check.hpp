// `http` / `https` check: one request through HttpClient, then the pure ResponseMatcher
// (status list/ranges, default 200-299; optional body substring or regex on a bounded prefix).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "health/check.hpp"
#include "health/http_client.hpp"
#include "health/http_match.hpp"

namespace vipd::health {

struct HttpCheckConfig
{
    HttpTarget target;
    ResponseExpect expect;            ///< default: status 200-299, no body check
    std::size_t max_body = 64 * 1024; ///< body bytes read at most, only when a body check is set
    bool operator==(const HttpCheckConfig&) const = default;
};

class HttpCheck final : public Check
{
public:
    [[nodiscard]] static tl::expected<std::unique_ptr<HttpCheck>, std::string>
    make(HttpCheckConfig config);

    boost::asio::awaitable<Outcome> probe() override;
    [[nodiscard]] std::string_view kind() const override;

private:
    HttpCheck(HttpClient client, ResponseMatcher matcher, std::size_t max_body)
        : client_(std::move(client)), matcher_(std::move(matcher)), max_body_(max_body)
    {}

    HttpClient client_;
    ResponseMatcher matcher_;
    std::size_t max_body_;
};

} // namespace vipd::health
