#!/usr/bin/env python3
"""Runs the in-guest benchmarks (user/bench) and prints their figures.

    bench/run.py --image IMG [--smp N] [--timeout S] [--logs DIR]
                 [--modes "tcg icount"]

Boots IMG (a disk whose kernel command line is
"poweroff_on_exit init=/bin/bench", `make bench-image`) once per mode
through tools/qemu_test.py:

    tcg     plain software emulation; figures are host wall-clock time
    icount  QEMU's -icount shift=0: every guest instruction advances the
            virtual clock by 1 ns, so ns_per_op is the number of guest
            instructions (user and kernel) per operation

The guest prints "BENCH name=<n> iters=<i> ns_per_op=<x>" through the
kernel log; this prints each as
    BENCH name=<n> mode=<mode> iters=<i> ns_per_op=<x>
after a short header. The kernel log of each boot is kept in
DIR/<mode>.log (DIR/<mode>.log.serial: the serial console).

When /dev/kvm is usable, tools/qemu.sh runs QEMU under KVM; the first run
is then reported as mode=kvm and the icount run, which needs TCG, is
skipped.

Exits 0 when every boot ended cleanly and every figure came out, 1 when
a boot failed or the guest reported BENCH_ERROR, 2 on bad usage.
"""

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU_TEST = os.path.join(ROOT, "tools", "qemu_test.py")

MODES = {
    "tcg": [],
    "icount": ["--qemu-arg=-icount", "--qemu-arg=shift=0"],
}

HEADER = """\
Keel benchmarks (user/bench, docs/benchmarks.md), QEMU -smp {smp}
  mode=tcg     plain TCG software emulation: ns_per_op is host wall-clock
               time per operation (varies with the host and its load)
  mode=icount  TCG with -icount shift=0: one guest instruction = 1 virtual
               ns, so ns_per_op is guest instructions per operation (user
               and kernel; deterministic up to timer interrupts)"""

KVM_NOTE = """\
  note: /dev/kvm is usable, so tools/qemu.sh runs QEMU under KVM: the
        first run is reported as mode=kvm (real time) and the icount run,
        which needs TCG, is skipped"""

BENCH_RE = re.compile(r"user: \[bench\] BENCH name=(\S+) (.*)$")
ERROR_RE = re.compile(r"user: \[bench\] (BENCH_ERROR .*)$")
EXIT_RE = re.compile(r"/bin/bench exited with code (-?\d+)")


def kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def run_mode(args, mode, extra):
    """Boots the image once; returns (figure lines, problems)."""
    os.makedirs(args.logs, exist_ok=True)
    log = os.path.join(args.logs, f"{mode}.log")
    cmd = [sys.executable, QEMU_TEST, "--image", args.image,
           "--smp", str(args.smp), "--timeout", str(args.timeout),
           "--name", f"bench-{mode}", "--log", log] + extra
    t0 = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    wall = time.monotonic() - t0
    problems = [line for line in proc.stdout.splitlines()
                if line.startswith("FAIL ")]
    if proc.returncode != 0 and not problems:
        problems.append(f"tools/qemu_test.py exited with status "
                        f"{proc.returncode}: {proc.stdout.strip()}")
    figures = []
    exit_code = None
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                m = BENCH_RE.search(line)
                if m:
                    figures.append(f"BENCH name={m.group(1)} mode={mode} "
                                   f"{m.group(2).strip()}")
                m = ERROR_RE.search(line)
                if m:
                    problems.append(f"{m.group(1)} (mode={mode})")
                m = EXIT_RE.search(line)
                if m:
                    exit_code = int(m.group(1))
    except OSError as e:
        problems.append(f"cannot read {log}: {e}")
    if exit_code is None:
        problems.append(f"/bin/bench did not run to its end (mode={mode}, "
                        f"see {log})")
    elif exit_code != 0:
        problems.append(f"/bin/bench exited with code {exit_code} "
                        f"(mode={mode}, see {log})")
    if not figures:
        problems.append(f"no BENCH lines (mode={mode}, see {log})")
    return figures, problems, wall


def main():
    p = argparse.ArgumentParser(
        description="Boot the bench image and print its figures.")
    p.add_argument("--image", required=True, help="the bench disk image")
    p.add_argument("--smp", type=int, default=2, help="CPUs (default 2)")
    p.add_argument("--timeout", type=float, default=240,
                   help="limit per boot in s (default 240)")
    p.add_argument("--logs", default="build/bench",
                   help="directory for the kernel logs (default build/bench)")
    p.add_argument("--modes", default="tcg icount",
                   help='modes to run, space-separated (default '
                   '"tcg icount")')
    args = p.parse_args()
    modes = args.modes.split()
    for mode in modes:
        if mode not in MODES:
            p.error(f"unknown mode {mode!r} (tcg, icount)")
    if not os.path.isfile(args.image):
        p.error(f"image {args.image!r} not found (make bench-image)")

    kvm = kvm_usable()
    print(HEADER.format(smp=args.smp))
    if kvm:
        print(KVM_NOTE)
    print(flush=True)

    problems = []
    for mode in modes:
        label = mode
        if kvm:
            if mode == "icount":
                continue
            label = "kvm"
        figures, bad, wall = run_mode(args, label, MODES[mode])
        for line in figures:
            print(line)
        print(f"bench: mode={label} boot took {wall:.0f} s wall-clock, "
              f"log in {os.path.join(args.logs, label + '.log')}",
              flush=True)
        problems += bad
    for line in problems:
        print(f"bench: FAILED: {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
