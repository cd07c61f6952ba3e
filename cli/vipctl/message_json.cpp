// JSON rendering of decoded BGP messages (see message_json.hpp) and the stream walk behind
// `vipctl decode`. Field names follow the RFC vocabulary used in bgp/ (STYLE §10).
// RFC 4271 §4, RFC 5492, RFC 7606, RFC 7911, RFC 9003.
#include "cli/vipctl/message_json.hpp"

#include <fmt/format.h>

namespace vipd::cli {

using json = Json;
namespace bgp = vipd::bgp;

namespace {

std::string dotted(std::uint32_t v)
{
    return bgp::RouterId{v}.to_string();
}

json family_json(bgp::AfiSafi f)
{
    return json{{"family", bgp::to_string(f)},
                {"afi", static_cast<unsigned>(f.afi)},
                {"safi", static_cast<unsigned>(f.safi)}};
}

json nlri_json(const std::vector<bgp::Nlri>& list, bool add_path)
{
    json out = json::array();
    for (const auto& n : list) {
        if (add_path)
            out.push_back(json{{"prefix", n.prefix.to_string()}, {"path_id", n.path_id}});
        else
            out.push_back(n.prefix.to_string());
    }
    return out;
}

std::string_view segment_name(bgp::SegmentType t)
{
    switch (t) {
    case bgp::SegmentType::as_set:
        return "as_set";
    case bgp::SegmentType::as_sequence:
        return "as_sequence";
    case bgp::SegmentType::as_confed_sequence:
        return "as_confed_sequence";
    case bgp::SegmentType::as_confed_set:
        return "as_confed_set";
    }
    return "unknown";
}

json as_path_json(const bgp::AsPath& p)
{
    json out = json::array();
    for (const auto& s : p.segments)
        out.push_back(json{{"type", segment_name(s.type)}, {"asns", s.asns}});
    return out;
}

json aggregator_json(const bgp::Aggregator& a)
{
    return json{{"asn", a.asn}, {"address", dotted(a.address)}};
}

std::string community_text(bgp::Community c)
{
    return fmt::format("{}:{}", c >> 16, c & 0xffff);
}

std::string_view role_name(bgp::Role r)
{
    switch (r) {
    case bgp::Role::provider:
        return "provider";
    case bgp::Role::route_server:
        return "route-server";
    case bgp::Role::rs_client:
        return "rs-client";
    case bgp::Role::customer:
        return "customer";
    case bgp::Role::peer:
        return "peer";
    }
    return {};
}

json send_receive_json(std::uint8_t v)
{
    switch (v) {
    case bgp::AddPathCap::receive:
        return "receive";
    case bgp::AddPathCap::send:
        return "send";
    case bgp::AddPathCap::both:
        return "both";
    default:
        return v; // RFC 7911 §4: invalid, shown as the number received
    }
}

// The fields specific to each capability, added to {"code", "name"}.
void capability_fields(const bgp::Capability& c, json& j)
{
    std::visit(
        [&](const auto& cap) {
            using T = std::decay_t<decltype(cap)>;
            if constexpr (std::is_same_v<T, bgp::MultiprotocolCap>) {
                j.update(family_json(cap.family));
                if (cap.reserved != 0)
                    j["reserved"] = cap.reserved;
            } else if constexpr (std::is_same_v<T, bgp::FourOctetAsCap>) {
                j["asn"] = cap.asn;
            } else if constexpr (std::is_same_v<T, bgp::GracefulRestartCap>) {
                j["restart_state"] = cap.restart_state;
                j["notification"] = cap.notification;
                j["restart_time"] = cap.restart_time;
                json families = json::array();
                for (const auto& f : cap.families) {
                    json e = family_json(f.family);
                    e["forwarding_state"] = f.forwarding_state;
                    families.push_back(std::move(e));
                }
                j["families"] = std::move(families);
            } else if constexpr (std::is_same_v<T, bgp::AddPathCap>) {
                json families = json::array();
                for (const auto& f : cap.families) {
                    json e = family_json(f.family);
                    e["send_receive"] = send_receive_json(f.send_receive);
                    families.push_back(std::move(e));
                }
                j["families"] = std::move(families);
            } else if constexpr (std::is_same_v<T, bgp::ExtendedNextHopCap>) {
                json entries = json::array();
                for (const auto& e : cap.entries) {
                    entries.push_back(json{{"nlri_afi", static_cast<unsigned>(e.nlri_afi)},
                                           {"nlri_safi", e.nlri_safi},
                                           {"nexthop_afi", static_cast<unsigned>(e.nexthop_afi)}});
                }
                j["entries"] = std::move(entries);
            } else if constexpr (std::is_same_v<T, bgp::BgpRoleCap>) {
                auto name = role_name(cap.role);
                if (name.empty())
                    j["role"] = static_cast<unsigned>(cap.role);
                else
                    j["role"] = name;
            } else if constexpr (std::is_same_v<T, bgp::FqdnCap>) {
                j["hostname"] = cap.hostname;
                j["domain"] = cap.domain;
            } else if constexpr (std::is_same_v<T, bgp::UnknownCap>) {
                j["value"] = to_hex(cap.value);
            }
        },
        c);
}

std::string_view subtype_name(std::uint8_t s)
{
    switch (s) {
    case bgp::RouteRefresh::normal:
        return "normal";
    case bgp::RouteRefresh::borr:
        return "borr";
    case bgp::RouteRefresh::eorr:
        return "eorr";
    default:
        return {};
    }
}

// The MP attributes (RFC 4760 §3, §4), whose NLRI may carry path identifiers.
void mp_fields(const bgp::PathAttributes& a, const bgp::CodecContext& ctx, json& j)
{
    if (a.mp_reach) {
        json r = family_json(a.mp_reach->family);
        r["next_hop"] = a.mp_reach->next_hop.to_string();
        if (a.mp_reach->link_local_next_hop)
            r["link_local_next_hop"] = a.mp_reach->link_local_next_hop->to_string();
        r["nlri"] = nlri_json(a.mp_reach->nlri, ctx.add_path(a.mp_reach->family.afi));
        j["mp_reach_nlri"] = std::move(r);
    }
    if (a.mp_unreach) {
        json u = family_json(a.mp_unreach->family);
        u["withdrawn_routes"] =
            nlri_json(a.mp_unreach->withdrawn_routes, ctx.add_path(a.mp_unreach->family.afi));
        j["mp_unreach_nlri"] = std::move(u);
    }
}

} // namespace

std::string to_hex(bgp::ByteView bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    return out;
}

json to_json(const bgp::Capability& c)
{
    json j{{"code", bgp::capability_code(c)}, {"name", bgp::capability_name(c)}};
    capability_fields(c, j);
    return j;
}

json to_json(const bgp::Open& m)
{
    json params = json::array();
    for (const auto& p : m.optional_parameters) {
        if (const auto* caps = std::get_if<bgp::CapabilitiesParameter>(&p)) {
            json list = json::array();
            for (const auto& c : caps->capabilities)
                list.push_back(to_json(c));
            params.push_back(json{{"type", bgp::capabilities_parameter_type},
                                  {"name", "capabilities"},
                                  {"capabilities", std::move(list)}});
        } else {
            const auto& u = std::get<bgp::UnknownParameter>(p);
            params.push_back(json{{"type", u.type}, {"value", to_hex(u.value)}});
        }
    }
    return json{{"version", m.version},
                {"my_as", m.my_as},
                {"hold_time", m.hold_time},
                {"bgp_identifier", dotted(m.bgp_identifier)},
                {"extended_parameters_length", m.extended_parameters_length},
                {"optional_parameters", std::move(params)}};
}

/// The list-valued attributes of `a` (communities, cluster list, extended and large
/// communities, unknown attributes), each present only when the attribute is.
void list_fields(const bgp::PathAttributes& a, json& j)
{
    const auto list_of = [](const auto& values, auto text) {
        json list = json::array();
        for (const auto& v : values)
            list.push_back(text(v));
        return list;
    };
    if (a.communities)
        j["communities"] = list_of(*a.communities, community_text);
    if (a.originator_id)
        j["originator_id"] = dotted(*a.originator_id);
    if (a.cluster_list)
        j["cluster_list"] = list_of(*a.cluster_list, dotted);
    if (a.extended_communities)
        j["extended_communities"] =
            list_of(*a.extended_communities, [](const auto& e) { return to_hex(e.value); });
    if (a.large_communities)
        j["large_communities"] = list_of(*a.large_communities, [](const auto& l) {
            return fmt::format("{}:{}:{}", l.global_administrator, l.local_data_1, l.local_data_2);
        });
    if (!a.unknown.empty())
        j["unknown"] = list_of(a.unknown, [](const auto& u) {
            return json{{"type", u.type},
                        {"name", bgp::attribute_name(u.type)},
                        {"flags", fmt::format("0x{:02x}", u.flags)},
                        {"value", to_hex(u.value)}};
        });
}

json to_json(const bgp::PathAttributes& a, const bgp::CodecContext& ctx)
{
    json j = json::object();
    if (!a.order.empty()) {
        json order = json::array();
        for (auto t : a.order)
            order.push_back(bgp::attribute_name(t));
        j["order"] = std::move(order);
    }
    if (a.origin)
        j["origin"] = bgp::to_string(*a.origin);
    if (a.as_path)
        j["as_path"] = as_path_json(*a.as_path);
    if (a.next_hop)
        j["next_hop"] = dotted(*a.next_hop);
    if (a.multi_exit_disc)
        j["multi_exit_disc"] = *a.multi_exit_disc;
    if (a.local_pref)
        j["local_pref"] = *a.local_pref;
    if (a.atomic_aggregate)
        j["atomic_aggregate"] = true;
    if (a.aggregator)
        j["aggregator"] = aggregator_json(*a.aggregator);
    list_fields(a, j);
    mp_fields(a, ctx, j);
    if (a.as4_path)
        j["as4_path"] = as_path_json(*a.as4_path);
    if (a.as4_aggregator)
        j["as4_aggregator"] = aggregator_json(*a.as4_aggregator);
    if (a.only_to_customer)
        j["only_to_customer"] = *a.only_to_customer;
    return j;
}

json to_json(const bgp::Update& m, const bgp::CodecContext& ctx)
{
    json j{{"withdrawn_routes", nlri_json(m.withdrawn_routes, ctx.add_path_ipv4)},
           {"path_attributes", to_json(m.path_attributes, ctx)},
           {"nlri", nlri_json(m.nlri, ctx.add_path_ipv4)}};
    if (auto eor = bgp::end_of_rib_family(m))
        j["end_of_rib"] = bgp::to_string(*eor);
    return j;
}

json to_json(const bgp::Notification& m)
{
    json j{{"code", m.code},
           {"subcode", m.subcode},
           {"description", bgp::describe(m.code, m.subcode)},
           {"data", to_hex(m.data)}};
    if (auto text = bgp::shutdown_communication(m))
        j["shutdown_communication"] = *text;
    return j;
}

json to_json(const bgp::RouteRefresh& m)
{
    json j = family_json(m.family);
    auto name = subtype_name(m.subtype);
    if (name.empty())
        j["subtype"] = m.subtype; // RFC 7313 §5: unknown, the receiver ignores the message
    else
        j["subtype"] = name;
    return j;
}

json to_json(const bgp::DecodeError& e)
{
    return json{{"code", e.code},
                {"subcode", e.subcode},
                {"description", bgp::describe(e.code, e.subcode)},
                {"data", to_hex(e.data)},
                {"offset", e.offset},
                {"action", bgp::to_string(e.action)},
                {"what", e.what},
                {"text", bgp::to_string(e)}};
}

json outcome_json(const bgp::UpdateOutcome& o)
{
    json j = json::object();
    if (o.error) {
        j = to_json(*o.error);
        j["treat_as_withdraw"] = o.treat_as_withdraw;
    }
    json all = json::array();
    for (const auto& e : o.errors)
        all.push_back(to_json(e));
    j["errors"] = std::move(all);
    json families = json::array();
    for (const auto& f : o.disabled_families)
        families.push_back(bgp::to_string(f));
    j["disabled_families"] = std::move(families);
    return j;
}

json to_json(const bgp::Message& m, const bgp::CodecContext& ctx)
{
    json j{{"type", bgp::to_string(bgp::message_type(m))}};
    std::visit(
        [&](const auto& msg) {
            using T = std::decay_t<decltype(msg)>;
            if constexpr (std::is_same_v<T, bgp::Open>)
                j["open"] = to_json(msg);
            else if constexpr (std::is_same_v<T, bgp::Update>)
                j["update"] = to_json(msg, ctx);
            else if constexpr (std::is_same_v<T, bgp::Notification>)
                j["notification"] = to_json(msg);
            else if constexpr (std::is_same_v<T, bgp::Keepalive>)
                j["keepalive"] = json::object();
            else
                j["route_refresh"] = to_json(msg);
        },
        m);
    return j;
}

namespace {

std::string stream_error(std::size_t index, std::size_t start, const bgp::DecodeError& e)
{
    return fmt::format("message {} at input byte {}: {} (input byte {})", index, start,
                       bgp::to_string(e), start + e.offset);
}

} // namespace

StreamJson decode_stream(bgp::ByteView input, const bgp::CodecContext& ctx)
{
    StreamJson out;
    std::size_t start = 0;
    for (std::size_t index = 1; start < input.size(); ++index) {
        const bgp::ByteView rest = input.subspan(start);
        json entry{{"offset", start}};
        auto header = bgp::decode_header(rest, ctx);
        if (!header) {
            entry["error"] = to_json(header.error());
            out.messages.push_back(std::move(entry));
            out.error = stream_error(index, start, header.error());
            return out;
        }
        entry["type"] = bgp::to_string(header->type);
        entry["length"] = header->length;
        // The marker was checked by decode_header (RFC 4271 §6.1); a bad one is an error.
        entry["marker"] = "ok";
        const bgp::ByteView wire = rest.first(std::min<std::size_t>(rest.size(), header->length));
        std::optional<bgp::DecodeError> fatal;
        if (header->type == bgp::MessageType::update && wire.size() == header->length) {
            bgp::Reader body(wire.subspan(bgp::header_size), bgp::header_size);
            bgp::UpdateOutcome outcome = bgp::decode_update(body, ctx);
            entry.update(to_json(bgp::Message{outcome.update}, ctx));
            if (outcome.error) {
                entry["rfc7606"] = outcome_json(outcome);
                if (!out.error)
                    out.error = stream_error(index, start, *outcome.error);
                if (outcome.error->action == bgp::Rfc7606::session_reset)
                    fatal = outcome.error;
            }
        } else if (auto m = bgp::decode_message(wire, ctx)) {
            entry.update(to_json(*m, ctx));
        } else {
            entry["error"] = to_json(m.error());
            if (!out.error)
                out.error = stream_error(index, start, m.error());
            fatal = m.error();
        }
        out.messages.push_back(std::move(entry));
        if (fatal)
            return out;
        start += header->length;
    }
    return out;
}

} // namespace vipd::cli
