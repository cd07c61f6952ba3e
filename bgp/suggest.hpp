// "Did you mean" for a mistyped name: the closest of the names that exist, for the messages
// of the configuration (keys, check, neighbor and instance names) and of vipctl and the control
// commands (command, VIP, check and neighbor names). Here because bgp/ is the lowest module both
// the configuration and vipctl may include (docs/architecture.md); it knows nothing of BGP.
// Must not: print anything or know where the names come from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vipd::bgp {

/// " (did you mean \"interval\"?)" for the closest candidate within a small edit distance
/// (one edit for words under 6 characters, two from 6; adjacent transpositions count as one;
/// case and '_'/'-' differences count as none); empty when nothing is close.
[[nodiscard]] std::string did_you_mean(std::string_view word,
                                       const std::vector<std::string_view>& candidates);

/// The same over owned names (VIP, check and neighbor names of a running daemon).
[[nodiscard]] std::string did_you_mean(std::string_view word,
                                       const std::vector<std::string>& candidates);

} // namespace vipd::bgp
