// `file` check: a maintenance file. While it exists the check reports `disabled`; when it is
// absent, up. One stat() per probe (a local metadata lookup, not a blocking wait).
#pragma once

#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "health/check.hpp"

namespace vipd::health {

struct FileCheckConfig
{
    std::string path; ///< absolute path of the maintenance file (required)
    bool operator==(const FileCheckConfig&) const = default;
};

class FileCheck final : public Check
{
public:
    [[nodiscard]] static tl::expected<std::unique_ptr<FileCheck>, std::string>
    make(FileCheckConfig config);

    /// disabled "maintenance file /x exists" | up "no maintenance file /x" |
    /// down "stat /x: Permission denied" (cannot tell: fail safe).
    boost::asio::awaitable<Outcome> probe() override;
    [[nodiscard]] std::string_view kind() const override { return "file"; }

private:
    explicit FileCheck(FileCheckConfig config) : config_(std::move(config)) {}

    FileCheckConfig config_;
};

} // namespace vipd::health
