// The status page served at "/" by the HTTP status endpoint (docs/http-status.md): one static,
// self-contained HTML document (inline CSS and JavaScript, no external assets) that fetches
// /status and /transitions every 2 s and shows BGP sessions, VIPs, health checks and recent
// transitions. Data is inserted with textContent only, never as markup.
// Must not: embed daemon data server-side (the page is the same bytes for every request).
#pragma once

#include <string_view>

namespace vipd::cli {

/// The HTML document (UTF-8).
[[nodiscard]] std::string_view status_page_html();

/// The Content-Security-Policy the page is served with: nothing but its own inline code and
/// same-origin fetches.
[[nodiscard]] std::string_view status_page_csp();

} // namespace vipd::cli
