#!/usr/bin/env python3
"""Runs the Linux test programs on the host: tests/linux/run.py [--name S]
[--timeout SECONDS] PROGRAM...

The programs (tests/linux/*.c, built static with musl-gcc) print
"KTEST PASS <group>/<case>" and "KTEST FAIL <group>/<case>: <why>" lines
(tests/linux/lt.h) and exit with the number of failed cases. On the host
they show what Linux, the reference, does; the guest runs the same
binaries under the posix server.

Prints, one line each, in the format tools/test_summary.py counts:
    PASS <suite>/<group>/<case>   or   FAIL <suite>/<group>/<case>: <why>
    PASS <suite>/<group>/exit     the program ended normally, its exit
                                  status matching the failures it reported
    FAIL <suite>/<group>/exit: <why>   killed by a signal, timed out, no
                                  results, or a status that disagrees
Each program runs alone, stdin from /dev/null, in a fresh temporary
directory, under a time limit. Exits 0 when nothing failed, else 1.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile

PASS_RE = re.compile(r"KTEST PASS (\S+)")
FAIL_RE = re.compile(r"KTEST FAIL ([^\s:]+):?\s*(.*)")


def run_one(suite, path, timeout):
    """Runs one program; returns its result lines."""
    group = os.path.basename(path)
    lines = []
    with tempfile.TemporaryDirectory(prefix="keel-linux-test.") as cwd:
        try:
            proc = subprocess.run([os.path.abspath(path)], cwd=cwd,
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=timeout)
            out, status = proc.stdout, proc.returncode
        except subprocess.TimeoutExpired as e:
            out, status = e.stdout or b"", None
        except OSError as e:
            return [f"FAIL {suite}/{group}/exit: cannot run: {e}"]
    passed = failed = 0
    for line in out.decode("utf-8", "replace").splitlines():
        m = PASS_RE.search(line)
        if m:
            passed += 1
            lines.append(f"PASS {suite}/{m.group(1)}")
            continue
        m = FAIL_RE.search(line)
        if m:
            failed += 1
            lines.append(f"FAIL {suite}/{m.group(1)}: {m.group(2)}")
    if status is None:
        why = f"timed out after {timeout} s"
    elif status < 0:
        why = f"killed by signal {signal.Signals(-status).name}"
    elif passed + failed == 0:
        why = f"no results (exit status {status})"
    elif status != min(failed, 100):
        why = f"exit status {status}, but {failed} cases failed"
    else:
        why = None
    lines.append(f"FAIL {suite}/{group}/exit: {why}" if why
                 else f"PASS {suite}/{group}/exit")
    return lines


def main():
    p = argparse.ArgumentParser(
        description="Run Linux test programs on the host.")
    p.add_argument("--name", default="linux-host", help="suite name")
    p.add_argument("--timeout", type=float, default=60,
                   help="limit per program in s (default 60)")
    p.add_argument("programs", nargs="*")
    args = p.parse_args()
    if not args.programs:
        print(f"FAIL {args.name}/programs: none given")
        return 1
    ok = True
    for path in args.programs:
        for line in run_one(args.name, path, args.timeout):
            print(line, flush=True)
            ok &= line.startswith("PASS ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
