// OpenSSL loaded on first use (health/openssl_lazy.cpp): the code calls hidden trampolines, not
// libssl directly, and they reach the real functions once the library is loaded; a trampoline
// reached before that aborts, naming the function (checked in a fresh copy of this program).
#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <dlfcn.h>
#include <fcntl.h>
#include <openssl/ssl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "health/openssl_lazy.hpp"

extern char** environ;

namespace {

constexpr const char* child_variable = "VIPD_TEST_OPENSSL_LAZY_CHILD";

// In the child started by the abort test: reach a trampoline before main(), so before anything
// can have loaded OpenSSL. It must abort; exiting 0 tells the test it did not.
[[maybe_unused]] const bool child_ran = [] {
    if (std::getenv(child_variable) != nullptr) {
        SSL_CTX* ctx = SSL_CTX_new(nullptr);
        SSL_CTX_free(ctx);
        std::_Exit(0);
    }
    return false;
}();

struct ChildResult
{
    int status = 0;
    std::string err;
};

// Runs this test program again as the child above, collecting its stderr.
ChildResult run_child()
{
    int pipe_fds[2];
    REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    char self[] = "/proc/self/exe";
    char* argv[] = {self, nullptr};
    std::string marker = std::string(child_variable) + "=1";
    std::vector<char*> env{marker.data()};
    for (char** e = environ; *e != nullptr; ++e)
        env.push_back(*e);
    env.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, self, &actions, nullptr, argv, env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    REQUIRE(rc == 0);
    ChildResult out;
    char buf[4096];
    ssize_t n = 0;
    while ((n = read(pipe_fds[0], buf, sizeof buf)) > 0)
        out.err.append(buf, static_cast<std::size_t>(n));
    close(pipe_fds[0]);
    REQUIRE(waitpid(pid, &out.status, 0) == pid);
    return out;
}

} // namespace

TEST_CASE("openssl_lazy: calls go through hidden trampolines to the loaded libssl", "[health]")
{
    REQUIRE(vipd::health::load_tls_library());
    CHECK(vipd::health::tls_library_loaded());
    CHECK(vipd::health::load_tls_library()); // once loaded, again at once

    // This program links libssl for its fixtures, yet SSL_CTX_new here is the trampoline: a
    // different address from libssl's exported function, and not exported itself.
    void* exported = dlsym(RTLD_DEFAULT, "SSL_CTX_new");
    REQUIRE(exported != nullptr);
    CHECK(reinterpret_cast<void*>(&SSL_CTX_new) != exported);

    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    REQUIRE(ctx != nullptr);
    CHECK(SSL_CTX_set_default_verify_paths(ctx) == 1);
    SSL_CTX_free(ctx);
}

TEST_CASE("openssl_lazy: a trampoline reached before loading aborts, naming it", "[health]")
{
    const auto child = run_child();
    INFO("child stderr: " << child.err);
    REQUIRE(WIFSIGNALED(child.status));
    CHECK(WTERMSIG(child.status) == SIGABRT);
    CHECK(child.err.find("vipd: bug: OpenSSL function SSL_CTX_new called before "
                         "health::load_tls_library()") != std::string::npos);
}
