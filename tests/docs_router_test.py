#!/usr/bin/env python3
"""The router snippets of docs/*.md that are marked for it, parsed by the real router
software: a fence preceded by `<!-- check: bird -->` by `bird -p -c FILE` (BIRD 2; a
`router id` is put in front when the snippet has none), one preceded by
`<!-- check: gobgpd -->` by `gobgpd -t toml -f FILE -d` (dry run), one preceded by
`<!-- check: nft -->` by `nft -c -f FILE` (check only: the ruleset is not changed). A failure names the
document and the line of the fence. Snippets of other routers (Cisco, Junos, Arista, ...)
are not checked: docs/routers.md says which.

Usage: docs_router_test.py   (VIPD_SOURCE_DIR: the source tree, by default this script's)
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

FENCE = re.compile(r"^\s*```(\S*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*check:\s*(bird|gobgpd|nft)\s*-->\s*$")


def marked_blocks(path):
    """(line of the fence, checker, text) of each marked block."""
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        if not FENCE.match(lines[i]):
            i += 1
            continue
        start, body = i, []
        i += 1
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i])
            i += 1
        i += 1
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and (m := MARKER.match(lines[j])):
            yield start + 1, m.group(1), "\n".join(body) + "\n"


def check(checker, text, tmp):
    path = Path(tmp) / f"snippet.{checker}"
    if checker == "bird":
        if not re.search(r"^\s*router id ", text, re.M):
            text = "router id 192.0.2.1;\n" + text
        path.write_text(text, encoding="utf-8")
        cmd = ["bird", "-p", "-c", str(path)]
    elif checker == "gobgpd":
        path.write_text(text, encoding="utf-8")
        cmd = ["gobgpd", "-t", "toml", "-f", str(path), "-d"]
    else:
        path.write_text(text, encoding="utf-8")
        cmd = ["nft", "-c", "-f", str(path)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    return None if r.returncode == 0 else (r.stdout + r.stderr).strip()


def main():
    source = Path(os.environ.get("VIPD_SOURCE_DIR", Path(__file__).resolve().parent.parent))
    counts = {"bird": 0, "gobgpd": 0, "nft": 0}
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for doc in sorted((source / "docs").glob("*.md")):
            for line, checker, text in marked_blocks(doc):
                counts[checker] += 1
                if (error := check(checker, text, tmp)) is not None:
                    print(f"{doc.relative_to(source)}:{line}: {checker} rejects the snippet:\n  {error}")
                    failed += 1
    if 0 in counts.values():
        print(f"expected marked BIRD, GoBGP and nftables snippets, found {counts}")
        return 1
    print(f"router snippets: {counts['bird']} BIRD, {counts['gobgpd']} GoBGP, "
          f"{counts['nft']} nftables checked, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
