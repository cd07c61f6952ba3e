#include "cli/control/reply_json.hpp"

#include <algorithm>

namespace vipd::cli::reply {

using nlohmann::json;

const json& at(const json& j, std::string_view key)
{
    static const json null_value;
    if (!j.is_object())
        return null_value;
    const auto it = j.find(key);
    return it == j.end() ? null_value : *it;
}

const json& array_of(const json& j, std::string_view key)
{
    static const json empty = json::array();
    const json& v = at(j, key);
    return v.is_array() ? v : empty;
}

std::string text_of(const json& j, std::string_view key)
{
    const json& v = at(j, key);
    return v.is_string() ? v.get<std::string>() : std::string();
}

bool flag_of(const json& j, std::string_view key)
{
    const json& v = at(j, key);
    return v.is_boolean() && v.get<bool>();
}

std::optional<double> number_of(const json& j, std::string_view key)
{
    const json& v = at(j, key);
    return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
}

std::uint64_t count_of(const json& j, std::string_view key)
{
    const json& v = at(j, key);
    if (v.is_number_unsigned())
        return v.get<std::uint64_t>();
    if (v.is_number_integer())
        return static_cast<std::uint64_t>(std::max<std::int64_t>(0, v.get<std::int64_t>()));
    return 0;
}

} // namespace vipd::cli::reply
