// The daemon's state directory: the drained VIPs and the operator-disabled checks, one name per
// line (announce/drained.hpp), and the disabled neighbors with their shutdown messages (a JSON
// object), so that all survive a restart. Files are written atomically and durably (temporary
// file, fsync, rename, fsync of the directory) and only when their text changed; a file is
// either its old or its new text, never a mix. Errors are logged, kept for `vipctl status` and
// the metrics, and not fatal: a failed write is tried again at the next save (the next change),
// and a corrupt file read at start-up is ignored.
// Must not: decide what is drained or disabled (the Announcer and the daemon do).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "cli/daemon/log.hpp"

namespace vipd::cli {

class StateFiles
{
public:
    /// `dir` is read at every call (a reload may change it); it must outlive this object.
    StateFiles(const std::filesystem::path& dir, Log& log) : dir_(dir), log_(log) {}

    /// Writes `names` to the file `name` unless that is the text last written there.
    void save(const std::string& name, const std::vector<std::string>& names);
    /// The names in the file `name`; empty when it is missing, or unreadable (logged).
    [[nodiscard]] std::vector<std::string> load(const std::string& name);
    /// Operator-disabled neighbors (name -> RFC 9003 message) in the file `name`.
    void save_map(const std::string& name, const std::map<std::string, std::string>& entries);
    /// The entries of the file `name`; empty when it is missing, or unreadable (logged).
    [[nodiscard]] std::map<std::string, std::string> load_map(const std::string& name);

    /// Files whose last write failed, or that could not be read (at start-up) -> the error. A
    /// write problem goes when the file is written successfully; a read problem stays (the
    /// state it held was lost) until the daemon restarts.
    [[nodiscard]] std::map<std::string, std::string> problems() const;
    /// Writes that failed since start.
    [[nodiscard]] std::uint64_t write_failures() const { return write_failures_; }

private:
    void save_text(const std::string& name, const std::string& text);
    void problem(std::map<std::string, std::string>& into, const std::string& name,
                 const std::string& error);
    [[nodiscard]] std::optional<std::string> load_text(const std::string& name);

    const std::filesystem::path& dir_;
    Log& log_;
    std::map<std::string, std::string> written_;        ///< file name -> text last written
    std::map<std::string, std::string> write_problems_; ///< file name -> last write error
    std::map<std::string, std::string> read_problems_;  ///< file name -> why it was ignored
    std::uint64_t write_failures_ = 0;
};

/// The text of a name -> message file: a JSON object, one member per line, sorted.
[[nodiscard]] std::string format_name_map(const std::map<std::string, std::string>& entries);
/// The entries of that text. Errors: not a JSON object of non-empty names to strings.
[[nodiscard]] tl::expected<std::map<std::string, std::string>, std::string>
parse_name_map(std::string_view text);

} // namespace vipd::cli
