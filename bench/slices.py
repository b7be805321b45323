#!/usr/bin/env python3
"""bench/slices.py - cut deterministic slices of the benchmark corpus.

Usage: slices.py CORPUS_DIR MB [MB...]

CORPUS_DIR/full holds the whole corpus. Each slice CORPUS_DIR/<MB>M gets
hard links to the files of full taken in the order of a hash of their path
(so every source is represented in its share), skipping a file that would
overflow the size, until the slice is within 1% of it. The same corpus
always gives the same slices.
"""
import hashlib
import os
import shutil
import sys


def main():
    base = sys.argv[1]
    full = os.path.join(base, "full")
    files = []
    for dirpath, _dirs, names in os.walk(full):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, full)
            key = hashlib.sha1(rel.encode("utf-8", "surrogateescape")).hexdigest()
            files.append((key, rel, os.path.getsize(path)))
    files.sort()
    for mb in sys.argv[2:]:
        target = int(mb) << 20
        out = os.path.join(base, f"{mb}M")
        shutil.rmtree(out, ignore_errors=True)
        got = 0
        for _key, rel, size in files:
            if got + size > target:
                continue
            dst = os.path.join(out, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.link(os.path.join(full, rel), dst)
            got += size
            if got >= target * 0.99:
                break
        print(f"slice {mb}M: {got / 1048576:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
