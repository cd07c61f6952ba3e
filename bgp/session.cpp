// The per-neighbor Asio driver around the pure Fsm (see session.hpp).
#include "bgp/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "bgp/socket_options.hpp"
#include "bgp/update.hpp"
#include "bgp/update_builder.hpp"

namespace vipd::bgp {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// Bound on writing a final NOTIFICATION to a peer that may not read (RFC 9687 spirit).
constexpr std::chrono::milliseconds close_linger{2000};

} // namespace

LocalPeer make_local_peer(const NeighborConfig& n, const SpeakerConfig& s)
{
    LocalPeer p;
    p.local_as = n.local_as.value_or(s.local_as);
    p.bgp_identifier = s.router_id;
    p.remote_as = n.remote_as;
    p.hold_time = n.hold_time;
    p.keepalive_time = n.keepalive.value_or(0);
    p.families.clear();
    if (n.ipv4_unicast)
        p.families.push_back(ipv4_unicast);
    if (n.ipv6_unicast)
        p.families.push_back(ipv6_unicast);
    p.four_octet_as = n.four_octet_as;
    p.route_refresh = true;
    p.enhanced_route_refresh = true;
    if (n.graceful_restart) {
        // RFC 4724 §4.1: a VIP node restarts with its service still forwarding (the VIP is
        // local), so the routers may keep our routes for restart_time; End-of-RIB follows the
        // initial table.
        GracefulRestartConfig gr;
        gr.restart_time = n.restart_time;
        gr.restarting = true;
        gr.forwarding_state = p.families;
        p.graceful_restart = gr;
    }
    p.extended_message = n.extended_message;
    // RFC 8950: over IPv6 transport, offer IPv4 routes with an IPv6 next hop.
    p.extended_next_hop = !n.address.is_v4() && n.ipv4_unicast;
    p.role = n.role;
    p.strict_role = n.role_strict;
    p.hostname = s.hostname;
    return p;
}

FsmConfig make_fsm_config(const NeighborConfig& n)
{
    FsmConfig f;
    f.connect_retry_time = std::max(
        std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(n.connect_retry));
    f.passive = n.passive;
    f.idle_hold_time = n.idle_hold_time;
    f.max_idle_hold_time = std::max(n.idle_hold_time, n.max_idle_hold_time);
    f.jitter_seed = std::hash<std::string>{}(n.name);
    return f;
}

Session::Session(SessionHost& host, NeighborConfig config)
    : host_(host), config_(std::move(config)),
      local_(make_local_peer(config_, host.speaker_config())),
      fsm_(local_, make_fsm_config(config_)), adj_out_(host.loc_rib(), config_.name),
      adj_in_(AdjRibInLimits{config_.max_prefixes, config_.adj_rib_in_limit})
{
    for (auto& t : timers_)
        t = std::make_unique<asio::steady_timer>(host_.io());
}

Session::~Session()
{
    for (auto& [id, c] : conns_)
        c->close();
    if (pending_connect_) {
        boost::system::error_code ec;
        pending_connect_->close(ec);
    }
}

void Session::note(EventLevel level, const std::string& text)
{
    host_.observer().on_event(config_.name, level, text);
}

void Session::start()
{
    dispatch(ManualStart{});
}

void Session::stop(const std::string& reason)
{
    dispatch(ManualStop{reason});
}

void Session::reset(const std::string& reason)
{
    dispatch(ManualReset{reason});
}

void Session::set_idle_hold(std::chrono::milliseconds idle_hold, std::chrono::milliseconds max)
{
    config_.idle_hold_time = idle_hold;
    config_.max_idle_hold_time = max;
    const FsmConfig f = make_fsm_config(config_);
    fsm_.set_idle_hold(f.idle_hold_time, f.max_idle_hold_time);
}

void Session::bfd_down()
{
    dispatch(AutomaticStop{make_cease(cease::bfd_down), true});
}

void Session::stop_with(const Notification& cease)
{
    dispatch(ManualStop{shutdown_communication(cease).value_or(""), cease});
}

void Session::dispatch(Event e)
{
    queue_.push_back(std::move(e));
    if (dispatching_)
        return;
    dispatching_ = true;
    while (!queue_.empty()) {
        Event ev = std::move(queue_.front());
        queue_.pop_front();
        const State before = fsm_.state();
        Actions actions = fsm_.handle(ev);
        // Report the transition first, so what its actions cause is logged after it.
        const Status& st = fsm_.status();
        if (st.state != before)
            host_.observer().on_state_change(config_.name, before, st.state, st.cause);
        for (Action& a : actions)
            execute(a);
    }
    dispatching_ = false;
}

void Session::execute(Action& a)
{
    std::visit(
        [this](auto& act) {
            using T = std::decay_t<decltype(act)>;
            if constexpr (std::is_same_v<T, Connect>) {
                do_connect();
            } else if constexpr (std::is_same_v<T, CancelConnect>) {
                ++attempt_;
                if (pending_connect_) {
                    boost::system::error_code ec;
                    pending_connect_->close(ec);
                    pending_connect_.reset();
                }
            } else if constexpr (std::is_same_v<T, Send>) {
                auto it = conns_.find(act.conn);
                if (it == conns_.end())
                    return;
                const Negotiated* n = fsm_.negotiated();
                const EncodeContext ctx = n != nullptr ? n->encode : EncodeContext{};
                it->second->send(encode_message(act.message, ctx));
                ++messages_sent_;
                if (auto* notif = std::get_if<Notification>(&act.message))
                    host_.observer().on_notification(config_.name, true, *notif);
            } else if constexpr (std::is_same_v<T, CloseConnection>) {
                auto it = conns_.find(act.conn);
                if (it == conns_.end())
                    return;
                if (act.abort)
                    it->second->close();
                else
                    it->second->close_after_flush(close_linger);
                closing_.push_back(it->second);
                conns_.erase(it);
            } else if constexpr (std::is_same_v<T, StartTimer>) {
                start_timer(act.timer, act.duration);
                if (act.timer == TimerId::idle_hold) {
                    idle_hold_since_ = std::chrono::steady_clock::now();
                    note(EventLevel::info, describe_idle_hold(fsm_.status()));
                }
            } else if constexpr (std::is_same_v<T, StopTimer>) {
                stop_timer(act.timer);
            } else if constexpr (std::is_same_v<T, Established>) {
                on_established(act);
            } else if constexpr (std::is_same_v<T, Down>) {
                on_down(act);
            }
        },
        a);
}

void Session::start_timer(TimerId t, std::chrono::milliseconds d)
{
    const auto i = static_cast<std::size_t>(t);
    const std::uint64_t gen = ++timer_gen_[i];
    timers_[i]->expires_after(d);
    timers_[i]->async_wait([weak = weak_from_this(), t, gen](boost::system::error_code ec) {
        auto self = weak.lock();
        if (!self || ec || self->timer_gen_[static_cast<std::size_t>(t)] != gen)
            return;
        self->dispatch(timer_expired(t));
    });
}

void Session::stop_timer(TimerId t)
{
    const auto i = static_cast<std::size_t>(t);
    ++timer_gen_[i];
    timers_[i]->cancel();
}

void Session::do_connect()
{
    const std::uint64_t attempt = ++attempt_;
    asio::co_spawn(host_.io(), connect_attempt(shared_from_this(), attempt),
                   [weak = weak_from_this()](std::exception_ptr ep) {
                       if (!ep)
                           return;
                       if (auto self = weak.lock()) {
                           try {
                               std::rethrow_exception(ep);
                           } catch (const std::exception& ex) {
                               self->note(EventLevel::error, fmt::format("connect: {}", ex.what()));
                               self->dispatch(ConnectFailed{ex.what()});
                           }
                       }
                   });
}

asio::awaitable<void> Session::connect_attempt(std::shared_ptr<Session> self, std::uint64_t attempt)
{
    const NeighborConfig& cfg = self->config_;
    const tcp::endpoint remote(to_asio(cfg.address), cfg.port);
    auto sock = std::make_shared<tcp::socket>(self->host_.io());
    self->pending_connect_ = sock;
    auto fail = [&](const std::string& why) {
        if (attempt == self->attempt_) {
            self->pending_connect_.reset();
            self->dispatch(ConnectFailed{why});
        }
    };
    boost::system::error_code ec;
    sock->open(remote.protocol(), ec);
    if (ec) {
        fail(fmt::format("socket: {}", ec.message()));
        co_return;
    }
    const int fd = sock->native_handle();
    const Afi family = cfg.address.afi;
    if (!cfg.md5_password.empty())
        if (auto r = set_tcp_md5(fd, cfg.address, cfg.md5_password); !r) {
            fail(r.error());
            co_return;
        }
    if (cfg.ttl_security) {
        // RFC 5082 §3: send with TTL 255, accept only within the configured hops.
        if (auto r = set_ttl(fd, family, gtsm_ttl); !r) {
            fail(r.error());
            co_return;
        }
        if (auto r = set_gtsm(fd, family, *cfg.ttl_security); !r) {
            fail(r.error());
            co_return;
        }
    } else {
        const bool ibgp = self->local_.internal();
        const int ttl = cfg.multihop ? *cfg.multihop : (ibgp ? ibgp_default_ttl : ebgp_default_ttl);
        if (auto r = set_ttl(fd, family, ttl); !r) {
            fail(r.error());
            co_return;
        }
    }
    if (cfg.local_address) {
        sock->set_option(tcp::socket::reuse_address(true), ec);
        sock->bind(tcp::endpoint(to_asio(*cfg.local_address), 0), ec);
        if (ec) {
            fail(fmt::format("bind {}: {}", cfg.local_address->to_string(), ec.message()));
            co_return;
        }
    }
    auto [cec] = co_await sock->async_connect(remote, asio::as_tuple(asio::use_awaitable));
    if (attempt != self->attempt_)
        co_return; // cancelled: the FSM no longer expects this attempt
    self->pending_connect_.reset();
    if (cec) {
        self->dispatch(ConnectFailed{cec.message()});
        co_return;
    }
    self->adopt(std::move(*sock), false);
}

void Session::accept(tcp::socket socket)
{
    if (config_.ttl_security) {
        const int fd = socket.native_handle();
        (void)set_ttl(fd, config_.address.afi, gtsm_ttl);
        if (auto r = set_gtsm(fd, config_.address.afi, *config_.ttl_security); !r)
            note(EventLevel::warning, r.error());
    }
    adopt(std::move(socket), true);
}

void Session::adopt(tcp::socket socket, bool inbound)
{
    if (auto r = set_nodelay(socket.native_handle()); !r)
        note(EventLevel::warning, r.error());
    const ConnectionId id = next_conn_id_++;
    auto conn = std::make_shared<Connection>(std::move(socket), id, this);
    conns_[id] = conn;
    conn->start();
    dispatch(TcpConnected{id, inbound});
}

bool Session::closed() const
{
    if (!conns_.empty() || pending_connect_)
        return false;
    for (const auto& w : closing_)
        if (auto c = w.lock(); c && !c->closed())
            return false;
    return true;
}

} // namespace vipd::bgp
