// Session: incoming messages (decode, RFC 7606 outcomes, events for the FSM), Established and
// Down, and the Adj-RIB-Out written as UPDATEs (initial table, changes, route refresh).
#include <fmt/format.h>

#include "bgp/session.hpp"
#include "bgp/update.hpp"
#include "bgp/update_builder.hpp"

namespace vipd::bgp {

namespace asio = boost::asio;

void Session::on_message(ConnectionId id, ByteView message)
{
    ++messages_received_;
    const Negotiated* n = fsm_.negotiated();
    const DecodeContext ctx = n != nullptr ? n->decode : DecodeContext{};
    auto header = decode_header(message, ctx);
    if (!header) {
        dispatch(MessageError{id, header.error()});
        return;
    }
    if (header->type == MessageType::update) {
        on_update(id, message);
        return;
    }
    auto decoded = decode_message(message, ctx);
    if (!decoded) {
        dispatch(MessageError{id, decoded.error()});
        return;
    }
    std::visit(
        [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Open>) {
                dispatch(OpenReceived{id, std::move(m)});
            } else if constexpr (std::is_same_v<T, Notification>) {
                host_.observer().on_notification(config_.name, false, m);
                dispatch(NotificationReceived{id, std::move(m)});
            } else if constexpr (std::is_same_v<T, Keepalive>) {
                dispatch(KeepaliveReceived{id});
            } else if constexpr (std::is_same_v<T, RouteRefresh>) {
                dispatch(RouteRefreshReceived{id});
                // RFC 2918 §4 / RFC 7313 §4: answer with the Adj-RIB-Out for that family.
                if (established() && established_conn_ == id && m.subtype == RouteRefresh::normal)
                    send_full_table(true);
            } else if constexpr (std::is_same_v<T, Update>) {
                dispatch(UpdateReceived{id});
            }
        },
        *decoded);
}

void Session::on_update(ConnectionId id, ByteView message)
{
    ++updates_received_;
    const Negotiated* n = fsm_.negotiated();
    const DecodeContext ctx = n != nullptr ? n->decode : DecodeContext{};
    Reader body(message.subspan(header_size), header_size);
    // RFC 7606 §7.5/§7.9/§7.10 judge some attributes by the kind of peer.
    const PeerKind kind = n != nullptr && !n->internal ? PeerKind::external : PeerKind::internal;
    UpdateOutcome outcome = decode_update(body, ctx, kind);
    if (outcome.error && outcome.error->action == Rfc7606::session_reset) {
        dispatch(MessageError{id, *outcome.error});
        return;
    }
    const Update& u = outcome.update;
    const bool withdraw_all = outcome.treat_as_withdraw;
    if (outcome.error)
        note(EventLevel::warning,
             fmt::format("UPDATE {} ({}): routes {}", to_string(*outcome.error),
                         to_string(outcome.error->action),
                         withdraw_all ? "treated as withdrawn" : "kept"));
    for (const AfiSafi& f : outcome.disabled_families)
        note(EventLevel::warning,
             fmt::format("UPDATE for {} ignored: family disabled (RFC 4760 §7)", to_string(f)));
    const AdjRibInDecision d = adj_in_.apply(u, withdraw_all);
    dispatch(UpdateReceived{id});
    if (d.cease) {
        note(EventLevel::error, fmt::format("received {} prefixes, limit {}: closing with Cease/1",
                                            d.prefixes, config_.max_prefixes));
        dispatch(AutomaticStop{*d.cease});
    }
}

void Session::on_stream_error(ConnectionId id, const DecodeError& error)
{
    dispatch(MessageError{id, error});
}

void Session::on_closed(ConnectionId id, const std::string& reason)
{
    conns_.erase(id);
    dispatch(TcpConnectionFails{id, reason});
}

void Session::on_drained(ConnectionId id)
{
    dispatch(MessagesWritten{id});
    if (established_conn_ == id && !write_waiters_.empty()) {
        auto waiters = std::move(write_waiters_);
        write_waiters_.clear();
        for (auto& w : waiters)
            w("written");
    }
}

void Session::on_established(const Established& e)
{
    established_conn_ = e.conn;
    established_since_ = std::chrono::steady_clock::now();
    if (auto it = conns_.find(e.conn); it != conns_.end())
        it->second->set_extended_message(e.negotiated.encode.extended_message);
    adj_out_.reset();
    adj_in_.clear();
    if (host_.tables_ready())
        send_full_table(false);
}

void Session::on_down(const Down&)
{
    established_conn_.reset();
    established_since_.reset();
    adj_out_.reset();
    adj_in_.clear();
    fail_waiters(fmt::format("session {}", to_string(fsm_.state())));
}

void Session::fail_waiters(const std::string& reason)
{
    auto waiters = std::move(write_waiters_);
    write_waiters_.clear();
    for (auto& w : waiters)
        w(reason);
}

void Session::on_ready()
{
    if (established() && !adj_out_.synced())
        send_full_table(false);
}

std::shared_ptr<Connection> Session::established_connection() const
{
    if (!established_conn_)
        return nullptr;
    auto it = conns_.find(*established_conn_);
    return it == conns_.end() ? nullptr : it->second;
}

SessionAddresses Session::session_addresses() const
{
    SessionAddresses a;
    auto conn = established_connection();
    if (!conn)
        return a;
    boost::system::error_code ec;
    auto ep = conn->socket().local_endpoint(ec);
    if (ec)
        return a;
    auto addr = ep.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped())
        addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    if (addr.is_v4())
        a.local_v4 = Address::v4(addr.to_v4().to_uint());
    else
        a.local_v6 = Address::v6(addr.to_v6().to_bytes());
    return a;
}

tl::expected<PathAttributes, std::string> Session::exported(const RouteSpec& spec, Afi afi,
                                                            const SessionAddresses& addrs) const
{
    const Negotiated* n = fsm_.negotiated();
    return export_attributes(spec.attributes, config_.export_policy, afi, addrs,
                             n != nullptr && n->extended_next_hop);
}

std::size_t Session::encode_plan(const UpdatePlan& plan, Bytes& out)
{
    const Negotiated* n = fsm_.negotiated();
    if (n == nullptr)
        return 0;
    const SessionAddresses addrs = session_addresses();
    std::size_t messages = 0;
    for (const UpdateGroup& g : plan.groups) {
        const AfiSafi family{g.afi, Safi::unicast};
        if (!n->has_family(family)) {
            note(EventLevel::warning,
                 fmt::format("{} prefixes of {} not sent: family not negotiated", g.nlri.size(),
                             to_string(family)));
            continue;
        }
        tl::expected<std::size_t, std::string> r;
        if (g.spec == no_spec) {
            r = append_withdrawals(out, family, g.nlri, n->encode);
        } else {
            const RouteSpec& spec = host_.loc_rib().specs().get(g.spec);
            auto attrs = exported(spec, g.afi, addrs);
            if (!attrs) {
                note(EventLevel::error,
                     fmt::format("{} prefixes not sent: {}", g.nlri.size(), attrs.error()));
                continue;
            }
            auto enc = EncodedAttributes::make(*attrs, family, n->encode);
            if (!enc) {
                note(EventLevel::error,
                     fmt::format("{} prefixes not sent: {}", g.nlri.size(), enc.error()));
                continue;
            }
            r = append_announcements(out, *enc, g.nlri);
        }
        if (!r)
            note(EventLevel::error, fmt::format("UPDATE encoding failed: {}", r.error()));
        else
            messages += *r;
    }
    return messages;
}

void Session::write(Bytes&& bytes)
{
    auto conn = established_connection();
    if (!conn || bytes.empty())
        return;
    if (conn->queued() == 0 && conn->outbox().empty())
        conn->outbox().swap(bytes);
    else
        conn->outbox().insert(conn->outbox().end(), bytes.begin(), bytes.end());
    conn->flush();
}

void Session::send_full_table(bool route_refresh)
{
    const Negotiated* n = fsm_.negotiated();
    if (n == nullptr || !host_.tables_ready())
        return;
    Bytes out;
    auto append = [&out](const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); };
    // RFC 7313 §4: a re-send answering a refresh is framed by BoRR / EoRR per family.
    const bool enhanced = route_refresh && n->enhanced_route_refresh;
    if (enhanced)
        for (const AfiSafi& f : n->families)
            append(encode_message(RouteRefresh{f, RouteRefresh::borr}, n->encode));
    adj_out_.reset();
    const UpdatePlan plan = adj_out_.full_table();
    const std::size_t messages = encode_plan(plan, out);
    adj_out_.mark_synced();
    for (const AfiSafi& f : n->families) {
        // RFC 4724 §2: End-of-RIB after the initial table; RFC 7313 §4: EoRR after a re-send.
        if (enhanced)
            append(encode_message(RouteRefresh{f, RouteRefresh::eorr}, n->encode));
        else if (!route_refresh)
            append(encode_message(make_end_of_rib(f), n->encode));
    }
    updates_sent_ += messages;
    messages_sent_ += messages;
    note(EventLevel::info,
         fmt::format("sent {} prefixes in {} UPDATEs{}", plan.prefixes(), messages,
                     route_refresh ? " (route refresh)" : ", then End-of-RIB"));
    write(std::move(out));
}

void Session::flush_routes()
{
    if (!established() || !adj_out_.synced() || !adj_out_.has_pending())
        return;
    const UpdatePlan plan = adj_out_.take_changes();
    if (plan.empty())
        return;
    Bytes out;
    const std::size_t messages = encode_plan(plan, out);
    updates_sent_ += messages;
    messages_sent_ += messages;
    write(std::move(out));
}

void Session::set_export_policy(const ExportPolicy& policy)
{
    config_.export_policy = policy;
    if (established() && adj_out_.synced())
        send_full_table(true);
}

void Session::when_written(std::function<void(std::string)> done)
{
    auto conn = established_connection();
    if (!conn) {
        done(fmt::format("not established ({})", to_string(fsm_.state())));
        return;
    }
    if (!host_.tables_ready() || !adj_out_.synced()) {
        done("initial table held until the daemon is ready");
        return;
    }
    if (conn->queued() == 0) {
        done("written");
        return;
    }
    write_waiters_.push_back(std::move(done));
}

NeighborStatus Session::status() const
{
    const Status& st = fsm_.status();
    NeighborStatus s;
    s.name = config_.name;
    s.address = config_.address.to_string();
    s.state = std::string(to_string(st.state));
    s.last_transition = fmt::format("{}->{} event={} cause={}", to_string(st.previous),
                                    to_string(st.state), st.last_event, st.cause);
    if (st.last_error)
        s.last_error = to_string(*st.last_error);
    s.last_notification_sent = st.last_notification_sent;
    s.last_notification_received = st.last_notification_received;
    s.established_since = established_since_;
    s.established_count = st.established_count;
    s.failures = st.failures;
    s.idle_hold_time = st.idle_hold_time;
    s.idle_hold_reason = st.idle_hold_reason;
    if (fsm_.timer_running(TimerId::idle_hold))
        s.next_attempt = idle_hold_since_ + st.idle_hold_time;
    s.messages_sent = messages_sent_;
    s.messages_received = messages_received_;
    s.updates_sent = updates_sent_;
    s.updates_received = updates_received_;
    std::uint64_t sent = 0;
    adj_out_.for_each_sent([&](const Prefix&, SpecId) { ++sent; });
    s.prefixes_announced = sent;
    s.prefixes_received = adj_in_.prefixes();
    s.adj_rib_in_kept = adj_in_.tracking();
    if (const Negotiated* n = fsm_.negotiated()) {
        for (const AfiSafi& f : n->families)
            s.families.push_back(to_string(f));
        s.negotiated_hold_time = static_cast<std::uint16_t>(n->hold_time.count());
        s.negotiated_keepalive_time = static_cast<std::uint16_t>(n->keepalive_time.count());
        for (const UnknownCap& c : n->unknown_capabilities)
            s.peer_capabilities.push_back(fmt::format("unknown-{}", c.code));
        if (n->route_refresh)
            s.peer_capabilities.push_back("route-refresh");
        if (n->enhanced_route_refresh)
            s.peer_capabilities.push_back("enhanced-route-refresh");
        if (n->encode.four_octet_as)
            s.peer_capabilities.push_back("four-octet-as");
        if (n->encode.extended_message)
            s.peer_capabilities.push_back("extended-message");
        if (n->peer_graceful_restart)
            s.peer_capabilities.push_back("graceful-restart");
        if (n->extended_next_hop)
            s.peer_capabilities.push_back("extended-next-hop");
        // RFC 7911 §4: we send path identifiers in these families.
        if (n->encode.add_path_ipv4)
            s.peer_capabilities.push_back("add-path-send-ipv4");
        if (n->encode.add_path_ipv6)
            s.peer_capabilities.push_back("add-path-send-ipv6");
    }
    return s;
}

} // namespace vipd::bgp
