// The control socket listener and its client sessions (see control_server.hpp). Per client: a
// reader coroutine that cuts lines and dispatches requests (pausing when too many replies are
// outstanding), an ordered queue of reply slots filled by Respond calls in any order, and a
// writer driven by completions. One sweep timer closes idle and stuck clients.
#include "cli/control/server.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <set>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/config/config.hpp"
#include "cli/control/registry.hpp"
#include "cli/daemon/log.hpp"

namespace vipd::cli {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::local::stream_protocol;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t read_chunk = 64 * 1024;
/// sockaddr_un::sun_path holds 108 bytes with the terminating NUL on Linux (unix(7)).
constexpr std::size_t max_socket_path = sizeof(sockaddr_un::sun_path) - 1;
constexpr auto sweep_floor = std::chrono::milliseconds(10);
constexpr auto sweep_ceiling = std::chrono::milliseconds(1000);
/// Bytes of a refused client's request read and dropped, so closing does not reset the
/// connection before the client reads the refusal.
constexpr std::size_t refusal_drain = 4096;

std::string errno_text(int e)
{
    return std::strerror(e);
}

void set_cloexec(int fd)
{
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0)
        (void)::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/// A user or group given by name or number; nullopt for "leave unchanged" (empty text).
tl::expected<std::optional<unsigned>, std::string> resolve_id(const std::string& name, bool group)
{
    if (name.empty())
        return std::nullopt;
    if (name.find_first_not_of("0123456789") == std::string::npos && name.size() < 10)
        return static_cast<unsigned>(std::stoul(name));
    std::vector<char> buf(16384);
    int rc = 0;
    if (group) {
        ::group g{};
        ::group* found = nullptr;
        rc = ::getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found);
        if (found)
            return static_cast<unsigned>(g.gr_gid);
    } else {
        ::passwd p{};
        ::passwd* found = nullptr;
        rc = ::getpwnam_r(name.c_str(), &p, buf.data(), buf.size(), &found);
        if (found)
            return static_cast<unsigned>(p.pw_uid);
    }
    return tl::unexpected(
        fmt::format("{} \"{}\" {}", group ? "group" : "owner", name,
                    rc ? "cannot be looked up: " + errno_text(rc) : std::string("does not exist")));
}

/// An existing file at `path` may be replaced only if it is a socket nobody accepts on.
tl::expected<void, std::string> check_existing(const fs::path& path)
{
    struct stat st = {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return {};
        return tl::unexpected("stat: " + errno_text(errno));
    }
    if (!S_ISSOCK(st.st_mode))
        return tl::unexpected(std::string("exists and is not a socket; not replacing it"));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return tl::unexpected("socket: " + errno_text(errno));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.native().size());
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int e = errno;
    ::close(fd);
    // A listener that accepts, or whose queue is full (EAGAIN), is alive; ECONNREFUSED: stale.
    if (rc == 0 || e == EAGAIN || e == EINPROGRESS)
        return tl::unexpected(
            std::string("another process is listening on it (is vipd already running?)"));
    if (e != ECONNREFUSED)
        return tl::unexpected("probing the existing socket: " + errno_text(e));
    return {};
}

} // namespace

class ControlSession;

struct ControlServer::State
{
    State(asio::io_context& io_in, const ControlSocketConfig& config, ControlHandler& h,
          ControlLimits l)
        : io(io_in), path(config.path), mode(config.mode), owner(config.owner), group(config.group),
          handler(&h), limits(l), acceptor(io_in), backoff(io_in), sweep_timer(io_in)
    {}

    void log(LogLevel level, std::initializer_list<Log::Field> fields) const
    {
        if (logger && logger->enabled(level))
            logger->write(level, "control", fields);
    }

    tl::expected<void, std::string> open();
    void refuse(stream_protocol::socket socket) const;

    asio::io_context& io;
    fs::path path;
    std::uint32_t mode;
    std::string owner;
    std::string group;
    ControlHandler* handler;
    ControlLimits limits;
    Log* logger = nullptr;
    stream_protocol::acceptor acceptor;
    asio::steady_timer backoff;     ///< pause after a failed accept (EMFILE)
    asio::steady_timer sweep_timer; ///< paces sweep_loop
    std::set<std::shared_ptr<ControlSession>> clients;
    std::optional<std::pair<dev_t, ino_t>> ours; ///< the socket file we created
    std::uint64_t next_client = 1;
    bool running = false;
    bool stopped = false; ///< stop() was called; start() no longer works
};

/// One connected client.
class ControlSession : public std::enable_shared_from_this<ControlSession>
{
public:
    ControlSession(std::shared_ptr<ControlServer::State> server, stream_protocol::socket socket,
                   std::uint64_t id)
        : server_(std::move(server)), socket_(std::move(socket)), room_(server_->io), id_(id),
          last_activity_(Clock::now())
    {}

    void start();
    void close(std::string_view why);
    /// Closes the session if it is past its idle or write deadline at `now`.
    void sweep(Clock::time_point now);
    /// Queues one event line if this client watches (see ControlServer::publish).
    void publish(const std::string& line);
    /// Since when the session has been quiet: no request in the daemon and no complete request
    /// line or reply progress since; nullopt while a request is in the daemon.
    [[nodiscard]] std::optional<Clock::time_point> quiet_since() const;

private:
    struct Slot
    {
        std::optional<json> id;
        std::string bytes;
        bool done = false;
        bool ok = false;
    };

    static asio::awaitable<void> read_loop(std::shared_ptr<ControlSession> self);
    asio::awaitable<bool> wait_for_room();
    [[nodiscard]] std::size_t unsent() const { return out_.size() + inflight_.size() - written_; }
    void dispatch(std::string_view line);
    void refuse_line(std::size_t length);
    void complete(std::uint64_t seq, json reply);
    void pump();
    void write_more();
    void finish_if_done();

    std::shared_ptr<ControlServer::State> server_;
    stream_protocol::socket socket_;
    asio::steady_timer room_; ///< the reader waits on it for room; cancelled to wake it
    std::uint64_t id_;
    std::deque<Slot> slots_; ///< replies in request order; front has sequence first_seq_
    std::uint64_t first_seq_ = 0;
    std::string out_;         ///< finished replies not yet handed to a write
    std::string inflight_;    ///< bytes of the write in progress
    std::size_t written_ = 0; ///< of inflight_
    bool writing_ = false;
    bool reading_done_ = false; ///< EOF, error or oversized line: close once all is written
    bool closed_ = false;
    std::optional<std::uint64_t> watch_seq_; ///< the streaming request, once dispatched
    bool watching_ = false;                  ///< its reply was ok and written out: events go
    Clock::time_point last_activity_;        ///< last complete request line or write progress
    Clock::time_point last_write_progress_;  ///< start of the current write or its progress
};

void ControlSession::start()
{
    auto self = shared_from_this();
    asio::co_spawn(server_->io, read_loop(self), [self](const std::exception_ptr& e) {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            self->server_->log(LogLevel::error, {{"client", std::to_string(self->id_)},
                                                 {"event", "reader failed"},
                                                 {"error", ex.what()}});
        }
        self->close("reader failed");
    });
}

asio::awaitable<void> ControlSession::read_loop(std::shared_ptr<ControlSession> self)
{
    const ControlLimits& limits = self->server_->limits;
    std::vector<char> chunk(read_chunk);
    std::string buf;
    std::size_t scanned = 0;
    for (;;) {
        std::size_t start = 0;
        for (auto nl = buf.find('\n', scanned); nl != std::string::npos;
             nl = buf.find('\n', start)) {
            if (!co_await self->wait_for_room())
                co_return;
            self->dispatch(std::string_view(buf).substr(start, nl - start));
            start = nl + 1;
        }
        buf.erase(0, start);
        scanned = buf.size();
        if (buf.size() > limits.max_line) {
            self->refuse_line(buf.size());
            co_return;
        }
        auto [ec, n] = co_await self->socket_.async_read_some(asio::buffer(chunk),
                                                              asio::as_tuple(asio::use_awaitable));
        if (self->closed_)
            co_return;
        if (ec) {
            // A last request without its newline still counts (`printf '{...}' | socat`).
            if (ec == asio::error::eof && !buf.empty() && co_await self->wait_for_room())
                self->dispatch(buf);
            self->reading_done_ = true;
            self->finish_if_done();
            co_return;
        }
        buf.append(chunk.data(), n);
    }
}

asio::awaitable<bool> ControlSession::wait_for_room()
{
    const ControlLimits& limits = server_->limits;
    while (!closed_ && (slots_.size() >= limits.max_pending || unsent() >= limits.max_unsent)) {
        room_.expires_at(Clock::time_point::max());
        (void)co_await room_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return !closed_;
}

void ControlSession::dispatch(std::string_view line)
{
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos)
        return; // blank lines are allowed between requests
    if (watch_seq_)
        return; // after a streaming request the connection carries events only
    last_activity_ = Clock::now();
    const std::uint64_t seq = first_seq_ + slots_.size();
    slots_.emplace_back();
    auto request = parse_request(line);
    if (!request) {
        slots_.back().id = request.error().id;
        complete(seq, error_reply(request.error().message));
        return;
    }
    slots_.back().id = request->id;
    if (const auto* spec = find_command(request->command); spec && spec->stream)
        watch_seq_ = seq;
    if (!server_->running) {
        complete(seq, error_reply("vipd is stopping"));
        return;
    }
    Respond respond = [weak = weak_from_this(), seq](json reply) {
        if (auto s = weak.lock())
            s->complete(seq, std::move(reply));
    };
    try {
        server_->handler->handle(request->command, request->args, std::move(respond));
    } catch (const std::exception& e) {
        complete(seq,
                 error_reply(fmt::format("internal error in {}: {}", request->command, e.what())));
    }
}

void ControlSession::refuse_line(std::size_t length)
{
    const std::uint64_t seq = first_seq_ + slots_.size();
    slots_.emplace_back();
    complete(seq, error_reply(fmt::format(
                      "request line longer than {} bytes (read {} bytes without a newline); "
                      "closing the connection",
                      server_->limits.max_line, length)));
    server_->log(LogLevel::warning, {{"client", std::to_string(id_)},
                                     {"event", "oversized request"},
                                     {"bytes", std::to_string(length)}});
    reading_done_ = true;
    finish_if_done();
}

void ControlSession::complete(std::uint64_t seq, json reply)
{
    if (closed_ || seq < first_seq_ || seq - first_seq_ >= slots_.size())
        return;
    Slot& slot = slots_[seq - first_seq_];
    if (slot.done)
        return; // a second Respond call for one request is ignored
    const json finished = finish_reply(std::move(reply), slot.id);
    slot.ok = finished.value("ok", false);
    slot.bytes = encode_line(finished);
    slot.done = true;
    pump();
}

void ControlSession::pump()
{
    while (!slots_.empty() && slots_.front().done) {
        out_ += slots_.front().bytes;
        if (watch_seq_ == first_seq_) {
            watching_ = slots_.front().ok;
            if (!watching_)
                watch_seq_.reset(); // refused: the connection takes requests again
            else
                server_->log(LogLevel::info,
                             {{"client", std::to_string(id_)}, {"event", "watching"}});
        }
        slots_.pop_front();
        ++first_seq_;
    }
    if (!writing_)
        write_more();
    room_.cancel();
    finish_if_done();
}

void ControlSession::write_more()
{
    if (written_ == inflight_.size()) {
        inflight_.clear();
        written_ = 0;
        if (out_.empty()) {
            writing_ = false;
            return;
        }
        inflight_.swap(out_);
    }
    if (!writing_)
        last_write_progress_ = Clock::now();
    writing_ = true;
    auto self = shared_from_this();
    socket_.async_write_some(asio::buffer(inflight_.data() + written_, inflight_.size() - written_),
                             [self](boost::system::error_code ec, std::size_t n) {
                                 if (self->closed_)
                                     return;
                                 if (ec) {
                                     self->close("write failed: " + ec.message());
                                     return;
                                 }
                                 self->written_ += n;
                                 self->last_write_progress_ = self->last_activity_ = Clock::now();
                                 self->write_more();
                                 self->room_.cancel();
                                 self->finish_if_done();
                             });
}

void ControlSession::finish_if_done()
{
    if (reading_done_ && slots_.empty() && !writing_ && out_.empty())
        close({});
}

void ControlSession::sweep(Clock::time_point now)
{
    const ControlLimits& limits = server_->limits;
    if (writing_ && now - last_write_progress_ > limits.write_timeout)
        close(
            fmt::format("the client read no reply bytes for {} ms", limits.write_timeout.count()));
    else if (!writing_ && slots_.empty() && !watching_ &&
             now - last_activity_ > limits.idle_timeout)
        close(fmt::format("idle for {} ms", limits.idle_timeout.count()));
}

void ControlSession::publish(const std::string& line)
{
    if (!watching_ || closed_)
        return;
    const std::size_t limit = server_->limits.max_watch_unsent;
    if (unsent() + line.size() <= limit) {
        out_ += line;
    } else {
        // Events not yet handed to a write are dropped; the one in flight completes.
        out_ = encode_line(
            {{"event", "dropped"},
             {"reason", fmt::format("the client did not read its events: more than {} bytes "
                                    "were waiting; closing the connection",
                                    limit)}});
        watching_ = false;
        reading_done_ = true;
        server_->log(LogLevel::warning, {{"client", std::to_string(id_)},
                                         {"event", "slow watcher dropped"},
                                         {"limit_bytes", std::to_string(limit)}});
    }
    if (!writing_)
        write_more();
    finish_if_done();
}

std::optional<Clock::time_point> ControlSession::quiet_since() const
{
    if (closed_ || std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return !s.done; }))
        return std::nullopt;
    return writing_ ? last_write_progress_ : last_activity_;
}

void ControlSession::close(std::string_view why)
{
    if (closed_)
        return;
    auto self = shared_from_this();
    closed_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    room_.cancel();
    if (!why.empty())
        server_->log(
            LogLevel::warning,
            {{"client", std::to_string(id_)}, {"event", "closed"}, {"reason", std::string(why)}});
    server_->clients.erase(self);
}

void ControlServer::State::refuse(stream_protocol::socket socket) const
{
    // The send buffer of a new socket is empty, so this short line is written at once.
    const std::string line = encode_line(error_reply(
        fmt::format("too many control clients ({} connected, the limit); try again later",
                    limits.max_clients)));
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    (void)socket.write_some(asio::buffer(line), ec);
    socket.shutdown(stream_protocol::socket::shutdown_send, ec);
    std::array<char, refusal_drain> sink{};
    (void)socket.read_some(asio::buffer(sink), ec);
    socket.close(ec);
    log(LogLevel::warning, {{"event", "refused"}, {"reason", "too many clients"}});
}

namespace {

void log_failure(const std::shared_ptr<ControlServer::State>& st, const char* what,
                 const std::exception_ptr& e)
{
    if (!e)
        return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        st->log(LogLevel::error, {{"event", std::string(what) + " failed"}, {"error", ex.what()}});
    }
}

/// Closes the client quiet for longest if quiet for `evict_after`; false: every client is busy.
bool evict_quietest(ControlServer::State& st)
{
    std::shared_ptr<ControlSession> victim;
    std::optional<Clock::time_point> oldest;
    for (const auto& c : st.clients)
        if (const auto since = c->quiet_since(); since && (!oldest || *since < *oldest)) {
            oldest = since;
            victim = c;
        }
    if (!victim || Clock::now() - *oldest < st.limits.evict_after)
        return false;
    victim->close(fmt::format(
        "evicted: quiet for {} ms while all {} client places were taken",
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - *oldest).count(),
        st.limits.max_clients));
    return true;
}

asio::awaitable<void> accept_loop(std::shared_ptr<ControlServer::State> st)
{
    while (st->running) {
        auto [ec, socket] = co_await st->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (!st->running)
            co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted)
                co_return;
            // EMFILE and friends: log, pause briefly rather than spin, keep serving.
            st->log(LogLevel::warning, {{"event", "accept failed"}, {"error", ec.message()}});
            st->backoff.expires_after(std::chrono::milliseconds(100));
            co_await st->backoff.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        set_cloexec(socket.native_handle());
        if (st->clients.size() >= st->limits.max_clients && !evict_quietest(*st)) {
            st->refuse(std::move(socket));
            continue;
        }
        auto session = std::make_shared<ControlSession>(st, std::move(socket), st->next_client++);
        st->clients.insert(session);
        session->start();
    }
}

asio::awaitable<void> sweep_loop(std::shared_ptr<ControlServer::State> st)
{
    const auto period = std::clamp(std::min(st->limits.idle_timeout, st->limits.write_timeout) / 4,
                                   sweep_floor, sweep_ceiling);
    while (st->running) {
        st->sweep_timer.expires_after(period);
        (void)co_await st->sweep_timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!st->running)
            co_return;
        const auto now = Clock::now();
        const std::vector<std::shared_ptr<ControlSession>> copy(st->clients.begin(),
                                                                st->clients.end());
        for (const auto& c : copy)
            c->sweep(now);
    }
}

} // namespace

tl::expected<void, std::string> ControlServer::State::open()
{
    if (path.native().size() > max_socket_path)
        return tl::unexpected(fmt::format("path is {} bytes long; unix sockets allow {}",
                                          path.native().size(), max_socket_path));
    const auto uid = resolve_id(owner, false);
    if (!uid)
        return tl::unexpected(uid.error());
    const auto gid = resolve_id(group, true);
    if (!gid)
        return tl::unexpected(gid.error());
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return tl::unexpected(
            fmt::format("creating directory {}: {}", dir.string(), errno_text(errno)));
    if (auto r = check_existing(path); !r)
        return r;
    // Bound under a temporary name and renamed into place once its permissions are set.
    const fs::path tmp = dir / fmt::format(".{}.{}.tmp", path.filename().string(), ::getpid());
    if (tmp.native().size() > max_socket_path)
        return tl::unexpected(fmt::format("path is too long for the temporary name {} ({} "
                                          "bytes; unix sockets allow {})",
                                          tmp.string(), tmp.native().size(), max_socket_path));
    (void)::unlink(tmp.c_str());
    boost::system::error_code ec;
    const auto fail = [&](std::string_view step, const std::string& why) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        (void)::unlink(tmp.c_str());
        return tl::unexpected(fmt::format("{}: {}", step, why));
    };
    acceptor.open(stream_protocol(), ec);
    if (ec)
        return fail("socket", ec.message());
    set_cloexec(acceptor.native_handle());
    acceptor.bind(stream_protocol::endpoint(tmp.string()), ec);
    if (ec)
        return fail("bind " + tmp.string(), ec.message());
    if (::chmod(tmp.c_str(), static_cast<mode_t>(mode & 07777)) != 0)
        return fail(fmt::format("chmod {:04o}", mode), errno_text(errno));
    const auto new_uid = uid->has_value() ? static_cast<uid_t>(**uid) : static_cast<uid_t>(-1);
    const auto new_gid = gid->has_value() ? static_cast<gid_t>(**gid) : static_cast<gid_t>(-1);
    if ((uid->has_value() || gid->has_value()) && ::chown(tmp.c_str(), new_uid, new_gid) != 0)
        return fail(fmt::format("chown {}:{}", owner, group), errno_text(errno));
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return fail("listen", ec.message());
    if (::rename(tmp.c_str(), path.c_str()) != 0)
        return fail("rename " + tmp.string(), errno_text(errno));
    struct stat st = {};
    if (::stat(path.c_str(), &st) == 0)
        ours = std::pair{st.st_dev, st.st_ino};
    return {};
}

ControlServer::ControlServer(asio::io_context& io, const ControlSocketConfig& config,
                             ControlHandler& handler, ControlLimits limits)
    : state_(std::make_shared<State>(io, config, handler, limits))
{}

ControlServer::~ControlServer()
{
    stop();
}

tl::expected<void, std::string> ControlServer::start()
{
    if (state_->running)
        return {};
    if (state_->stopped)
        return tl::unexpected(
            fmt::format("control socket {}: the server was stopped", state_->path.string()));
    if (auto r = state_->open(); !r)
        return tl::unexpected(
            fmt::format("control socket {}: {}", state_->path.string(), r.error()));
    state_->running = true;
    auto st = state_;
    asio::co_spawn(st->io, accept_loop(st),
                   [st](const std::exception_ptr& e) { log_failure(st, "accept loop", e); });
    asio::co_spawn(st->io, sweep_loop(st),
                   [st](const std::exception_ptr& e) { log_failure(st, "sweep loop", e); });
    state_->log(LogLevel::info, {{"event", "listening"}, {"path", state_->path.string()}});
    return {};
}

void ControlServer::stop()
{
    State& st = *state_;
    const bool was_running = std::exchange(st.running, false);
    st.stopped = true;
    boost::system::error_code ignored;
    st.acceptor.close(ignored);
    st.backoff.cancel();
    st.sweep_timer.cancel();
    const std::vector<std::shared_ptr<ControlSession>> copy(st.clients.begin(), st.clients.end());
    for (const auto& c : copy)
        c->close({});
    struct stat now = {};
    if (was_running && st.ours && ::stat(st.path.c_str(), &now) == 0 &&
        std::pair{now.st_dev, now.st_ino} == *st.ours)
        (void)::unlink(st.path.c_str());
    st.ours.reset();
}

void ControlServer::publish(const nlohmann::json& event)
{
    json line = {{"event", "transition"}};
    line.update(event);
    const std::string bytes = encode_line(line);
    const std::vector<std::shared_ptr<ControlSession>> copy(state_->clients.begin(),
                                                            state_->clients.end());
    for (const auto& c : copy)
        c->publish(bytes);
}

void ControlServer::set_log(Log* log)
{
    state_->logger = log;
}

std::size_t ControlServer::clients() const
{
    return state_->clients.size();
}

const fs::path& ControlServer::path() const
{
    return state_->path;
}

} // namespace vipd::cli
