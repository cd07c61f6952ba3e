// Validation of check configuration and construction of probes.
#include "health/check_spec.hpp"

namespace vipd::health {

namespace {

template <class T>
tl::expected<std::unique_ptr<Check>, std::string>
upcast(tl::expected<std::unique_ptr<T>, std::string> made)
{
    if (!made) {
        return tl::unexpected(std::move(made.error()));
    }
    return std::unique_ptr<Check>(std::move(*made));
}

struct Maker
{
    tl::expected<std::unique_ptr<Check>, std::string> operator()(const TcpCheckConfig& c) const
    {
        return upcast(TcpCheck::make(c));
    }
    tl::expected<std::unique_ptr<Check>, std::string> operator()(const HttpCheckConfig& c) const
    {
        return upcast(HttpCheck::make(c));
    }
    tl::expected<std::unique_ptr<Check>, std::string> operator()(const ExecCheckConfig& c) const
    {
        return upcast(ExecCheck::make(c));
    }
    tl::expected<std::unique_ptr<Check>, std::string> operator()(const FileCheckConfig& c) const
    {
        return upcast(FileCheck::make(c));
    }
    tl::expected<std::unique_ptr<Check>, std::string> operator()(const DnsCheckConfig& c) const
    {
        return upcast(DnsCheck::make(c));
    }
    tl::expected<std::unique_ptr<Check>, std::string> operator()(const ProcessCheckConfig& c) const
    {
        return upcast(ProcessCheck::make(c));
    }
    tl::expected<std::unique_ptr<Check>, std::string> operator()(const ListenCheckConfig& c) const
    {
        return upcast(ListenCheck::make(c));
    }
    tl::expected<std::unique_ptr<Check>, std::string> operator()(const HaproxyRefConfig&) const
    {
        return tl::unexpected(std::string("a HAProxy reference is evaluated by its instance"));
    }
};

} // namespace

tl::expected<void, std::string> validate(const CheckTiming& t)
{
    if (t.interval.count() <= 0 || t.fast_interval.count() <= 0 || t.timeout.count() <= 0) {
        return tl::unexpected(std::string("interval, fast_interval and timeout must be > 0"));
    }
    if (t.jitter && t.jitter->count() < 0) {
        return tl::unexpected(std::string("negative jitter"));
    }
    if (t.rise == 0 || t.fall == 0) {
        return tl::unexpected(std::string("rise and fall must be >= 1"));
    }
    return {};
}

tl::expected<std::unique_ptr<Check>, std::string> make_check(const ProbeConfig& config)
{
    return std::visit(Maker{}, config);
}

std::string_view kind_of(const ProbeConfig& config)
{
    using K = std::string_view;
    return std::visit(
        Overloaded{[](const TcpCheckConfig&) -> K { return "tcp"; },
                   [](const HttpCheckConfig& c) -> K { return c.target.tls ? "https" : "http"; },
                   [](const ExecCheckConfig&) -> K { return "exec"; },
                   [](const FileCheckConfig&) -> K { return "file"; },
                   [](const HaproxyRefConfig&) -> K { return "haproxy"; },
                   [](const DnsCheckConfig&) -> K { return "dns"; },
                   [](const ProcessCheckConfig&) -> K { return "process"; },
                   [](const ListenCheckConfig&) -> K { return "listen"; }},
        config);
}

} // namespace vipd::health
