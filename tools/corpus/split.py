#!/usr/bin/env python3
"""Prints the split (dev or test) the corpus rule gives each id: tools/corpus/split.py ID..."""
import os
import sys


def fnv1a32(text):
    h = 0x811C9DC5
    for b in text.encode():
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    forced = set()
    path = os.path.join(here, "..", "..", "tests", "corpus", "forced_dev.txt")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            line = line.split("#", 1)[0].strip()
            if line:
                forced.add(line)
    if len(sys.argv) < 2:
        print("usage: tools/corpus/split.py ID...", file=sys.stderr)
        return 2
    for device_id in sys.argv[1:]:
        split = "dev" if device_id in forced or fnv1a32(device_id) % 2 else "test"
        print(f"{device_id} {split}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
