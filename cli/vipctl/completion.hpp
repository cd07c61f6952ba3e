// `vipctl completion bash|zsh`: shell completion for vipctl and vipd, generated from the
// command registry (cli/control/registry.cpp: command names and their options) plus vipctl's
// global options, `decode`, `help` and vipd's own options. The package installs the output
// (cmake/Install.cmake); tests/completion_test.py checks it against every --help text.
// Must not: do I/O beyond the streams it is handed.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::cli {

/// The line of `vipctl --help` for the completion subcommand.
inline constexpr std::string_view completion_summary = "print shell completion (bash or zsh)";

/// The completion script for `shell` ("bash" or "zsh"), or nullopt for another shell.
[[nodiscard]] std::optional<std::string> completion_script(std::string_view shell);

/// Usage text of the completion subcommand.
[[nodiscard]] std::string_view completion_usage();

/// Run `vipctl completion ARGS…`; `args` excludes "completion". Exit status exit_ok, or
/// exit_usage.
int run_completion(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace vipd::cli
