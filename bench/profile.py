#!/usr/bin/env python3
"""Where the guest instructions of one benchmark go, per function.

    bench/profile.py NAME [--iters N] [--smp N] [--build DIR] [--top N]
                     [--annotate FUNCTION]...

Builds a bench program that runs only benchmark NAME (user/bench,
BENCH_ONLY/BENCH_ITERS) in its own build directory (default
build/profile), boots it once under QEMU with -icount shift=0 and the
translation-block trace (-d in_asm,exec,nochain), and counts the guest
instructions executed inside the timed loop: between the third and the
fourth SYS_CLOCK_GET (the first two bracket the warm-up run). Each
instruction is charged to the function (kernel or user symbol) it
belongs to; the table gives instructions per operation. --annotate
prints a function's disassembly (objdump) with the times each of its
instructions ran per operation.

The trace goes through a FIFO, so nothing big lands on disk, and is
limited to the kernel's and our programs' addresses (-dfilter: tracing
the firmware and the boot loader would take minutes); the guest has 256
MiB. A few hundred iterations take two or three minutes. The total is within a few
instructions of the icount figure of `make bench` (a block cut short by
an exception or interrupt is counted whole).
"""

import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU_TEST = os.path.join(ROOT, "tools", "qemu_test.py")
TRACE_RE = re.compile(r"^Trace (\d+): \S+ \[([0-9a-f]+)/([0-9a-f]+)/"
                      r"([0-9a-f]+)/([0-9a-f]+)\]")
INSN_RE = re.compile(r"^0x([0-9a-f]+):")


def symbols(elf):
    """Sorted (address, name) of the functions of @elf."""
    out = subprocess.run(["nm", "-n", "--defined-only", elf], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


class Symbolizer:
    def __init__(self, kernel, user):
        self.kernel = symbols(kernel)
        self.user = symbols(user)
        self.kaddr = [a for a, _ in self.kernel]
        self.uaddr = [a for a, _ in self.user]

    def name(self, addr):
        if addr >= 1 << 63:
            table, addrs, tag = self.kernel, self.kaddr, "k"
        else:
            table, addrs, tag = self.user, self.uaddr, "u"
        i = bisect.bisect_right(addrs, addr) - 1
        if i < 0:
            return f"{tag}:?{addr:#x}"
        return f"{tag}:{table[i][1]}"


class Counter:
    """Consumes the QEMU log; counts instructions per function in the
    window between the @start-th and the (@start+1)-th execution of the
    block at @marker."""

    def __init__(self, sym, marker, start):
        self.sym = sym
        self.marker = marker
        self.start = start
        self.hits = 0
        self.pending = {}       # pc -> [insn addresses], just translated
        self.tbs = {}           # (pc, cflags) -> [(function, count)]
        self.by_pc = {}
        self.funcs = collections.Counter()
        self.insns = collections.Counter()  # address -> executions
        self.cpus = collections.Counter()
        self.total = 0
        self.block = None

    def charge(self, insns):
        per = collections.Counter(self.sym.name(a) for a in insns)
        return (list(per.items()), insns)

    def feed(self, line):
        if self.block is not None:
            m = INSN_RE.match(line)
            if m:
                self.block.append(int(m.group(1), 16))
                return
            if not line.strip():
                if self.block:
                    self.pending[self.block[0]] = self.block
                self.block = None
            return
        if line.startswith("IN:"):
            self.block = []
            return
        m = TRACE_RE.match(line)
        if not m:
            return
        cpu, pc, cflags = int(m.group(1)), int(m.group(3), 16), m.group(5)
        key = (pc, cflags)
        if pc in self.pending:
            self.tbs[key] = self.charge(self.pending.pop(pc))
            self.by_pc[pc] = self.tbs[key]
        if pc == self.marker:
            self.hits += 1
        if self.hits != self.start:
            return
        tb = self.tbs.get(key) or self.by_pc.get(pc)
        if tb is None:
            self.funcs["?untranslated"] += 1
            return
        for name, n in tb[0]:
            self.funcs[name] += n
            self.cpus[cpu] += n
            self.total += n
        for a in tb[1]:
            self.insns[a] += 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("name", help="benchmark name (user/bench/main.c)")
    p.add_argument("--iters", type=int, default=256)
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--build", default="build/profile")
    p.add_argument("--top", type=int, default=60)
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--annotate", action="append", default=[],
                   metavar="FUNCTION")
    p.add_argument("--lines", action="store_true",
                   help="with --annotate: sum per source line instead")
    args = p.parse_args()

    build = args.build
    obj = os.path.join(build, "user/user/bench/main.c.o")
    if os.path.exists(obj):
        os.unlink(obj)  # BENCH_DEFS is not a dependency
    defs = f"-DBENCH_ONLY='\"{args.name}\"' -DBENCH_ITERS={args.iters}"
    subprocess.run(["make", "-s", f"BUILD={build}", f"BENCH_DEFS={defs}",
                    f"{build}/bench-image"], check=True, cwd=ROOT)
    sym = Symbolizer(os.path.join(build, "kernel/keel.elf"),
                     os.path.join(build, "user/bin/bench"))
    marker = [a for a, n in sym.kernel if n == "sys_clock_get"][0]
    counter = Counter(sym, marker, 3)

    tmp = tempfile.mkdtemp(prefix="keel-profile-")
    fifo = os.path.join(tmp, "trace")
    os.mkfifo(fifo)

    def reader():
        with open(fifo, encoding="utf-8", errors="replace") as f:
            for line in f:
                counter.feed(line)

    t = threading.Thread(target=reader)
    t.start()
    log = os.path.join(build, "profile.log")
    qemu = subprocess.run(
        [sys.executable, QEMU_TEST, "--image",
         os.path.join(build, "bench-image"), "--smp", str(args.smp),
         "--mem", "256", "--timeout", str(args.timeout), "--name",
         "profile", "--log", log, "--qemu-arg=-icount",
         "--qemu-arg=shift=0", "--qemu-arg=-d",
         "--qemu-arg=in_asm,exec,nochain", "--qemu-arg=-D",
         f"--qemu-arg={fifo}", "--qemu-arg=-dfilter",
         # the kernel and our programs, not the firmware or the loader
         "--qemu-arg=0x400000..0x7fffffffffff,"
         "0xffffffff80000000..0xffffffffffffffff"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t.join()
    os.unlink(fifo)
    os.rmdir(tmp)
    figure = ""
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            if "BENCH" in line:
                figure = line.strip()
    print(f"profile of {args.name}, {args.iters} iterations, -smp "
          f"{args.smp}: {figure}")
    if qemu.returncode != 0:
        print(qemu.stdout)
    if counter.hits < 4:
        print(f"profile: the window was not closed ({counter.hits} "
              "SYS_CLOCK_GET seen)")
        return 1
    iters = args.iters
    print(f"total {counter.total / iters:.1f} instructions/op; per CPU: " +
          ", ".join(f"cpu{c} {n / iters:.1f}"
                    for c, n in sorted(counter.cpus.items())))
    for name, n in counter.funcs.most_common(args.top):
        print(f"{n / iters:9.1f}  {name}")
    for func in args.annotate:
        if args.lines:
            annotate_lines(build, func, counter, iters)
        else:
            annotate(build, func, counter, iters)
    return 0


def annotate_lines(build, func, counter, iters):
    """Sums @func's executed instructions per source line (addr2line)."""
    user = func.startswith("u:")
    name = func[2:] if func[:2] in ("u:", "k:") else func
    elf = os.path.join(build, "user/bin/bench" if user else "kernel/keel.elf")
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn",
                          f"--disassemble={name}", elf], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    addrs = [int(m.group(1), 16) for m in
             (re.match(r"^\s*([0-9a-f]+):", l) for l in out.splitlines()) if m]
    hot = [a for a in addrs if counter.insns.get(a)]
    if not hot:
        return
    res = subprocess.run(["addr2line", "-e", elf] + [f"{a:#x}" for a in hot],
                         check=True, stdout=subprocess.PIPE,
                         text=True).stdout.split("\n")
    per = collections.Counter()
    for a, line in zip(hot, res):
        per[line.replace(ROOT + "/", "")] += counter.insns[a]
    print(f"\n{func} by source line:")
    for line, n in sorted(per.items(), key=lambda x: x[0]):
        print(f"{n / iters:7.2f}  {line}")


def annotate(build, func, counter, iters):
    """Prints @func's disassembly with executions per operation."""
    user = func.startswith("u:")
    name = func[2:] if func[:2] in ("u:", "k:") else func
    elf = os.path.join(build, "user/bin/bench" if user else "kernel/keel.elf")
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn",
                          f"--disassemble={name}", elf], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    print(f"\n{func}:")
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s*(.*)$", line)
        if not m:
            continue
        n = counter.insns.get(int(m.group(1), 16), 0)
        print(f"{n / iters:7.2f}  {m.group(1)}: {m.group(2)}")


if __name__ == "__main__":
    sys.exit(main())
