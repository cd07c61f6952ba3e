// Leaf names and the mapping of a health check's state onto a rule leaf.
#include "announce/leaf.hpp"

namespace vipd::announce {

std::string leaf_name(const Reference& ref)
{
    return ref.kind == RefKind::check ? ref.name : to_string(ref);
}

LeafStatus leaf_status(health::State state, bool serving, bool settled, std::string_view cause)
{
    using health::State;
    LeafState s = serving ? LeafState::up : LeafState::down;
    switch (state) {
    case State::init:
    case State::rising:
    case State::falling:
        // Counting towards the first verdict is no verdict: the start-up gate keeps waiting,
        // so a healthy service is in the first table sent. A check configured initially up
        // counts as up meanwhile.
        if (!settled && !serving)
            s = LeafState::unknown;
        break;
    case State::up:
    case State::down:
        break;
    case State::disabled:
        s = LeafState::disabled;
        break;
    case State::maint:
        s = LeafState::maint;
        break;
    case State::drain:
        s = LeafState::drain;
        break;
    }
    return {s, std::string(cause)};
}

} // namespace vipd::announce
