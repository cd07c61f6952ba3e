// Reading the daemon's JSON replies (status, neighbors, checks) leniently: a missing or mistyped
// member reads as empty, never throws. One set for vipctl's renderers, `status --check` and the
// metrics, which all read the same replies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vipd::cli::reply {

/// Member `key` of object `j`; null when `j` is not an object or has no such member.
const nlohmann::json& at(const nlohmann::json& j, std::string_view key);

/// Member `key` as an array; an empty array when absent or not an array.
const nlohmann::json& array_of(const nlohmann::json& j, std::string_view key);

/// Member `key` as a string; empty when absent or not a string.
std::string text_of(const nlohmann::json& j, std::string_view key);

/// Member `key` as a boolean; false when absent or not a boolean.
bool flag_of(const nlohmann::json& j, std::string_view key);

/// Member `key` as a number; nullopt when absent or not a number.
std::optional<double> number_of(const nlohmann::json& j, std::string_view key);

/// Member `key` as a count: 0 when absent, negative or not an integer.
std::uint64_t count_of(const nlohmann::json& j, std::string_view key);

} // namespace vipd::cli::reply
