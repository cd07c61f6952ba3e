// The daemon's state directory: the drained VIPs and the operator-disabled checks, one name per
// line (announce/drained.hpp), and the disabled neighbors with their shutdown messages (a JSON
// object), so that all survive a restart. Files are written atomically
// (temporary file, rename) and only when their text changed; errors are logged, not fatal.
// Must not: decide what is drained or disabled (the Announcer and the daemon do).
#pragma once

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

private:
    void save_text(const std::string& name, const std::string& text);
    [[nodiscard]] std::optional<std::string> load_text(const std::string& name);

    const std::filesystem::path& dir_;
    Log& log_;
    std::map<std::string, std::string> written_; ///< file name -> text last written
};

/// The text of a name -> message file: a JSON object, one member per line, sorted.
[[nodiscard]] std::string format_name_map(const std::map<std::string, std::string>& entries);
/// The entries of that text. Errors: not a JSON object of non-empty names to strings.
[[nodiscard]] tl::expected<std::map<std::string, std::string>, std::string>
parse_name_map(std::string_view text);

} // namespace vipd::cli
