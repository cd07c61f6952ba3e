// OpenSSL loaded on first use. vipd is not linked with libssl/libcrypto: openssl_lazy.cpp
// defines every OpenSSL function vipd calls (through Boost.Asio's ssl::context and ssl::stream)
// as a trampoline to the real one in libssl.so.3, which load_tls_library() opens. A daemon
// without https checks therefore never maps OpenSSL's 2 MB of code.
// Must not: be bypassed. Code that creates an ssl::context calls load_tls_library() first; a
// trampoline reached before the library is loaded is a bug and aborts, naming the function.
#pragma once

#include <string>

#include <tl/expected.hpp>

namespace vipd::health {

/// The file dlopen()ed for OpenSSL (libcrypto comes with it as libssl's dependency).
inline constexpr const char* tls_library_file = "libssl.so.3";

/// Opens libssl.so.3 and resolves every OpenSSL function vipd uses; once that succeeded, later
/// calls return at once. Error: "cannot load OpenSSL for https (Debian package libssl3): " and
/// dlerror()'s text (missing file, missing symbol); nothing is kept, a later call tries again.
/// Not thread-safe (vipd runs one thread).
[[nodiscard]] tl::expected<void, std::string> load_tls_library();

/// True once load_tls_library() has succeeded in this process.
[[nodiscard]] bool tls_library_loaded();

} // namespace vipd::health
