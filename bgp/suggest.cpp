// "Did you mean" suggestions (see suggest.hpp). Pure.
#include "bgp/suggest.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace vipd::bgp {

namespace {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("mde" -> "med").
std::size_t edit_distance(const std::string& a, const std::string& b)
{
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

std::string normalize_name(std::string_view word)
{
    std::string out;
    for (char c : word)
        out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates)
{
    const std::string w = normalize_name(word);
    const std::size_t limit = w.size() >= 6 ? 2 : 1;
    std::string_view best;
    std::size_t best_distance = limit + 1;
    for (auto c : candidates) {
        const std::size_t d = edit_distance(w, normalize_name(c));
        if (d < best_distance && d < std::max<std::size_t>(w.size(), 1)) {
            best = c;
            best_distance = d;
        }
    }
    if (best.empty())
        return {};
    return fmt::format(" (did you mean \"{}\"?)", best);
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates)
{
    return did_you_mean(word, std::vector<std::string_view>(candidates.begin(), candidates.end()));
}

} // namespace vipd::bgp
