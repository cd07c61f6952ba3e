#!/usr/bin/env python3
"""Every ```json and ```jsonc block of README.md and docs/**/*.md checked by the real
`vipd --check-config`, so the documentation cannot drift from the code.

Usage: VIPD_BINARY_DIR=build/dev docs_json_test.py   (VIPD_SOURCE_DIR: the source tree, by
default the one holding this script). The rules below are first run on made-up blocks.

How a block is read (write docs by these rules):
  * ```jsonc blocks may hold // and /* */ comments; they are blanked out (line numbers kept).
  * A block that is an object with "global" at top level is a whole configuration and is
    checked as it stands.
  * A block that starts with a member (`"vips": [ ... ]`, `"checks": { ... }`, ...) is a
    fragment: its members, which must be top-level configuration keys, are put into a minimal
    configuration ("global" with router-id and local-as; a fragment's own "global" members are
    merged into it). Rules of the fragment's VIPs may name what the fragment does not define:
    each such check becomes a `file` check, and HAProxy references get an instance ("lb", or
    the INSTANCE% named), so a fragment about VIPs need not repeat its checks.
    Likewise VIPs and neighbors that hooks filter on are added (rule always(), a loopback peer).
  * An object with "name", "prefixes" and "rule" is one VIP: it is checked as the fragment
    `"vips": [ BLOCK ]`.
  * Any other block (another object, an array, a scalar) is an error: write it as a fragment
    or as a whole configuration, or mark it.
Markers, an HTML comment on the line just before the fence (blank lines between are allowed):
  * `<!-- check-config: invalid -->`: the block shows a configuration error; it must FAIL the
    check (it is read as above otherwise).
  * `<!-- check-config: not-config -->`: JSON that is not vipd configuration (control protocol
    messages, HTTP replies): each block must be valid JSON, or JSON lines (one value a line).
A failure names the document and the line of the block's opening fence.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

FENCE = re.compile(r"^\s*```(\S*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*check-config:\s*([a-z-]+)\s*-->\s*$")
MINIMAL_GLOBAL = {"router-id": "192.0.2.1", "local-as": 64496}
CONFIG_KEYS = {"global", "neighbors", "checks", "haproxy", "vips", "hooks"}
RULE_WORDS = {"all", "any", "never", "always"}


class Block:
    def __init__(self, doc, line, lang, text, marker):
        self.doc, self.line, self.lang, self.text, self.marker = doc, line, lang, text, marker

    def where(self):
        return f"{self.doc}:{self.line}"


def blocks_of(path, shown):
    """The ```json/```jsonc blocks of one Markdown file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i
        i += 1
        body = []
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        if lang not in ("json", "jsonc"):
            continue
        marker, j = None, start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and (mm := MARKER.match(lines[j])):
            marker = mm.group(1)
        yield Block(shown, start + 1, lang, "\n".join(body), marker)


def strip_comments(text):
    """Blanks // and /* */ comments outside strings; newlines are kept (line numbers hold)."""
    out, i, n, in_string = [], 0, len(text), False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                out.append(" ")
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.extend("\n" if ch == "\n" else " " for ch in text[i:end])
            i = end
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise ValueError(f'duplicate key "{k}"')
        seen[k] = v
    return seen


def rule_references(rule):
    """(checks, haproxy instances) a rule names; "" is the unnamed instance."""
    checks, instances = set(), set()
    for token in re.findall(r"[A-Za-z0-9_.:%/-]+", rule):
        if token in RULE_WORDS:
            continue
        if re.search(r"(^|%)[bfs]:", token):
            instances.add(token.split("%", 1)[0] if "%" in token else "")
        else:
            checks.add(token)
    return checks, instances


def wrap_fragment(members):
    """A whole configuration around a fragment's members (see the module text)."""
    unknown = set(members) - CONFIG_KEYS
    if unknown:
        raise ValueError(f"fragment has keys that are not configuration sections: {sorted(unknown)}")
    config = {k: v for k, v in members.items()}
    config["global"] = {**MINIMAL_GLOBAL, **members.get("global", {})}
    checks = dict(config.get("checks", {}))
    haproxy = dict(config.get("haproxy", {}))
    for vip in config.get("vips", []):
        names, instances = rule_references(vip.get("rule", "")) if isinstance(vip, dict) else ((), ())
        for name in names:
            checks.setdefault(name, {"kind": "file", "path": "/nonexistent/vipd-docs-check"})
        for inst in instances:
            if inst or not haproxy:
                haproxy.setdefault(inst or "lb", {"socket": "/nonexistent/vipd-docs.sock"})
    # VIPs and neighbors that hooks filter on but the fragment does not define.
    vips = list(config.get("vips", []))
    neighbors = list(config.get("neighbors", []))
    for hook in config.get("hooks", {}).values():
        for name in hook.get("vips", []) if isinstance(hook, dict) else []:
            if not any(isinstance(v, dict) and v.get("name") == name for v in vips):
                vips.append({"name": name, "prefixes": [f"192.0.2.{100 + len(vips)}/32"],
                             "rule": "always()"})
        for name in hook.get("neighbors", []) if isinstance(hook, dict) else []:
            if not any(isinstance(n, dict) and n.get("name") == name for n in neighbors):
                neighbors.append({"name": name, "address": f"127.0.0.{10 + len(neighbors)}",
                                  "remote-as": 64497})
    if vips:
        config["vips"] = vips
    if neighbors:
        config["neighbors"] = neighbors
    if checks:
        config["checks"] = checks
    if haproxy:
        config["haproxy"] = haproxy
    return json.dumps(config, indent=2)


def config_text(block):
    """The configuration file to check for a block, and whether its lines map 1:1 to the doc."""
    text = strip_comments(block.text) if block.lang == "jsonc" else block.text
    head = text.lstrip()
    if head.startswith('"'):
        return wrap_fragment(json.loads("{" + text + "}", object_pairs_hook=no_duplicates)), False
    value = json.loads(text, object_pairs_hook=no_duplicates)
    if isinstance(value, dict) and "global" in value:
        return text, True
    if isinstance(value, dict) and {"name", "prefixes", "rule"} <= value.keys():
        return wrap_fragment({"vips": [value]}), False
    raise ValueError('neither a whole configuration (an object with "global") nor a fragment '
                     '(members such as "vips": [...]); mark it if it is not configuration')


def check_not_config(block):
    try:
        json.loads(block.text)
        return None
    except ValueError:
        pass
    for k, line in enumerate(block.text.split("\n")):
        if line.strip():
            try:
                json.loads(line)
            except ValueError as e:
                return f"{block.doc}:{block.line + 1 + k}: not JSON ({e})"
    return None


def run_check(vipd, path):
    r = subprocess.run([vipd, "--check-config", "-c", str(path)], capture_output=True, text=True,
                       timeout=10)
    return r.returncode, (r.stdout + r.stderr).strip()


def check_block(block, vipd, tmp):
    """None when the block is as its marker says, else the failure text."""
    if block.marker == "not-config":
        return check_not_config(block)
    if block.marker not in (None, "invalid"):
        return f'{block.where()}: unknown marker "check-config: {block.marker}"'
    try:
        text, same_lines = config_text(block)
    except ValueError as e:
        if block.marker == "invalid":
            return None  # not even JSON: invalid as marked
        return f"{block.where()}: {e}"
    path = Path(tmp) / f"block-{block.line}.json"
    path.write_text(text, encoding="utf-8")
    rc, out = run_check(vipd, path)
    if block.marker == "invalid":
        return None if rc != 0 else f"{block.where()}: marked invalid but vipd accepts it: {out}"
    if rc == 0:
        return None
    if same_lines:  # vipd's FILE:LINE:COL -> the document's line
        out = re.sub(re.escape(str(path)) + r":(\d+):",
                     lambda m: f"{block.doc}:{block.line + int(m.group(1))}:", out)
    else:
        out = out.replace(str(path), "(block wrapped into a minimal configuration)") + \
            "\n  wrapped as:\n    " + text.replace("\n", "\n    ")
    return f"{block.where()}: vipd --check-config fails:\n  {out}"


def documents(source):
    files = [source / "README.md"] + sorted((source / "docs").rglob("*.md"))
    return [f for f in files if f.is_file()]


def self_test(vipd):
    """The rules above on made-up blocks: each must be judged as its name says."""
    cases = {
        "whole ok": ('{"global": {"router-id": "192.0.2.9", "local-as": 65000}}', "json", None, True),
        "fragment with checks filled in": ('"vips": [{"name": "a", "prefixes": ["192.0.2.1/32"], '
                                           '"rule": "all(web, b:be)"}]', "json", None, True),
        "jsonc comments": ('"checks": { // a comment with "quotes"\n "w": {"kind": "file", '
                           '"path": "/x//y"} /* more */ }', "jsonc", None, True),
        "bad value": ('"global": {"hold-time": 2}', "json", None, False),
        "bad key": ('"vips": [{"name": "a", "prefixes": ["192.0.2.1/32"], "rule": "x", '
                    '"typo": 1}]', "json", None, False),
        "bare object": ('{"name": "a"}', "json", None, False),
        "one VIP": ('{"name": "a", "prefixes": ["192.0.2.1/32"], "rule": "s:be/x"}', "json", None,
                    True),
        "invalid as marked": ('"global": {"local-as": 0}', "json", "invalid", True),
        "invalid but accepted": ('"global": {"local-as": 1}', "json", "invalid", False),
        "not-config JSON lines": ('{"ok": true}\n{"ok": false}', "json", "not-config", True),
        "not-config broken": ('{"ok": tru}', "json", "not-config", False),
        "comment in json": ('"global": {} // no', "json", None, False),
    }
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (text, lang, marker, passes) in cases.items():
            got = check_block(Block("self-test", 1, lang, text, marker), vipd, tmp) is None
            if got != passes:
                print(f"self-test: {name}: expected {'pass' if passes else 'failure'}")
                failed += 1
    return failed


def main():
    source = Path(os.environ.get("VIPD_SOURCE_DIR", Path(__file__).resolve().parent.parent))
    binary = os.environ.get("VIPD_BINARY_DIR")
    if not binary:
        print("VIPD_BINARY_DIR is not set (the build tree with vipd)")
        return 2
    vipd = str(Path(binary) / "vipd")
    failed = self_test(vipd)
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        for doc in documents(source):
            for block in blocks_of(doc, str(doc.relative_to(source))):
                count += 1
                if (error := check_block(block, vipd, tmp)) is not None:
                    print(error)
                    failed += 1
    if count == 0:
        print("no JSON blocks found: wrong VIPD_SOURCE_DIR?")
        return 1
    print(f"docs JSON blocks: {count} checked, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
