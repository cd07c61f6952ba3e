// AdjRibIn: what vipd keeps of the routes a neighbor sends. vipd installs none of them; it
// counts the prefixes (per address family) for status, keeps at most `keep_limit` of them for
// display, and enforces the maximum-prefix limit by deciding on Cease/1 (RFC 4486 §4).
// Pure: fed with decoded UPDATEs, returns counts and a decision; the session executes it.
// Must not: log, send, or change any session state itself.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "bgp/message.hpp"
#include "bgp/prefix_map.hpp"
#include "bgp/types.hpp"

namespace vipd::bgp {

/// The per-neighbor limits: both 0 = track nothing, count announcements only.
struct AdjRibInLimits
{
    std::size_t max_prefixes = 0; ///< 0 = none; more prefixes held ends the session (Cease/1)
    std::size_t keep_limit = 0;   ///< prefixes kept for display without a max_prefixes limit
};

/// What one UPDATE changed and what the session must do about it.
struct AdjRibInDecision
{
    std::size_t prefixes = 0;          ///< prefixes held after the UPDATE
    std::optional<Notification> cease; ///< RFC 4486 §4: send this Cease/1 and stop the session

    bool operator==(const AdjRibInDecision&) const = default;
};

class AdjRibIn
{
public:
    explicit AdjRibIn(AdjRibInLimits limits);

    /// Apply a decoded UPDATE: withdrawals (withdrawn_routes, MP_UNREACH_NLRI) first, then
    /// announcements (nlri, MP_REACH_NLRI). With `treat_as_withdraw` (RFC 7606 §2) the
    /// announced prefixes are removed instead. Decides Cease/1 once more than max_prefixes are
    /// held; its data names the UPDATE's family (MP_REACH_NLRI, else IPv4 unicast).
    [[nodiscard]] AdjRibInDecision apply(const Update& update, bool treat_as_withdraw);
    /// Forget every prefix (session Established anew, or down); the running total stays.
    void clear();

    /// True when prefixes are held (a limit is configured), so prefixes() is exact.
    [[nodiscard]] bool tracking() const { return tracking_; }
    /// Prefixes held; without tracking, every prefix ever announced (a running total).
    [[nodiscard]] std::uint64_t prefixes() const;
    /// Prefixes of one address family held (0 without tracking).
    [[nodiscard]] std::size_t prefixes(Afi afi) const;

private:
    void announce(const std::vector<Nlri>& nlri, bool treat_as_withdraw);
    void withdraw(const std::vector<Nlri>& nlri);
    void erase(const Prefix& p);

    AdjRibInLimits limits_;
    bool tracking_;
    PrefixMap<std::uint8_t> held_;
    std::array<std::size_t, 2> per_family_{}; ///< index: Afi value - 1
    std::uint64_t announced_total_ = 0;
};

} // namespace vipd::bgp
