// Speaker: neighbors, listeners, the Loc-RIB, coalesced flushes and shutdown (see speaker.hpp).
#include "bgp/speaker.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "bgp/session.hpp"
#include "bgp/socket_options.hpp"

namespace vipd::bgp {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Speaker::Listener
{
    explicit Listener(asio::io_context& io) : acceptor(io) {}
    tcp::acceptor acceptor;
    Address address;
    std::uint16_t port = 0;
};

namespace {

/// Between the last BGP session closed and BFD AdminDown on shutdown.
constexpr std::chrono::milliseconds bfd_admin_down_delay{200};

bool config_strict(const NeighborConfig& c)
{
    return c.bfd.enabled && c.bfd.strict;
}

/// Fields whose change needs a new session (everything but export, local limits and the
/// idle-hold back-off, which applies from the next wait).
bool same_session(NeighborConfig a, NeighborConfig b)
{
    a.export_policy = b.export_policy = {};
    a.idle_hold_time = b.idle_hold_time = {};
    a.max_idle_hold_time = b.max_idle_hold_time = {};
    a.max_prefixes = b.max_prefixes = 0;
    a.adj_rib_in_limit = b.adj_rib_in_limit = 0;
    // BFD settings change the BFD session only; strict mode decides when BGP may start.
    const bool strict = config_strict(a) == config_strict(b);
    a.bfd = b.bfd = {};
    return strict && a == b;
}

} // namespace

std::string_view to_string(EventLevel level)
{
    switch (level) {
    case EventLevel::debug:
        return "debug";
    case EventLevel::info:
        return "info";
    case EventLevel::warning:
        return "warning";
    case EventLevel::error:
        return "error";
    }
    return "?";
}

Speaker::Speaker(asio::io_context& io, SpeakerConfig config, SpeakerObserver& observer)
    : io_(io), config_(std::move(config)), observer_(observer), bfd_(io, *this)
{}

Speaker::~Speaker()
{
    for (auto& l : listeners_) {
        boost::system::error_code ec;
        l->acceptor.close(ec);
    }
    sessions_.clear();
}

tl::expected<void, std::string> Speaker::start()
{
    for (const auto& [addr, port] : config_.listen) {
        auto l = std::make_unique<Listener>(io_);
        l->address = addr;
        l->port = port;
        const tcp::endpoint ep(to_asio(addr), port);
        boost::system::error_code ec;
        l->acceptor.open(ep.protocol(), ec);
        if (!ec)
            l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec && addr.afi == Afi::ipv6)
            l->acceptor.set_option(asio::ip::v6_only(true), ec);
        if (!ec)
            l->acceptor.bind(ep, ec);
        if (!ec)
            l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec)
            return tl::unexpected(
                fmt::format("listen on {} port {}: {}", addr.to_string(), port, ec.message()));
        listeners_.push_back(std::move(l));
    }
    running_ = true;
    for (auto& s : sessions_) {
        for (auto& l : listeners_)
            if (l->address.afi == s->config().address.afi && !s->config().md5_password.empty())
                if (auto r = set_tcp_md5(l->acceptor.native_handle(), s->config().address,
                                         s->config().md5_password);
                    !r)
                    observer_.on_event(s->name(), EventLevel::error, "listener: " + r.error());
        apply_bfd(s->config());
        start_or_hold(*s);
    }
    for (std::size_t i = 0; i < listeners_.size(); ++i)
        accept_loop(i);
    return {};
}

void Speaker::accept_loop(std::size_t index)
{
    Listener& l = *listeners_[index];
    l.acceptor.async_accept([this, index](boost::system::error_code ec, tcp::socket sock) {
        if (ec == asio::error::operation_aborted || !listeners_[index]->acceptor.is_open())
            return;
        if (!ec) {
            boost::system::error_code rec;
            auto remote = sock.remote_endpoint(rec);
            const Address from = rec ? Address{} : from_asio(remote.address());
            auto it = std::find_if(sessions_.begin(), sessions_.end(),
                                   [&](const auto& s) { return s->config().address == from; });
            if (it == sessions_.end()) {
                observer_.on_event(from.to_string(), EventLevel::warning,
                                   fmt::format("closed connection from {}: not a configured "
                                               "neighbor",
                                               rec ? std::string("?") : from.to_string()));
                sock.close(rec);
            } else {
                (*it)->accept(std::move(sock));
            }
        } else {
            observer_.on_event("listener", EventLevel::error,
                               fmt::format("accept: {}", ec.message()));
        }
        accept_loop(index);
    });
}

tl::expected<void, std::string> Speaker::add_neighbor(const NeighborConfig& config)
{
    NeighborConfig c = config;
    if (c.name.empty())
        c.name = c.address.to_string();
    for (const auto& s : sessions_) {
        if (s->name() == c.name)
            return tl::unexpected(fmt::format("neighbor {}: name already used", c.name));
        if (s->config().address == c.address)
            return tl::unexpected(fmt::format("neighbor {}: address {} already used by {}", c.name,
                                              c.address.to_string(), s->name()));
    }
    LocalPeer local = make_local_peer(c, config_);
    if (auto problem = check_local_peer(local))
        return tl::unexpected(fmt::format("neighbor {}: {}", c.name, *problem));
    auto session = std::make_shared<Session>(static_cast<SessionHost&>(*this), c);
    sessions_.push_back(session);
    if (running_) {
        for (auto& l : listeners_)
            if (l->address.afi == c.address.afi && !c.md5_password.empty())
                if (auto r = set_tcp_md5(l->acceptor.native_handle(), c.address, c.md5_password);
                    !r)
                    observer_.on_event(c.name, EventLevel::error, "listener: " + r.error());
        apply_bfd(c);
        start_or_hold(*session);
    }
    return {};
}

void Speaker::remove_neighbor(const std::string& name)
{
    remove_session(name);
    bfd_.remove(name);
}

void Speaker::remove_session(const std::string& name)
{
    auto it = std::find_if(sessions_.begin(), sessions_.end(),
                           [&](const auto& s) { return s->name() == name; });
    if (it == sessions_.end())
        return;
    // RFC 4486 §4: Cease / Peer De-configured.
    (*it)->stop_with(make_cease(cease::peer_deconfigured, "neighbor removed from configuration"));
    for (auto& l : listeners_)
        if (!(*it)->config().md5_password.empty())
            (void)set_tcp_md5(l->acceptor.native_handle(), (*it)->config().address, "");
    sessions_.erase(it);
}

tl::expected<void, std::string> Speaker::reconfigure_neighbor(const NeighborConfig& config)
{
    auto it = std::find_if(sessions_.begin(), sessions_.end(),
                           [&](const auto& s) { return s->name() == config.name; });
    if (it == sessions_.end())
        return add_neighbor(config);
    if (same_session((*it)->config(), config)) {
        if (!((*it)->config().export_policy == config.export_policy))
            (*it)->set_export_policy(config.export_policy);
        (*it)->set_idle_hold(config.idle_hold_time, config.max_idle_hold_time);
        if (running_)
            apply_bfd(config); // a BFD change alone leaves the BGP session alone
        return {};
    }
    remove_session(config.name); // the BFD session is kept when its own settings are unchanged
    return add_neighbor(config);
}

std::vector<std::string> Speaker::neighbor_names() const
{
    std::vector<std::string> out;
    for (const auto& s : sessions_)
        out.push_back(s->name());
    return out;
}

bool Speaker::announce(const Prefix& prefix, const RouteSpec& spec)
{
    return announce(std::span<const Prefix>(&prefix, 1), spec) != 0;
}

std::size_t Speaker::announce(std::span<const Prefix> prefixes, const RouteSpec& spec)
{
    const std::size_t changes = rib_.announce(prefixes, spec);
    if (changes != 0)
        schedule_flush();
    return changes;
}

bool Speaker::withdraw(const Prefix& prefix)
{
    if (!rib_.withdraw(prefix))
        return false;
    schedule_flush();
    return true;
}

void Speaker::schedule_flush()
{
    if (flush_scheduled_)
        return;
    flush_scheduled_ = true;
    asio::post(io_, [this] { flush(); });
}

void Speaker::flush()
{
    flush_scheduled_ = false;
    for (auto& s : sessions_)
        s->flush_routes();
    if (flush_waiters_.empty())
        return;
    auto waiters = std::move(flush_waiters_);
    flush_waiters_.clear();
    for (auto& done : waiters) {
        auto results = std::make_shared<std::map<std::string, std::string>>();
        auto remaining = std::make_shared<std::size_t>(sessions_.size());
        if (sessions_.empty()) {
            done({});
            continue;
        }
        for (auto& s : sessions_) {
            s->when_written([results, remaining, done, name = s->name()](std::string r) {
                (*results)[name] = std::move(r);
                if (--*remaining == 0)
                    done(std::move(*results));
            });
        }
    }
}

void Speaker::when_flushed(std::function<void(std::map<std::string, std::string>)> done)
{
    flush_waiters_.push_back(std::move(done));
    if (!flush_scheduled_) {
        flush_scheduled_ = true;
        asio::post(io_, [this] { flush(); });
    }
}

void Speaker::set_ready()
{
    if (ready_)
        return;
    ready_ = true;
    for (auto& s : sessions_)
        s->on_ready();
}

bool Speaker::reset_neighbor(const std::string& name, const std::string& reason)
{
    for (auto& s : sessions_)
        if (s->name() == name) {
            if (disabled_.contains(name))
                return true; // a reset does not end a disable (ManualReset would restart)
            s->reset(reason);
            return true;
        }
    return false;
}

bool Speaker::disable_neighbor(const std::string& name, const std::string& message)
{
    const bool added = disabled_.insert_or_assign(name, message).second;
    for (auto& s : sessions_)
        if (s->name() == name && running_)
            s->stop(message);
    return added;
}

bool Speaker::enable_neighbor(const std::string& name)
{
    if (disabled_.erase(name) == 0)
        return false;
    for (auto& s : sessions_)
        if (s->name() == name && running_)
            start_or_hold(*s);
    return true;
}

void Speaker::resend(const std::string& name)
{
    for (auto& s : sessions_)
        if (s->name() == name)
            s->set_export_policy(s->config().export_policy);
}

void Speaker::shutdown(const std::string& reason, std::chrono::milliseconds limit,
                       std::function<void()> done)
{
    // From here BFD changes tear nothing down: the sessions are closing (a router answering our
    // Cease with a fresh BFD session would otherwise read as a failure of a closed session).
    running_ = false;
    for (auto& l : listeners_) {
        boost::system::error_code ec;
        l->acceptor.close(ec);
    }
    for (auto& s : sessions_)
        s->stop(reason);
    auto timer = std::make_shared<asio::steady_timer>(io_);
    auto deadline = std::chrono::steady_clock::now() + limit;
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [this, timer, deadline, done, poll] {
        const bool all_closed = std::all_of(sessions_.begin(), sessions_.end(),
                                            [](const auto& s) { return s->closed(); });
        if (all_closed || std::chrono::steady_clock::now() >= deadline) {
            auto finish = std::move(*poll); // break the self-reference
            // RFC 5882 §3.2: AdminDown after the Cease, so routers do not see a failure. A
            // router whose BFD runs apart from its BGP (BIRD's own thread) may see a prompt
            // AdminDown before it has read the Cease, so the AdminDown waits a little.
            if (!bfd_.any()) {
                done();
                return;
            }
            timer->expires_after(bfd_admin_down_delay);
            timer->async_wait([this, timer, done](boost::system::error_code) {
                bfd_.shutdown();
                done();
            });
            return;
        }
        timer->expires_after(std::chrono::milliseconds(5));
        timer->async_wait([poll](boost::system::error_code) {
            if (*poll)
                (*poll)();
        });
    };
    asio::post(io_, [poll] { (*poll)(); });
}

std::vector<NeighborStatus> Speaker::status() const
{
    std::vector<NeighborStatus> out;
    for (const auto& s : sessions_) {
        out.push_back(s->status());
        if (const auto it = disabled_.find(s->name()); it != disabled_.end()) {
            out.back().disabled = true;
            out.back().disabled_message = it->second;
        }
        out.back().bfd = bfd_.status(s->name());
        out.back().waiting_for_bfd = running_ && config_strict(s->config()) &&
                                     !disabled_.contains(s->name()) && !may_start(s->config());
    }
    return out;
}

void Speaker::apply_bfd(const NeighborConfig& c)
{
    bfd::PeerConfig p;
    p.name = c.name;
    p.peer = c.address;
    p.local = c.local_address;
    // RFC 5883: multihop BFD for a neighbor reached over more than one hop.
    p.multihop = c.multihop && *c.multihop > 1;
    p.config = c.bfd;
    if (auto r = bfd_.apply(p); !r)
        observer_.on_event(c.name, EventLevel::error, r.error());
}

bool Speaker::may_start(const NeighborConfig& c) const
{
    if (disabled_.contains(c.name))
        return false;
    if (!config_strict(c))
        return true;
    const auto st = bfd_.status(c.name);
    return st && st->state == bfd::SessionState::up;
}

void Speaker::start_or_hold(Session& s)
{
    if (may_start(s.config()))
        s.start();
    else if (config_strict(s.config()) && !disabled_.contains(s.name()))
        observer_.on_event(s.name(), EventLevel::info,
                           "BGP session held until BFD is Up (bfd strict)");
}

void Speaker::on_bfd_state(const std::string& name, const bfd::StateChanged& change,
                           bfd::SessionState remote)
{
    using bfd::SessionState;
    const bool down = change.to == SessionState::down && change.from == SessionState::up;
    observer_.on_event(name, down ? EventLevel::warning : EventLevel::info,
                       fmt::format("BFD {}->{} diag={} cause={}", to_string(change.from),
                                   to_string(change.to), to_string(change.diag), change.cause));
    for (auto& s : sessions_) {
        if (s->name() != name || !running_)
            continue;
        const bool strict = config_strict(s->config());
        if (change.to == SessionState::up && strict && may_start(s->config()))
            s->start();
        if (!down)
            continue;
        // RFC 5882 §3.2: a peer that turned BFD off (AdminDown) is not a failure.
        if (remote == SessionState::admin_down) {
            observer_.on_event(name, EventLevel::info,
                               "BFD peer signalled AdminDown: BGP session kept (RFC 5882 §3.2)");
            continue;
        }
        observer_.on_event(name, EventLevel::warning,
                           fmt::format("BFD Down ({}): closing the BGP session with Cease/10 "
                                       "BFD Down (RFC 9384){}",
                                       to_string(change.diag),
                                       strict ? ", restarted when BFD is Up again" : ""));
        if (strict)
            s->stop_with(make_cease(cease::bfd_down));
        else
            s->bfd_down();
    }
}

void Speaker::on_bfd_event(const std::string& name, bool error, const std::string& text)
{
    observer_.on_event(name, error ? EventLevel::warning : EventLevel::info, "BFD " + text);
}

void Speaker::for_each_sent(const std::string& name,
                            const std::function<void(const Prefix&, const RouteSpec&)>& f) const
{
    for (const auto& s : sessions_)
        if (s->name() == name)
            s->adj_rib_out().for_each_sent(
                [&](const Prefix& p, SpecId id) { f(p, rib_.specs().get(id)); });
}

void Speaker::for_each_exported(
    const std::string& name,
    const std::function<void(const Prefix&, const tl::expected<PathAttributes, std::string>&)>& f)
    const
{
    for (const auto& s : sessions_) {
        if (s->name() != name)
            continue;
        const SessionAddresses addrs = s->session_addresses();
        s->adj_rib_out().for_each_sent([&](const Prefix& p, SpecId id) {
            f(p, s->exported(rib_.specs().get(id), p.afi(), addrs));
        });
    }
}

} // namespace vipd::bgp
