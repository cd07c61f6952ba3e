// The status page's HTML, CSS and JavaScript (see status_page.hpp). Table cells carry a class
// naming the field (name, state, …) and rows a data-name attribute, so that tests and scrapers
// can find values without depending on column order.
#include "cli/status/status_page.hpp"

namespace vipd::cli {

namespace {

constexpr std::string_view page = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vipd status</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em 2em; color: #222; background: #fafafa; }
header { display: flex; gap: 1.5em; align-items: baseline; }
h1 { font-size: 1.4em; margin: 0; }
h2 { font-size: 1.1em; margin: 1.4em 0 0.4em; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 0.25em 0.6em; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #eee; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #136c13; font-weight: 600; }
.warn { color: #9a6700; font-weight: 600; }
.bad { color: #b31d1d; font-weight: 600; }
.muted { color: #777; }
#error { color: #fff; background: #b31d1d; padding: 0.2em 0.6em; }
</style>
</head>
<body>
<header>
<h1>vipd</h1>
<span id="version" class="muted"></span>
<span id="updated" class="muted">loading&hellip;</span>
<span id="error" hidden></span>
</header>
<noscript><p>This page needs JavaScript. The data is at <a href="/status">/status</a>
and <a href="/metrics">/metrics</a>.</p></noscript>

<h2>BGP sessions</h2>
<table id="neighbors">
<thead><tr><th>Neighbor</th><th>Address</th><th>Remote AS</th><th>State</th><th>Uptime</th>
<th>Prefixes out</th><th>Prefixes in</th><th>UPDATEs out / in</th><th>Last error</th></tr></thead>
<tbody></tbody>
</table>

<h2>VIPs</h2>
<table id="vips">
<thead><tr><th>VIP</th><th>State</th><th>Prefixes</th><th>Rule</th><th>Reason</th></tr></thead>
<tbody></tbody>
</table>

<h2>Health checks</h2>
<table id="checks">
<thead><tr><th>Check</th><th>Kind</th><th>State</th><th>Latency</th><th>Probes</th>
<th>Failures</th><th>Detail</th></tr></thead>
<tbody></tbody>
</table>

<h2>Recent transitions</h2>
<table id="transitions">
<thead><tr><th>Time (UTC)</th><th>Kind</th><th>Name</th><th>From</th><th>To</th><th>Cause</th></tr></thead>
<tbody></tbody>
</table>

<script>
"use strict";
const REFRESH_MS = 2000;
const GOOD = new Set(["Established", "announced", "up"]);
const BAD = new Set(["Idle", "withdrawn", "held-down", "drained", "down", "disabled", "maint"]);

function tone(state) {
  if (GOOD.has(state)) return "ok";
  if (BAD.has(state)) return "bad";
  return "warn";
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  let s = Math.floor(seconds);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const two = (n) => String(n).padStart(2, "0");
  return (d ? d + "d " : "") + (d || h ? h + "h " : "") + two(m) + "m " + two(s) + "s";
}

function cell(tr, field, text, cls) {
  const td = document.createElement("td");
  td.className = field + (cls ? " " + cls : "");
  td.textContent = text === null || text === undefined ? "" : String(text);
  tr.appendChild(td);
  return td;
}

function stateCell(tr, state) {
  cell(tr, "state", state, tone(state)).dataset.state = state;
}

function fill(id, rows, render) {
  const old = document.querySelector("#" + id + " tbody");
  const body = document.createElement("tbody");
  for (const row of rows) {
    const tr = document.createElement("tr");
    if (row.name !== undefined) tr.dataset.name = row.name;
    render(tr, row);
    body.appendChild(tr);
  }
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const td = cell(tr, "empty", "none", "muted");
    td.colSpan = document.querySelectorAll("#" + id + " thead th").length;
    body.appendChild(tr);
  }
  old.replaceWith(body);
}

function show(status, transitions) {
  document.getElementById("version").textContent = "version " + (status.version || "?");
  fill("neighbors", status.neighbors || [], (tr, n) => {
    cell(tr, "name", n.name);
    cell(tr, "address", n.address);
    cell(tr, "remote-as", n.remote_as, "num");
    stateCell(tr, n.state);
    cell(tr, "uptime", duration(n.uptime_s), "num");
    cell(tr, "prefixes-announced", n.prefixes_announced, "num");
    cell(tr, "prefixes-received", n.prefixes_received, "num");
    cell(tr, "updates", n.updates_sent + " / " + n.updates_received, "num");
    cell(tr, "last-error", n.last_error);
  });
  fill("vips", status.vips || [], (tr, v) => {
    cell(tr, "name", v.name);
    stateCell(tr, v.state);
    cell(tr, "prefixes", (v.prefixes || []).join(", "));
    cell(tr, "rule", v.rule);
    cell(tr, "reason", v.reason);
  });
  fill("checks", status.checks || [], (tr, c) => {
    cell(tr, "name", c.name);
    cell(tr, "kind", c.kind);
    stateCell(tr, c.state);
    cell(tr, "latency", c.latency_ms === null ? "" : c.latency_ms.toFixed(2) + " ms", "num");
    cell(tr, "probes", c.probes, "num");
    cell(tr, "failures", c.failures, "num");
    cell(tr, "detail", c.detail);
  });
  fill("transitions", transitions, (tr, t) => {
    cell(tr, "time", t.time);
    cell(tr, "kind", t.kind);
    cell(tr, "name", t.name);
    cell(tr, "from", t.from);
    stateCell(tr, t.to);
    cell(tr, "cause", t.cause);
  });
}

async function get(path) {
  const response = await fetch(path, {cache: "no-store"});
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

async function refresh() {
  const error = document.getElementById("error");
  try {
    const [status, transitions] = await Promise.all([get("/status"), get("/transitions")]);
    show(status, transitions);
    document.getElementById("updated").textContent =
      "updated " + new Date().toISOString().replace("T", " ").slice(0, 19) + " UTC";
    error.hidden = true;
  } catch (e) {
    error.textContent = "cannot refresh: " + e.message;
    error.hidden = false;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
</script>
</body>
</html>
)html";

} // namespace

std::string_view status_page_html()
{
    return page;
}

std::string_view status_page_csp()
{
    return "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
           "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}

} // namespace vipd::cli
