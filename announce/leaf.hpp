// The bridge from health to rules: which rule leaf a check's name stands for, and what a
// check's state (health::State, with its serving and settled flags) means for such a leaf.
// Pure: no clock, no I/O. The Announcer applies it to every health::Transition it is given.
#pragma once

#include <string>
#include <string_view>

#include "announce/evaluation.hpp"
#include "announce/rule.hpp"
#include "health/rise_fall.hpp"

namespace vipd::announce {

/// The Monitor's name for a rule leaf: the check name, or "INSTANCE%b:NAME" for HAProxy leaves
/// (the name cli/config gives the HAProxy reference it registers).
[[nodiscard]] std::string leaf_name(const Reference& ref);

/// A check's state as a leaf: counting towards the first verdict (init, rising or falling
/// before `settled`) is unknown unless the check counts as up (`serving`, initially up);
/// disabled, maint and drain carry over; otherwise up while serving, else down. The cause
/// carries over.
[[nodiscard]] LeafStatus leaf_status(health::State state, bool serving, bool settled,
                                     std::string_view cause);

} // namespace vipd::announce
