// Trampolines for the OpenSSL functions vipd calls, generated from one list: each is defined
// with OpenSSL's own prototype (the headers are included, so a wrong prototype is a compile
// error) and jumps to the real function, resolved with dlsym() once libssl.so.3 is open.
// dlsym() on libssl's handle also finds libcrypto's functions (libssl depends on libcrypto).
// The trampolines have hidden visibility: they are not in vipd's dynamic symbol table, so
// neither libssl itself nor any other library can bind to them.
// Must not: lock or be called from several threads (vipd runs one thread; the pointers are
// written once, by load_tls_library(), before any trampoline can be reached).
// A new OpenSSL call elsewhere fails to link ("undefined reference") until it is listed here.
#include "health/openssl_lazy.hpp"

#include <cstdio>
#include <cstdlib>

#include <dlfcn.h>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

// X(return type, name, parameters, arguments): every OpenSSL function vipd imports, as listed by
// `nm -D --undefined-only vipd` when it was linked with OpenSSL (Boost 1.81, OpenSSL 3.0).
#define VIPD_OPENSSL_FUNCTIONS(X)                                                                  \
    X(long, BIO_ctrl, (BIO * b, int cmd, long larg, void* parg), (b, cmd, larg, parg))             \
    X(size_t, BIO_ctrl_pending, (BIO * b), (b))                                                    \
    X(int, BIO_free, (BIO * a), (a))                                                               \
    X(int, BIO_new_bio_pair, (BIO * *bio1, size_t writebuf1, BIO * *bio2, size_t writebuf2),       \
      (bio1, writebuf1, bio2, writebuf2))                                                          \
    X(int, BIO_read, (BIO * b, void* data, int dlen), (b, data, dlen))                             \
    X(int, BIO_write, (BIO * b, const void* data, int dlen), (b, data, dlen))                      \
    X(void, ERR_clear_error, (void), ())                                                           \
    X(unsigned long, ERR_get_error, (void), ())                                                    \
    X(const char*, ERR_lib_error_string, (unsigned long e), (e))                                   \
    X(const char*, ERR_reason_error_string, (unsigned long e), (e))                                \
    X(long, SSL_CTX_ctrl, (SSL_CTX * ctx, int cmd, long larg, void* parg), (ctx, cmd, larg, parg)) \
    X(void, SSL_CTX_free, (SSL_CTX * ctx), (ctx))                                                  \
    X(void*, SSL_CTX_get_default_passwd_cb_userdata, (SSL_CTX * ctx), (ctx))                       \
    X(void*, SSL_CTX_get_ex_data, (const SSL_CTX* ctx, int idx), (ctx, idx))                       \
    X(SSL_verify_cb, SSL_CTX_get_verify_callback, (const SSL_CTX* ctx), (ctx))                     \
    X(int, SSL_CTX_load_verify_locations, (SSL_CTX * ctx, const char* file, const char* path),     \
      (ctx, file, path))                                                                           \
    X(SSL_CTX*, SSL_CTX_new, (const SSL_METHOD* meth), (meth))                                     \
    X(void, SSL_CTX_set_default_passwd_cb_userdata, (SSL_CTX * ctx, void* u), (ctx, u))            \
    X(int, SSL_CTX_set_default_verify_paths, (SSL_CTX * ctx), (ctx))                               \
    X(int, SSL_CTX_set_ex_data, (SSL_CTX * ctx, int idx, void* data), (ctx, idx, data))            \
    X(uint64_t, SSL_CTX_set_options, (SSL_CTX * ctx, uint64_t op), (ctx, op))                      \
    X(void, SSL_CTX_set_verify, (SSL_CTX * ctx, int mode, SSL_verify_cb cb), (ctx, mode, cb))      \
    X(int, SSL_accept, (SSL * ssl), (ssl))                                                         \
    X(int, SSL_connect, (SSL * ssl), (ssl))                                                        \
    X(long, SSL_ctrl, (SSL * ssl, int cmd, long larg, void* parg), (ssl, cmd, larg, parg))         \
    X(void, SSL_free, (SSL * ssl), (ssl))                                                          \
    X(X509_VERIFY_PARAM*, SSL_get0_param, (SSL * ssl), (ssl))                                      \
    X(int, SSL_get_error, (const SSL* s, int ret_code), (s, ret_code))                             \
    X(void*, SSL_get_ex_data, (const SSL* ssl, int idx), (ssl, idx))                               \
    X(int, SSL_get_shutdown, (const SSL* ssl), (ssl))                                              \
    X(SSL*, SSL_new, (SSL_CTX * ctx), (ctx))                                                       \
    X(int, SSL_read, (SSL * ssl, void* buf, int num), (ssl, buf, num))                             \
    X(void, SSL_set_bio, (SSL * s, BIO * rbio, BIO * wbio), (s, rbio, wbio))                       \
    X(int, SSL_set_ex_data, (SSL * ssl, int idx, void* data), (ssl, idx, data))                    \
    X(int, SSL_write, (SSL * ssl, const void* buf, int num), (ssl, buf, num))                      \
    X(const SSL_METHOD*, TLS_client_method, (void), ())                                            \
    X(const SSL_METHOD*, TLS_method, (void), ())                                                   \
    X(const SSL_METHOD*, TLS_server_method, (void), ())                                            \
    X(int, X509_VERIFY_PARAM_set1_host,                                                            \
      (X509_VERIFY_PARAM * param, const char* name, size_t namelen), (param, name, namelen))       \
    X(int, X509_VERIFY_PARAM_set1_ip_asc, (X509_VERIFY_PARAM * param, const char* ipasc),          \
      (param, ipasc))                                                                              \
    X(void, X509_VERIFY_PARAM_set_hostflags, (X509_VERIFY_PARAM * param, unsigned int flags),      \
      (param, flags))

namespace vipd::health {

namespace {

// The real functions; all null until load_tls_library() has resolved every one of them.
struct RealFunctions
{
#define VIPD_POINTER(ret, name, params, args) ret(*name) params = nullptr;
    VIPD_OPENSSL_FUNCTIONS(VIPD_POINTER)
#undef VIPD_POINTER
};

RealFunctions real;
bool loaded = false;

[[noreturn]] void not_loaded(const char* name)
{
    std::fprintf(stderr,
                 "vipd: bug: OpenSSL function %s called before health::load_tls_library()\n", name);
    std::abort();
}

template <class Function> Function checked(Function f, const char* name)
{
    if (f == nullptr) {
        not_loaded(name);
    }
    return f;
}

template <class Function> bool resolve(void* library, const char* name, Function& out)
{
    void* symbol = dlsym(library, name);
    out = reinterpret_cast<Function>(symbol); // POSIX: dlsym returns functions as void*
    return symbol != nullptr;
}

} // namespace

tl::expected<void, std::string> load_tls_library()
{
    if (loaded) {
        return {};
    }
    const auto error = [](std::string_view what) {
        return tl::unexpected(
            fmt::format("cannot load OpenSSL for https (Debian package libssl3): {}", what));
    };
    void* library = dlopen(tls_library_file, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
        return error(dlerror());
    }
    RealFunctions found;
#define VIPD_RESOLVE(ret, name, params, args)                                                      \
    if (!resolve(library, #name, found.name)) {                                                    \
        auto e = error(dlerror());                                                                 \
        dlclose(library);                                                                          \
        return e;                                                                                  \
    }
    VIPD_OPENSSL_FUNCTIONS(VIPD_RESOLVE)
#undef VIPD_RESOLVE
    real = found; // the handle stays open for the life of the process
    loaded = true;
    return {};
}

bool tls_library_loaded()
{
    return loaded;
}

} // namespace vipd::health

extern "C" {
#define VIPD_TRAMPOLINE(ret, name, params, args)                                                   \
    __attribute__((visibility("hidden"))) ret name params                                          \
    {                                                                                              \
        return vipd::health::checked(vipd::health::real.name, #name) args;                         \
    }
VIPD_OPENSSL_FUNCTIONS(VIPD_TRAMPOLINE)
#undef VIPD_TRAMPOLINE
}
