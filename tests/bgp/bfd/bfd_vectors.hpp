// Shared by the BFD tests: hex text to bytes, and the Up packet the vectors are built from.
#pragma once

#include <string>

#include "bgp/bfd/fsm.hpp"
#include "bgp/bfd/packet.hpp"
#include "helpers/test_data.hpp"

namespace vipd::bgp::bfd::test {

inline Bytes hex(const std::string& text)
{
    return vipd::test::parse_commented_hex(text).at(0).bytes;
}

/// State Up, Detect Mult 3, discriminators 0x11223344 / 0x55667788, 300 ms intervals.
inline ControlPacket up_packet()
{
    ControlPacket p;
    p.state = SessionState::up;
    p.detect_mult = 3;
    p.my_discriminator = 0x11223344;
    p.your_discriminator = 0x55667788;
    p.desired_min_tx_us = 300000;
    p.required_min_rx_us = 300000;
    return p;
}

inline const Time t0{};

} // namespace vipd::bgp::bfd::test
