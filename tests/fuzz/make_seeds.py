#!/usr/bin/env python3
"""Write the seed corpus of vipd_decode_fuzzer.

Sources: every vector of tests/data/**/*.hex (commented hex: '#' comments, '--- name' starts a
vector, an optional '# context: two-octet-as add-path=ipv4 extended-message' line sets the
codec context) and every byte array in tests/bgp/*_test.cpp that starts with the 16-octet
marker (one field per line, as STYLE.md §12 writes them). Each seed is one binary file: the
context octet the fuzzer reads first (bit 0 two-octet AS, bit 1 extended message, bit 2
ADD-PATH IPv4, bit 3 ADD-PATH IPv6), then the message bytes.

Usage: make_seeds.py --source /work/main --out build-fuzz/tests/fuzz/corpus
"""
import argparse
import hashlib
import pathlib
import re
import sys

MARKER = [0xFF] * 16
CONTEXT_TAG = "# context:"


def context_bits(words, bits=0):
    for w in words.split():
        if w == "two-octet-as":
            bits |= 0x01
        elif w == "four-octet-as":
            bits &= ~0x01
        elif w == "extended-message":
            bits |= 0x02
        elif w.startswith("add-path="):
            fams = w[len("add-path="):]
            bits &= ~0x0C
            if "ipv4" in fams:
                bits |= 0x04
            if "ipv6" in fams:
                bits |= 0x08
        else:
            raise ValueError(f"unknown context word {w!r}")
    return bits


def parse_hex_file(path):
    """Yield (name, context_bits, bytes) for every vector of a commented hex file."""
    file_bits = 0
    name, bits, data = None, 0, []
    for line_no, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("---"):
            if name is not None or data:
                yield name or "vector", bits, bytes(data)
            name, bits, data = line[3:].strip(), file_bits, []
            continue
        if line.startswith(CONTEXT_TAG):
            if name is None and not data:
                file_bits = context_bits(line[len(CONTEXT_TAG):], file_bits)
                bits = file_bits
            else:
                bits = context_bits(line[len(CONTEXT_TAG):], bits)
            continue
        text = line.split("#", 1)[0]
        digits = re.sub(r"[\s,:]", "", text)
        if not re.fullmatch(r"[0-9a-fA-F]*", digits) or len(digits) % 2:
            raise ValueError(f"{path}:{line_no}: not commented hex")
        data.extend(bytes.fromhex(digits))
    if name is not None or data:
        yield name or "vector", bits, bytes(data)


ARRAY = re.compile(r"std::uint8_t\s+(\w+)\[\]\s*=\s*\{(.*?)\};", re.S)
TOKEN = re.compile(r"0x[0-9a-fA-F]{2}|'(?:\\.|[^'])'")


def parse_test_arrays(path):
    """Yield (name, bytes) for byte arrays of a test source that hold a whole message."""
    for m in ARRAY.finditer(path.read_text()):
        body = "\n".join(l.split("//", 1)[0] for l in m.group(2).splitlines())
        values = []
        for tok in TOKEN.findall(body):
            if tok.startswith("0x"):
                values.append(int(tok, 16))
            else:
                values.append(ord(tok[1:-1].encode().decode("unicode_escape")))
        if values[:16] == MARKER:
            yield m.group(1), bytes(values)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    count = 0

    def write(bits, data):
        nonlocal count
        seed = bytes([bits]) + data
        (args.out / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        count += 1

    for path in sorted((args.source / "tests" / "data").rglob("*.hex")):
        for _name, bits, data in parse_hex_file(path):
            write(bits, data)
    for path in sorted((args.source / "tests" / "bgp").glob("*_test.cpp")):
        for _name, data in parse_test_arrays(path):
            write(0, data)
            write(0x0E, data)  # extended message + ADD-PATH both families
    print(f"make_seeds: {count} seeds in {args.out}")
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main())
