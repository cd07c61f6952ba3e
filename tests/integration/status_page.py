#!/usr/bin/env python3
"""Load vipd's status page in headless Chromium and check what it shows.

    status_page.py URL [--neighbor NAME=STATE]... [--vip NAME=STATE]... [--check NAME[=STATE]]...
                       [--transition NAME]...

Chromium runs with --dump-dom after --virtual-time-budget, so the page's JavaScript has fetched
/status and /transitions and filled its tables. Each table row has a data-name attribute and
cells classed by field ("name", "state", ...). Exit status: 0 when every expectation holds,
1 when one does not (the rows seen are printed), 77 when Chromium is missing or cannot start
here (checked first with a data: URL), so that the caller can skip with the reason.
Stdlib only. Chromium is started in its own process group and killed by that id on timeout.
"""
import argparse
import html.parser
import os
import shutil
import signal
import subprocess
import sys
import tempfile

SKIP = 77
TIMEOUT_S = 60
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--virtual-time-budget=3000", "--dump-dom",
]


def find_chromium():
    explicit = os.environ.get("VIPD_CHROMIUM")
    if explicit:
        return explicit if shutil.which(explicit) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def dump_dom(chromium, url):
    """(exit status, stdout, stderr) of one headless run with a fresh profile."""
    profile = tempfile.mkdtemp(prefix="vipd-chromium-")
    try:
        proc = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", url],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, text=True)
        try:
            out, err = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this script created
            out, err = proc.communicate()
            return None, out, err
        return proc.returncode, out, err
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class Tables(html.parser.HTMLParser):
    """Rows of every <table id=...>'s tbody: [{"data-name": ..., field: text}], plus the
    attributes of elements with an id."""

    def __init__(self):
        super().__init__()
        self.tables = {}
        self.ids = {}
        self.text_of_id = {}
        self._table = None
        self._in_body = False
        self._row = None
        self._field = None
        self._open_id = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids[a["id"]] = a
            if tag == "span":
                self._open_id = a["id"]
                self.text_of_id[a["id"]] = ""
        if tag == "table" and "id" in a:
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "tbody" and self._table:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = {"data-name": a.get("data-name")}
        elif tag == "td" and self._row is not None:
            self._field = (a.get("class") or "").split(" ")[0]
            self._row[self._field] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._field = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None
        elif tag == "span":
            self._open_id = None

    def handle_data(self, data):
        if self._row is not None and self._field:
            self._row[self._field] += data
        if self._open_id:
            self.text_of_id[self._open_id] += data


def pair(text):
    name, _, state = text.partition("=")
    return name, state or None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url")
    p.add_argument("--neighbor", action="append", type=pair, default=[])
    p.add_argument("--vip", action="append", type=pair, default=[])
    p.add_argument("--check", action="append", type=pair, default=[])
    p.add_argument("--transition", action="append", default=[])
    args = p.parse_args()

    chromium = find_chromium()
    if not chromium:
        print("SKIP: no chromium binary (Debian package 'chromium')", file=sys.stderr)
        return SKIP
    status, out, err = dump_dom(chromium, "data:text/html,<p id=probe>chromium-works</p>")
    if status != 0 or "chromium-works" not in (out or ""):
        tail = "\n".join((err or "").strip().splitlines()[-5:])
        print(f"SKIP: {chromium} cannot run headless here (status {status}): {tail}",
              file=sys.stderr)
        return SKIP

    status, out, err = dump_dom(chromium, args.url)
    if status != 0 or not out:
        print(f"FAIL: chromium on {args.url}: status {status}\n{err[-2000:]}", file=sys.stderr)
        return 1
    dom = Tables()
    dom.feed(out)
    problems = []

    def expect(table, name, state):
        rows = [r for r in dom.tables.get(table, []) if r.get("data-name") == name]
        if not rows:
            problems.append(f"table {table}: no row for {name!r}")
        elif rows[0].get("name") != name:
            problems.append(f"table {table}: row {name!r} shows name {rows[0].get('name')!r}")
        elif state and rows[0].get("state") != state:
            problems.append(f"table {table}: {name!r} state {rows[0].get('state')!r}, "
                            f"want {state!r}")

    for name, state in args.neighbor:
        expect("neighbors", name, state)
    for name, state in args.vip:
        expect("vips", name, state)
    for name, state in args.check:
        expect("checks", name, state)
    for name in args.transition:
        if not any(r.get("name") == name for r in dom.tables.get("transitions", [])):
            problems.append(f"table transitions: no transition of {name!r}")
    if "hidden" not in dom.ids.get("error", {}):
        problems.append(f"error banner shown: {dom.text_of_id.get('error')!r}")
    if not dom.text_of_id.get("updated", "").startswith("updated "):
        problems.append(f"page never refreshed: {dom.text_of_id.get('updated')!r}")

    if problems:
        for line in problems:
            print(f"FAIL: {line}", file=sys.stderr)
        for table, rows in dom.tables.items():
            print(f"  {table}: {rows}", file=sys.stderr)
        return 1
    shown = {t: len(rows) for t, rows in dom.tables.items()}
    print(f"status page OK: rows {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
