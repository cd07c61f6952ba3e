// The daemon's state directory: the drained VIPs and the operator-disabled checks, one name per
// line (announce/drained.hpp), so that both survive a restart. Files are written atomically
// (temporary file, rename) and only when their text changed; errors are logged, not fatal.
// Must not: decide what is drained or disabled (the Announcer and the daemon do).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

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

private:
    const std::filesystem::path& dir_;
    Log& log_;
    std::map<std::string, std::string> written_; ///< file name -> text last written
};

} // namespace vipd::cli
