// Configuration sections "checks" (named tcp/http/https/exec/file/dns/process/listen checks
// with their timing, health::CheckSpec) and "haproxy" (named HAProxy instances whose stats the
// rules refer to), and the one table of check kinds (check_kinds.hpp) with each kind's reader
// and JSON view.
// Each check is finally validated by health::make_check so that the Monitor will accept it.
#include <algorithm>
#include <array>
#include <type_traits>

#include "cli/config/check_kinds.hpp"
#include "cli/config/sections.hpp"
#include "health/dns_message.hpp"
#include "health/http_match.hpp"
#include "health/proc.hpp"

namespace vipd::cli::detail {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using Out = nlohmann::ordered_json;

const std::array<std::string_view, 8> timing_keys{"kind", "interval", "fast-interval", "timeout",
                                                  "rise", "fall",     "jitter",        "initial"};

std::vector<std::string_view> all_check_keys()
{
    std::vector<std::string_view> keys(timing_keys.begin(), timing_keys.end());
    for (const auto& kind : check_kinds()) {
        for (auto k : kind.keys) {
            if (std::find(keys.begin(), keys.end(), k) == keys.end())
                keys.push_back(k);
        }
    }
    return keys;
}

std::optional<std::string> numeric_address(const Value& v)
{
    auto s = as_string(v);
    if (s && !bgp::Address::parse(*s)) {
        // "[::1]" or "[::1]:53", as in a URL: here the port has a key of its own.
        v.expected(s->starts_with('[') ? "a numeric IPv4 or IPv6 address (IPv6 without brackets)"
                                       : "a numeric IPv4 or IPv6 address");
        return std::nullopt;
    }
    return s;
}

// Source addresses: empty means the kernel's choice.
std::optional<std::string> source_address(const Value& v)
{
    if (v.json->is_string() && v.json->get_ref<const std::string&>().empty())
        return std::string();
    return numeric_address(v);
}

std::optional<std::string> absolute_path(const Value& v)
{
    auto s = as_non_empty_string(v);
    if (s && s->front() != '/') {
        v.expected("an absolute path");
        return std::nullopt;
    }
    return s;
}

// "HOST[:PORT]" of a URL: a numeric IPv4 address or a bracketed IPv6 one.
bool parse_authority(std::string_view authority, health::HttpTarget& t)
{
    std::string_view host = authority;
    std::string_view port;
    bool has_port = false;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return false;
        host = authority.substr(1, close - 1);
        const auto rest = authority.substr(close + 1);
        if (!rest.empty() && rest.front() != ':')
            return false;
        has_port = !rest.empty();
        port = has_port ? rest.substr(1) : rest;
    } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        has_port = true;
    }
    auto addr = bgp::Address::parse(host);
    if (!addr || addr->is_v4() == authority.starts_with('['))
        return false;
    unsigned p = 0;
    if (has_port) {
        if (port.empty() || port.size() > 5)
            return false;
        for (char c : port) {
            if (c < '0' || c > '9')
                return false;
            p = p * 10 + static_cast<unsigned>(c - '0');
        }
        if (p == 0 || p > 65535)
            return false;
    }
    t.address = addr->to_string();
    t.port = static_cast<std::uint16_t>(p); // 0: the scheme's port
    return true;
}

// An http:// or https:// URL whose host is a numeric address; fills address, port, tls and
// path of `t` (the request target keeps its query). `tls`: the scheme the kind requires.
std::optional<health::HttpTarget> read_url(const Value& v, health::HttpTarget t,
                                           std::optional<bool> tls)
{
    auto s = as_string(v);
    if (!s)
        return std::nullopt;
    const std::string_view text = *s;
    const auto scheme_end = text.find("://");
    const std::string_view scheme = text.substr(0, scheme_end);
    if (scheme_end == std::string_view::npos || (scheme != "http" && scheme != "https")) {
        v.expected("a URL such as \"http://127.0.0.1:8080/health\"");
        return std::nullopt;
    }
    t.tls = scheme == "https";
    if (tls && *tls != t.tls) {
        v.expected(fmt::format("an {}:// URL for this kind", *tls ? "https" : "http"));
        return std::nullopt;
    }
    const std::string_view rest = text.substr(scheme_end + 3);
    const auto path_at = rest.find('/');
    const std::string_view authority = rest.substr(0, path_at);
    t.path = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
    if (authority.find('@') != std::string_view::npos) {
        v.error("credentials in the URL: give them as \"username\" and \"password\"");
        return std::nullopt;
    }
    if (!parse_authority(authority, t)) {
        v.expected("a URL whose host is a numeric IPv4 address or a bracketed IPv6 address, "
                   "with an optional port (set \"host\" for the Host header)");
        return std::nullopt;
    }
    return t;
}

void read_http_common(const Object& o, health::HttpTarget& t)
{
    o.set("method", t.method, [](const Value& v) {
        return as_enum<std::string>(v, {{"GET", "GET"}, {"HEAD", "HEAD"}});
    });
    o.set("host", t.host, as_string);
    o.set("username", t.username, as_string);
    o.set("password", t.password, as_string);
    o.set("source-address", t.source_address, source_address);
    if (auto v = o.get("headers")) {
        if (auto members = as_map(*v)) {
            t.headers.clear();
            for (const auto& [name, value] : *members) {
                if (auto text = as_string(value))
                    t.headers.push_back({name, *text});
            }
        }
    }
    if (t.tls) {
        o.set("sni", t.sni, as_string);
        o.set("verify-tls", t.verify_tls, as_bool);
        o.set("ca-file", t.ca_file, [](const Value& v) -> std::optional<std::string> {
            if (v.json->is_string() && v.json->get_ref<const std::string&>().empty())
                return std::string(); // the system store
            return absolute_path(v);
        });
    }
}

health::HttpCheckConfig read_http(const Object& o, bool tls)
{
    health::HttpCheckConfig c;
    c.target.tls = tls;
    if (o.require("url"))
        o.set("url", c.target, [&](const Value& v) { return read_url(v, c.target, tls); });
    read_http_common(o, c.target);
    o.set("status", c.expect.status,
          [](const Value& v) -> std::optional<std::vector<health::StatusRange>> {
              std::string text;
              if (v.json->is_number_unsigned())
                  text = std::to_string(v.json->get<std::uint64_t>());
              else if (v.json->is_string())
                  text = v.json->get<std::string>();
              else {
                  v.expected("a status code or a list such as \"200-299,301\"");
                  return std::nullopt;
              }
              auto r = health::parse_status_ranges(text);
              if (!r) {
                  v.error(r.error());
                  return std::nullopt;
              }
              return *r;
          });
    o.set("body-contains", c.expect.body_contains, as_string);
    o.set("body-regex", c.expect.body_regex, as_string);
    o.set("max-body", c.max_body, uint_in<std::size_t>(1, 16 * 1024 * 1024));
    return c;
}

health::ProbeConfig read_http_kind(const Object& o)
{
    return read_http(o, false);
}

health::ProbeConfig read_https_kind(const Object& o)
{
    return read_http(o, true);
}

// The required "address" (numeric) and "port" (1..65535) of a tcp or listen check.
void read_address_port(const Object& o, std::string& address, std::uint16_t& port)
{
    o.require("address");
    o.require("port");
    o.set("address", address, numeric_address);
    o.set("port", port, uint_in<std::uint16_t>(1));
}

health::ProbeConfig read_tcp(const Object& o)
{
    health::TcpCheckConfig c;
    read_address_port(o, c.address, c.port);
    o.set("send", c.send, as_string);
    o.set("expect", c.expect, as_string);
    o.set("source-address", c.source_address, source_address);
    o.set("max-reply", c.max_reply, uint_in<std::size_t>(1, 1024 * 1024));
    return c;
}

health::ProbeConfig read_exec(const Object& o)
{
    health::ExecCheckConfig c;
    if (auto v = o.get("command")) {
        if (v->json->is_string()) {
            c.shell = true; // one command line, run by /bin/sh -c
            if (auto s = as_non_empty_string(*v))
                c.argv = {*s};
        } else if (auto items = as_array(*v)) {
            for (const auto& item : *items) {
                if (auto s = as_non_empty_string(item))
                    c.argv.push_back(*s);
            }
            if (items->empty())
                v->expected("a command line or a non-empty array of program and arguments");
        }
    } else {
        o.require("command");
    }
    o.set("env", c.env, [](const Value& v) { return as_environment(v); });
    o.set("max-output", c.max_output, uint_in<std::size_t>(1, 1024 * 1024));
    return c;
}

// A DNS name, type or RCODE as dns_message.hpp reads it.
std::optional<std::string> dns_name(const Value& v)
{
    auto s = as_string(v);
    if (!s)
        return s;
    if (auto name = health::dns::parse_name(*s); !name) {
        v.error(fmt::format("not a DNS name: {}", name.error()));
        return std::nullopt;
    }
    return s;
}

template <auto Parse> std::optional<std::uint16_t> dns_number(const Value& v, std::string_view what)
{
    std::optional<std::uint16_t> n;
    if (v.json->is_string())
        n = Parse(v.json->get_ref<const std::string&>());
    else if (v.json->is_number_unsigned() && v.json->get<std::uint64_t>() <= 65535)
        n = Parse(std::to_string(v.json->get<std::uint64_t>()));
    if (!n)
        v.expected(what);
    return n;
}

health::ProbeConfig read_dns(const Object& o)
{
    health::DnsCheckConfig c;
    o.require("address");
    o.require("name");
    o.set("address", c.address, numeric_address);
    o.set("port", c.port, uint_in<std::uint16_t>(1));
    o.set("name", c.name, dns_name);
    o.set("type", c.type, [](const Value& v) {
        return dns_number<health::dns::parse_type>(
            v, "a record type (\"A\", \"AAAA\", \"TXT\", \"SOA\", \"NS\", \"CNAME\", "
               "\"MX\", \"PTR\", \"SRV\", \"TYPE99\") or a number 1..65535");
    });
    o.set("rcode", c.rcode, [](const Value& v) {
        return dns_number<health::dns::parse_rcode>(
            v, "an RCODE (\"NOERROR\", \"NXDOMAIN\", \"SERVFAIL\", \"REFUSED\"...) or a "
               "number 0..4095");
    });
    o.set("contains", c.contains, as_string);
    o.set("aa", c.authoritative, as_bool);
    o.set("ad", c.authentic_data, as_bool);
    o.set("recursion-desired", c.recursion_desired, as_bool);
    o.set("transport", c.transport, [](const Value& v) {
        return as_enum<health::DnsTransport>(
            v, {{"udp", health::DnsTransport::udp}, {"tcp", health::DnsTransport::tcp}});
    });
    o.set("edns-buffer-size", c.edns_buffer, [](const Value& v) -> std::optional<std::uint16_t> {
        auto n = as_uint(v, 0, 65535, "0 (no EDNS) or 512..65535");
        if (n && *n != 0 && *n < health::min_edns_buffer) {
            v.expected("0 (no EDNS) or 512..65535");
            return std::nullopt;
        }
        return n ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*n)) : std::nullopt;
    });
    o.set("max-reply", c.max_reply,
          uint_in<std::size_t>(health::min_dns_reply, health::max_dns_reply));
    o.set("source-address", c.source_address, source_address);
    return c;
}

health::ProbeConfig read_file(const Object& o)
{
    health::FileCheckConfig f;
    if (o.require("path"))
        o.set("path", f.path, absolute_path);
    return f;
}

// "" (as the effective configuration shows an unset one) or an absolute path.
std::optional<std::string> optional_path(const Value& v)
{
    if (v.json->is_string() && v.json->get_ref<const std::string&>().empty())
        return std::string();
    return absolute_path(v);
}

health::ProbeConfig read_process(const Object& o)
{
    health::ProcessCheckConfig c;
    if (!o.has("pidfile") && !o.has("cmdline"))
        o.error("pidfile", "missing key \"pidfile\" or \"cmdline\" (or both)");
    o.set("pidfile", c.pidfile, optional_path);
    o.set("cmdline", c.cmdline, [](const Value& v) -> std::optional<std::string> {
        auto s = as_string(v);
        if (s && !s->empty() && (health::cmdline_words(*s).empty() || s->size() > 4096)) {
            v.expected("1..4096 characters with at least one word, e.g. \"haproxy -f\"");
            return std::nullopt;
        }
        return s;
    });
    return c;
}

health::ProbeConfig read_listen(const Object& o)
{
    health::ListenCheckConfig c;
    read_address_port(o, c.address, c.port);
    o.set("protocol", c.protocol, [](const Value& v) {
        return as_enum<health::SocketProtocol>(
            v, {{"tcp", health::SocketProtocol::tcp}, {"udp", health::SocketProtocol::udp}});
    });
    return c;
}

health::CheckTiming read_timing(const Object& o)
{
    health::CheckTiming t;
    o.set("interval", t.interval, duration_in(milliseconds(100), std::chrono::hours(1)));
    t.fast_interval = std::min(t.fast_interval, t.interval);
    o.set("fast-interval", t.fast_interval, duration_in(milliseconds(100), t.interval));
    o.set("timeout", t.timeout, duration_in(milliseconds(10), std::chrono::hours(1)));
    o.set("rise", t.rise, uint_in<unsigned>(1, 1000));
    o.set("fall", t.fall, uint_in<unsigned>(1, 1000));
    o.set("jitter", t.jitter, duration_in(milliseconds(0), std::chrono::hours(1)));
    o.set("initial", t.initial, [](const Value& v) {
        return as_enum<health::InitialState>(
            v, {{"down", health::InitialState::down}, {"up", health::InitialState::up}});
    });
    return t;
}

// The row named by "kind", or nullptr (error reported).
const CheckKind* read_kind(const Value& v)
{
    std::vector<std::string_view> names;
    for (const auto& kind : check_kinds())
        names.push_back(kind.name);
    const auto i = as_choice(v, names);
    return i ? &check_kinds()[*i] : nullptr;
}

std::optional<health::CheckSpec> read_check(const std::string& name, const Value& v)
{
    const auto all = all_check_keys();
    Object o(v, all);
    if (!o.ok())
        return std::nullopt;
    if (!valid_name(name, false))
        v.ctx->error_at_key(v.pointer, v.pointer,
                            fmt::format("\"{}\" is not a check name (1..64 letters, digits, "
                                        "'_', '-', '.')",
                                        name));
    if (!o.require("kind"))
        return std::nullopt;
    const CheckKind* kind = read_kind(*o.get("kind"));
    if (kind == nullptr)
        return std::nullopt;
    for (const auto& [key, value] : v.json->items()) {
        const bool timing =
            std::find(timing_keys.begin(), timing_keys.end(), key) != timing_keys.end();
        const bool known = std::find(kind->keys.begin(), kind->keys.end(), key) != kind->keys.end();
        if (!timing && !known && std::find(all.begin(), all.end(), key) != all.end())
            v.ctx->error_at_key(
                child(v.pointer, key), v.pointer,
                fmt::format("key \"{}\" does not apply to a {} check", key, kind->name));
    }
    health::CheckSpec spec;
    spec.name = name;
    spec.probe = kind->read(o);
    spec.timing = read_timing(o);
    return spec;
}

std::string url(const health::HttpTarget& t)
{
    const bgp::Address a = bgp::Address::parse(t.address).value_or(bgp::Address{});
    std::string host = a.is_v4() ? t.address : fmt::format("[{}]", t.address);
    if (t.port != 0)
        host += fmt::format(":{}", t.port);
    return fmt::format("{}://{}{}", t.tls ? "https" : "http", host, t.path);
}

void write_tcp(const health::ProbeConfig& probe, Out& o)
{
    const auto& tcp = std::get<health::TcpCheckConfig>(probe);
    o["address"] = tcp.address;
    o["port"] = tcp.port;
    o["send"] = tcp.send;
    o["expect"] = tcp.expect;
    o["source-address"] = tcp.source_address;
    o["max-reply"] = tcp.max_reply;
}

void write_http(const health::ProbeConfig& probe, Out& o)
{
    const auto& http = std::get<health::HttpCheckConfig>(probe);
    put_http_target(o, http.target);
    o["status"] = health::to_string(http.expect.status);
    o["body-contains"] = http.expect.body_contains;
    o["body-regex"] = http.expect.body_regex;
    o["max-body"] = http.max_body;
}

void write_exec(const health::ProbeConfig& probe, Out& o)
{
    const auto& exec = std::get<health::ExecCheckConfig>(probe);
    o["command"] = exec.shell && exec.argv.size() == 1 ? Out(exec.argv.front()) : Out(exec.argv);
    Out env = Out::object();
    for (const auto& entry : exec.env) // values often carry tokens: names only
        env[entry.substr(0, entry.find('='))] = redacted;
    o["env"] = env;
    o["max-output"] = exec.max_output;
}

void write_dns(const health::ProbeConfig& probe, Out& o)
{
    const auto& dns = std::get<health::DnsCheckConfig>(probe);
    o["address"] = dns.address;
    o["port"] = dns.port;
    o["name"] = dns.name;
    o["type"] = health::dns::type_name(dns.type);
    o["rcode"] = health::dns::rcode_name(dns.rcode);
    o["contains"] = dns.contains;
    o["aa"] = dns.authoritative;
    o["ad"] = dns.authentic_data;
    o["recursion-desired"] = dns.recursion_desired;
    o["transport"] = dns.transport == health::DnsTransport::tcp ? "tcp" : "udp";
    o["edns-buffer-size"] = dns.edns_buffer;
    o["max-reply"] = dns.max_reply;
    o["source-address"] = dns.source_address;
}

void write_file(const health::ProbeConfig& probe, Out& o)
{
    o["path"] = std::get<health::FileCheckConfig>(probe).path;
}

void write_process(const health::ProbeConfig& probe, Out& o)
{
    const auto& process = std::get<health::ProcessCheckConfig>(probe);
    o["pidfile"] = process.pidfile;
    o["cmdline"] = process.cmdline;
}

void write_listen(const health::ProbeConfig& probe, Out& o)
{
    const auto& listen = std::get<health::ListenCheckConfig>(probe);
    o["address"] = listen.address;
    o["port"] = listen.port;
    o["protocol"] = listen.protocol == health::SocketProtocol::tcp ? "tcp" : "udp";
}

// The HAProxy stats page: "url" (";csv" appended when missing) with optional basic auth.
void read_stats_page(const Object& o, health::HaproxyInstanceConfig& c)
{
    c.transport = health::HaproxyTransport::stats_page;
    o.set("url", c.page, [&](const Value& v) { return read_url(v, c.page, std::nullopt); });
    if (!c.page.path.ends_with(";csv"))
        c.page.path += ";csv";
    read_http_common(o, c.page);
    if (!c.page.tls) {
        for (auto key : {"sni", "verify-tls", "ca-file"}) {
            if (o.has(key))
                o.error(key, fmt::format("\"{}\" applies to an https:// URL only", key));
        }
    }
}

std::optional<HaproxyConfig> read_instance(const std::string& name, const Value& v)
{
    Object o(v, {"socket", "address", "url", "username", "password", "host", "headers", "method",
                 "source-address", "sni", "verify-tls", "ca-file", "interval", "timeout", "jitter",
                 "max-bytes", "rise", "fall"});
    if (!o.ok())
        return std::nullopt;
    HaproxyConfig h;
    h.instance.name = name;
    if (!valid_name(name, false))
        v.ctx->error_at_key(v.pointer, v.pointer,
                            fmt::format("\"{}\" is not an instance name (1..64 letters, digits, "
                                        "'_', '-', '.')",
                                        name));
    const int transports = int{o.has("socket")} + int{o.has("address")} + int{o.has("url")};
    if (transports != 1) {
        v.error("give exactly one of \"socket\" (stats socket path), \"address\" (stats socket "
                "on TCP) or \"url\" (stats page)");
        return std::nullopt;
    }
    if (o.has("socket")) {
        h.instance.transport = health::HaproxyTransport::unix_socket;
        o.set("socket", h.instance.socket_path, absolute_path);
    } else if (o.has("address")) {
        h.instance.transport = health::HaproxyTransport::tcp_socket;
        if (auto e = as_endpoint(*o.get("address"), 0)) {
            h.instance.address = e->address.to_string();
            h.instance.port = e->port;
        }
    } else {
        read_stats_page(o, h.instance);
    }
    if (!o.has("url")) {
        for (auto key : {"username", "password", "host", "headers", "method", "source-address",
                         "sni", "verify-tls", "ca-file"}) {
            if (o.has(key))
                o.error(key, fmt::format("\"{}\" applies to a stats page (\"url\") only", key));
        }
    }
    o.set("interval", h.instance.interval, duration_in(milliseconds(100), std::chrono::hours(1)));
    o.set("timeout", h.instance.timeout, duration_in(milliseconds(10), std::chrono::hours(1)));
    o.set("jitter", h.instance.jitter, duration_in(milliseconds(0), std::chrono::hours(1)));
    o.set("max-bytes", h.instance.max_bytes, uint_in<std::size_t>(1024, 256 * 1024 * 1024));
    o.set("rise", h.rise, uint_in<unsigned>(1, 1000));
    o.set("fall", h.fall, uint_in<unsigned>(1, 1000));
    return h;
}

} // namespace

std::span<const CheckKind> check_kinds()
{
    static const std::array<CheckKind, 8> kinds{{
        {"tcp",
         {"address", "port", "send", "expect", "source-address", "max-reply"},
         read_tcp,
         write_tcp,
         R"({"address": "127.0.0.1", "port": 80})"},
        {"http",
         {"url", "method", "host", "headers", "username", "password", "source-address", "status",
          "body-contains", "body-regex", "max-body"},
         read_http_kind,
         write_http,
         R"({"url": "http://127.0.0.1:8080/health"})"},
        {"https",
         {"url", "method", "host", "headers", "username", "password", "source-address", "status",
          "body-contains", "body-regex", "max-body", "sni", "verify-tls", "ca-file"},
         read_https_kind,
         write_http,
         R"({"url": "https://127.0.0.1:8443/health", "verify-tls": false})"},
        {"exec",
         {"command", "env", "max-output"},
         read_exec,
         write_exec,
         R"({"command": ["/bin/true"]})"},
        {"file", {"path"}, read_file, write_file, R"({"path": "/etc/vipd/maintenance"})"},
        {"dns",
         {"address", "port", "name", "type", "rcode", "contains", "aa", "ad", "recursion-desired",
          "transport", "edns-buffer-size", "max-reply", "source-address"},
         read_dns,
         write_dns,
         R"({"address": "127.0.0.1", "name": "example.com", "type": "SOA"})"},
        {"process",
         {"pidfile", "cmdline"},
         read_process,
         write_process,
         R"({"pidfile": "/run/haproxy.pid"})"},
        {"listen",
         {"address", "port", "protocol"},
         read_listen,
         write_listen,
         R"({"address": "127.0.0.1", "port": 80})"},
    }};
    return kinds;
}

const CheckKind* find_check_kind(std::string_view name)
{
    for (const auto& kind : check_kinds()) {
        if (kind.name == name)
            return &kind;
    }
    return nullptr;
}

std::span<const std::string_view> check_timing_keys()
{
    return timing_keys;
}

void put_http_target(Out& o, const health::HttpTarget& t)
{
    o["url"] = url(t);
    o["method"] = t.method;
    o["host"] = t.host;
    Out headers = Out::object();
    for (const auto& h : t.headers) // values often carry credentials (Authorization): names only
        headers[h.name] = redacted;
    o["headers"] = headers;
    o["username"] = t.username;
    o["password"] = t.password.empty() ? "" : std::string(redacted);
    o["source-address"] = t.source_address;
    if (t.tls) {
        o["sni"] = t.sni;
        o["verify-tls"] = t.verify_tls;
        o["ca-file"] = t.ca_file;
    }
}

namespace {

/// Reads every member of the object `key` with `read`; an entry read without error is then
/// checked by `validate` (the running component's own rules: the same errors at load time).
template <typename Read, typename Validate>
auto read_named(const Object& root, std::string_view key, Read read, Validate validate)
{
    using T = typename std::invoke_result_t<Read, const std::string&, const Value&>::value_type;
    std::vector<T> out;
    auto v = root.get(key);
    if (!v)
        return out;
    auto members = as_map(*v);
    if (!members)
        return out;
    for (const auto& [name, value] : *members) {
        const std::size_t errors_before = value.ctx->error_count();
        auto item = read(name, value);
        if (!item)
            continue;
        if (value.ctx->error_count() == errors_before)
            if (auto ok = validate(*item); !ok)
                value.error(ok.error());
        out.push_back(std::move(*item));
    }
    return out;
}

} // namespace

std::vector<health::CheckSpec> read_checks(const Object& root)
{
    // The Monitor's own validation (addresses, regex, TLS settings): same rules.
    return read_named(root, "checks", read_check,
                      [](const health::CheckSpec& spec) -> tl::expected<void, std::string> {
                          if (auto made = health::make_check(spec.probe); !made)
                              return tl::unexpected(made.error());
                          return health::validate(spec.timing);
                      });
}

std::vector<HaproxyConfig> read_haproxy(const Object& root)
{
    return read_named(root, "haproxy", read_instance,
                      [](const HaproxyConfig& h) -> tl::expected<void, std::string> {
                          if (auto made = health::HaproxySource::make(h.instance); !made)
                              return tl::unexpected(made.error());
                          return {};
                      });
}

} // namespace vipd::cli::detail
