# Precompiled headers for the third-party headers that most translation units parse: Boost.Asio
# (with its coroutine support), nlohmann/json, {fmt} and tl::expected, plus Catch2 for the tests.
# Parsing them costs about 6.6 CPU-s per translation unit at -O3 (GCC 12); loading the
# precompiled form about 3.4 CPU-s (measured in bench/README.md, "Build time").
#
# One precompiled header per set of flags, owned by a small OBJECT library here and reused by
# the targets (REUSE_FROM): vipd_pch_lib for the libraries that use Asio, vipd_pch_test for the
# test programs (Catch2 too, and the tests' -O0). GCC accepts a precompiled header under other
# -D definitions and another -O level as long as the macros its headers read (BOOST_ASIO_*,
# FMT_HEADER_ONLY) and the kind of debug information are the same; CMake compiles with
# -Winvalid-pch, so a header that cannot be used fails the -Werror build instead of being parsed
# silently. Targets without Asio (vipd_bgp_codec, vipd_bfd_core, vipd_cli_protocol,
# vipd_cli_vipctl, the fuzzers) do not use one: loading costs more than their headers.
#
# VIPD_PCH=OFF compiles without them (with VIPD_UNITY=OFF: checks that every file includes what
# it uses, which a force-included header would hide).
include_guard(GLOBAL)
option(VIPD_PCH "Precompile the Asio, nlohmann/json, fmt, tl::expected and Catch2 headers" ON)

set(vipd_pch_headers
    <boost/asio/any_io_executor.hpp>
    <boost/asio/as_tuple.hpp>
    <boost/asio/awaitable.hpp>
    <boost/asio/buffer.hpp>
    <boost/asio/co_spawn.hpp>
    <boost/asio/detached.hpp>
    <boost/asio/experimental/awaitable_operators.hpp>
    <boost/asio/io_context.hpp>
    <boost/asio/ip/tcp.hpp>
    <boost/asio/ip/udp.hpp>
    <boost/asio/post.hpp>
    <boost/asio/read.hpp>
    <boost/asio/steady_timer.hpp>
    <boost/asio/this_coro.hpp>
    <boost/asio/use_awaitable.hpp>
    <boost/asio/write.hpp>
    <nlohmann/json.hpp>
    <fmt/format.h>
    <tl/expected.hpp>)

# vipd_pch_owner(NAME [HEADERS h...] [LINK libs...] [OPTIONS opts...] [NO_COMMON]): the OBJECT
# library NAME that compiles the precompiled header of vipd_pch_headers (not with NO_COMMON) and
# HEADERS, with the flags of the targets that will reuse it (their LINK libraries and OPTIONS).
function(vipd_pch_owner name)
    cmake_parse_arguments(arg "NO_COMMON" "" "HEADERS;LINK;OPTIONS" ${ARGN})
    set(headers ${arg_HEADERS})
    if(NOT arg_NO_COMMON)
        list(PREPEND headers ${vipd_pch_headers})
    endif()
    add_library(${name} OBJECT ${PROJECT_SOURCE_DIR}/cmake/pch.cpp)
    set_target_properties(${name} PROPERTIES UNITY_BUILD OFF)
    target_link_libraries(${name} PRIVATE ${arg_LINK})
    target_compile_options(${name} PRIVATE ${arg_OPTIONS})
    target_precompile_headers(${name} PRIVATE ${headers})
endfunction()

# vipd_use_pch(OWNER TARGETS...): the targets compile with OWNER's precompiled header.
function(vipd_use_pch owner)
    if(NOT VIPD_PCH)
        return()
    endif()
    foreach(target ${ARGN})
        set_target_properties(${target} PROPERTIES PRECOMPILE_HEADERS_REUSE_FROM ${owner})
    endforeach()
endfunction()

if(VIPD_PCH AND NOT VIPD_FUZZ)
    vipd_pch_owner(vipd_pch_lib LINK vipd_asio vipd_fmt tl::expected nlohmann_json::nlohmann_json)
endif()
