#!/usr/bin/env python3
"""Sums up a test run: tools/test_summary.py DIR

Reads every DIR/*.log (not the kernel logs *.debug.log, nor the raw
*.serial captures), counts the lines that start with "PASS " and "FAIL ",
prints every FAIL line, and ends with exactly one line "N passed, N failed".
Exits 0 iff nothing failed and something passed (an empty run is a
failure: it means the tests did not run).
"""

import glob
import os
import sys


def main():
    if len(sys.argv) != 2:
        print("usage: tools/test_summary.py DIR", file=sys.stderr)
        return 2
    directory = sys.argv[1]
    passed = failed = 0
    if not os.path.isdir(directory):
        print(f"test_summary: no results directory {directory}",
              file=sys.stderr)
    for path in sorted(glob.glob(os.path.join(directory, "*.log"))):
        if path.endswith(".debug.log"):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.rstrip("\r\n")
                if line.startswith("PASS "):
                    passed += 1
                elif line.startswith("FAIL "):
                    failed += 1
                    print(line)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
