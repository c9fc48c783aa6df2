#!/usr/bin/env python3
"""Boots a Keel image in QEMU under a hard time limit and reports results.

    tools/qemu_test.py --image IMG [--smp N] [--timeout S] [--name SUITE]
                       [--log FILE] [--uefi] [--qemu-arg ARG]...
                       [--expect REGEX | --send TEXT | --send-raw TEXT |
                        --pause SECONDS]...

QEMU is started through tools/qemu.sh (mode "test"): the stock devices,
no display, -no-reboot, isa-debug-exit on port 0xf4, the disk as a
snapshot. The serial console is read here; the kernel log (port 0xE9)
goes to --log FILE and the raw serial bytes to FILE.serial.

What the guest says on serial (anywhere in a line, since user programs'
lines come through the kernel log with a prefix):
    KTEST PASS <name>           a test passed
    KTEST FAIL <name>: <why>    a test failed
    KTEST DONE                  the run is complete
    ...PANIC...                 the kernel panicked (always a failure)

What this prints on stdout, one line each, as results arrive:
    PASS <suite>/<name>   or   FAIL <suite>/<name>: <why>
    PASS <suite>/boot     the run ended cleanly after KTEST DONE
    FAIL <suite>/boot: <why>   timeout, panic, QEMU died, no KTEST DONE
    INFO <suite> <key>=<value> ...   timings and the QEMU exit status
INFO keys: first_serial_ms (first serial byte; under OVMF that is the
firmware), kernel_ms (first byte on port 0xE9), boot_ms (first serial line
containing "user:", i.e. the first user program wrote), total_ms.

Scenario mode: --expect, --send and --send-raw steps run in the order
given. Each --expect REGEX (Python syntax, multi-line mode) must match the
serial text that arrived since the previous match; it is reported as
<suite>/expect-N. --send TEXT types TEXT and Enter (a carriage return)
once the expects before it have matched; --send-raw sends TEXT alone;
--pause SECONDS waits that long (a person reacting) before the next step.
Both decode backslash escapes (\\n, \\r, \\t, \\x03, ...). In this mode the
run ends when the last step is done (QEMU is then stopped) and KTEST DONE
is not required.

QEMU exit status: 0 is ACPI power-off (or a triple fault under
-no-reboot); isa-debug-exit with value v gives (v << 1) | 1: 33 (v=0x10)
success, 35 (v=0x11) the guest saw failures, 99 (v=0x31) a panic.

Never hangs: QEMU runs in its own process group, which is killed at the
time limit, on any error here, and (through PR_SET_PDEATHSIG) if this
script itself dies. Exits 0 when nothing failed, 1 otherwise, 2 on bad
usage.
"""

import argparse
import codecs
import ctypes
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
QEMU_SH = os.path.join(TOOLS, "qemu.sh")

EXIT_POWER_OFF = 0
EXIT_SUCCESS = (0x10 << 1) | 1
EXIT_GUEST_FAILED = (0x11 << 1) | 1
EXIT_PANIC = (0x31 << 1) | 1

DONE_GRACE_S = 10  # QEMU must exit this soon after KTEST DONE
PANIC_GRACE_S = 3  # time to collect the backtrace after PANIC

# Terminal control sequences (GRUB and OVMF draw on the serial console).
ANSI_RE = re.compile(r"\x1b(\[[0-9;?=]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-_])")
ANSI_PARTIAL_RE = re.compile(r"\x1b(\[[0-9;?=]*[ -/]*|[()])?$")
PASS_RE = re.compile(r"KTEST PASS (\S+)")
FAIL_RE = re.compile(r"KTEST FAIL ([^\s:]+):?\s*(.*)")
DONE_RE = re.compile(r"KTEST DONE")


class StepAction(argparse.Action):
    """Keeps --expect/--send/--send-raw in one list, in command-line order."""

    def __call__(self, parser, namespace, values, option_string=None):
        steps = getattr(namespace, "steps", None) or []
        steps.append((option_string.lstrip("-"), values))
        namespace.steps = steps


def parse_args():
    p = argparse.ArgumentParser(
        description="Boot a Keel image in QEMU and report KTEST results.")
    p.add_argument("--image", required=True, help="raw disk image")
    p.add_argument("--smp", type=int, default=2, help="CPUs (default 2)")
    p.add_argument("--mem", type=int, default=2048, help="MiB (default 2048)")
    p.add_argument("--timeout", type=float, default=120,
                   help="hard limit for the whole run in s (default 120)")
    p.add_argument("--name", default="guest", help="suite name in results")
    p.add_argument("--log", help="kernel log (port 0xE9) file; the serial "
                   "output goes to LOG.serial")
    p.add_argument("--uefi", action="store_true", help="boot under OVMF")
    p.add_argument("--qemu-arg", action="append", default=[],
                   metavar="ARG", help="extra QEMU argument (repeatable; "
                   "write --qemu-arg=-foo for one starting with -)")
    p.add_argument("--expect", action=StepAction, metavar="REGEX",
                   help="scenario: REGEX must appear on serial")
    p.add_argument("--send", action=StepAction, metavar="TEXT",
                   help="scenario: type TEXT and Enter")
    p.add_argument("--send-raw", action=StepAction, metavar="TEXT",
                   help="scenario: send TEXT as is")
    p.add_argument("--pause", action=StepAction, metavar="SECONDS",
                   help="scenario: wait SECONDS before the next step (what "
                   "a person takes to react, e.g. before ^C after fg)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="copy the serial output to stderr as it arrives")
    p.set_defaults(steps=[])
    args = p.parse_args()
    for kind, value in args.steps:
        if kind == "expect":
            try:
                re.compile(value)
            except re.error as e:
                p.error(f"bad --expect regex {value!r}: {e}")
    if not os.path.isfile(args.image):
        p.error(f"image {args.image!r} not found")
    return args


def unescape(text):
    return codecs.decode(text.encode("utf-8"), "unicode_escape").encode(
        "latin-1")


def set_pdeathsig():
    """Runs in the child before exec: die with SIGKILL if we die."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Run:
    """One QEMU run: the process, what it said, and the results so far."""

    def __init__(self, args):
        self.args = args
        self.suite = args.name
        self.results = []  # (passed, name, why)
        self.failed = False
        self.t0 = None
        self.first_serial = None
        self.first_kernel = None
        self.first_user = None
        self.done_at = None
        self.panic_at = None
        self.panic_line = None
        self.line = ""  # the current, unterminated serial line (clean)
        self.held = ""  # an escape sequence cut in two by a read
        self.scan = ""  # clean text not yet consumed by an expect
        self.scan_new = True  # whether expects must look at it again
        self.steps = list(args.steps)
        self.expect_no = 0
        self.steps_done_at = None
        self.pause_until = None
        self.stderr = b""
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def ms(self, t):
        return None if t is None else int((t - self.t0) * 1000)

    def report(self, passed, name, why=""):
        self.results.append((passed, name, why))
        if passed:
            print(f"PASS {self.suite}/{name}", flush=True)
        else:
            self.failed = True
            print(f"FAIL {self.suite}/{name}: {why}", flush=True)

    # --- serial input -------------------------------------------------

    def feed(self, data, now):
        if self.first_serial is None:
            self.first_serial = now
        text = self.held + self.decoder.decode(data)
        self.held = ""
        partial = ANSI_PARTIAL_RE.search(text)
        if partial and len(text) - partial.start() < 32:
            self.held = text[partial.start():]
            text = text[:partial.start()]
        text = ANSI_RE.sub("", text).replace("\r", "")
        if self.steps:
            self.scan += text
            self.scan_new = True
        self.line += text
        while "\n" in self.line:
            line, self.line = self.line.split("\n", 1)
            self.on_line(line, now)

    def on_line(self, line, now):
        if self.first_user is None and "user:" in line:
            self.first_user = now
        m = PASS_RE.search(line)
        if m:
            self.report(True, m.group(1))
        m = FAIL_RE.search(line)
        if m:
            self.report(False, m.group(1), m.group(2).strip() or "failed")
        if DONE_RE.search(line) and self.done_at is None:
            self.done_at = now
        if "PANIC" in line and self.panic_at is None:
            self.panic_at = now
            self.panic_line = line.strip()

    # --- scenario steps -----------------------------------------------

    def advance_steps(self, qemu, now):
        """Runs every step that can run now; False if sending failed."""
        while self.steps:
            kind, value = self.steps[0]
            if kind == "pause":
                if self.pause_until is None:
                    self.pause_until = now + float(value)
                if now < self.pause_until:
                    return True
                self.pause_until = None
                self.steps.pop(0)
                continue
            if kind == "expect":
                m = None
                if self.scan_new:
                    m = re.search(value, self.scan, re.MULTILINE)
                if not m:
                    self.scan_new = False
                    return True
                self.expect_no += 1
                self.report(True, f"expect-{self.expect_no}")
                self.scan = self.scan[m.end():]
            else:
                data = unescape(value)
                if kind == "send":
                    data += b"\r"
                try:
                    qemu.stdin.write(data)
                    qemu.stdin.flush()
                except OSError:
                    return False
            self.steps.pop(0)
        if self.steps_done_at is None:
            self.steps_done_at = now
        return True

    def fail_pending_expects(self, why):
        for kind, value in self.steps:
            if kind == "expect":
                self.expect_no += 1
                self.report(False, f"expect-{self.expect_no}",
                            f"/{value}/ not seen: {why}")
        self.steps = []


def kill_group(proc):
    """Ends QEMU and anything it started: TERM, then KILL after 2 s."""
    for sig, wait_s in ((signal.SIGTERM, 2), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            pass


def drain(qemu, r, serial_out, verbose):
    """Reads what QEMU wrote before it ended (a panic's backtrace)."""
    fds = {qemu.stdout.fileno(): "out", qemu.stderr.fileno(): "err"}
    limit = time.monotonic() + 1
    while fds and time.monotonic() < limit:
        ready, _, _ = select.select(list(fds), [], [], 0.1)
        for fd in ready:
            data = os.read(fd, 65536)
            if not data:
                del fds[fd]
            elif fds[fd] == "out":
                serial_out.write(data)
                if verbose:
                    sys.stderr.buffer.write(data)
                r.feed(data, time.monotonic())
            else:
                r.stderr += data


def describe_exit(status):
    if status < 0:
        return f"QEMU killed by signal {-status}"
    if status == EXIT_POWER_OFF:
        return "QEMU exited with status 0 (power-off or triple fault)"
    if status & 1 and status > 1:
        return (f"QEMU exited with status {status} "
                f"(isa-debug-exit value {status >> 1:#x})")
    return f"QEMU failed with status {status}"


def run(args, log_path, serial_out):
    r = Run(args)
    scenario = bool(args.steps)
    env = dict(os.environ, SMP=str(args.smp), MEM=str(args.mem))
    cmd = [QEMU_SH, "test-uefi" if args.uefi else "test", args.image,
           "-debugcon", "file:" + log_path.replace(",", ",,")]
    cmd += args.qemu_arg
    # A stale log would fake an early kernel byte.
    open(log_path, "wb").close()

    r.t0 = time.monotonic()
    deadline = r.t0 + args.timeout
    qemu = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, env=env,
                            preexec_fn=set_pdeathsig)
    timed_out = False
    why_stopped = None  # set when we ended QEMU on purpose
    send_failed = False
    try:
        fds = {qemu.stdout.fileno(): "out", qemu.stderr.fileno(): "err"}
        while fds:
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if r.done_at is not None and now - r.done_at > DONE_GRACE_S \
                    and not scenario:
                why_stopped = (f"KTEST DONE seen but QEMU still running "
                               f"{DONE_GRACE_S} s later (no power-off)")
                break
            if r.panic_at is not None and now - r.panic_at > PANIC_GRACE_S:
                why_stopped = "panic"
                break
            if scenario and r.steps_done_at is not None:
                why_stopped = "scenario complete"
                break
            timeout = min(0.05, deadline - now)
            ready, _, _ = select.select(list(fds), [], [], timeout)
            now = time.monotonic()
            for fd in ready:
                data = os.read(fd, 65536)
                if not data:
                    del fds[fd]
                elif fds[fd] == "out":
                    serial_out.write(data)
                    if args.verbose:
                        sys.stderr.buffer.write(data)
                        sys.stderr.flush()
                    r.feed(data, now)
                else:
                    r.stderr += data
            if r.first_kernel is None and os.path.getsize(log_path) > 0:
                r.first_kernel = now
            if scenario and not send_failed:
                send_failed = not r.advance_steps(qemu, now)
        # Both pipes closed: QEMU is exiting; give it a moment.
        if not timed_out and why_stopped is None:
            try:
                qemu.wait(timeout=max(0.1, min(5, deadline -
                                               time.monotonic())))
            except subprocess.TimeoutExpired:
                timed_out = True
    finally:
        kill_group(qemu)
    end = time.monotonic()
    drain(qemu, r, serial_out, args.verbose)
    if r.line:
        r.on_line(r.line, end)
    if r.first_kernel is None and os.path.getsize(log_path) > 0:
        r.first_kernel = end
    status = qemu.returncode

    # The verdict on the run itself.
    err_tail = r.stderr.decode("utf-8", "replace").strip().splitlines()
    err_tail = [l for l in err_tail if "terminating on signal" not in l]
    err_note = f"; QEMU said: {err_tail[-1]}" if err_tail else ""
    boot_fail = None
    if r.panic_line is not None:
        boot_fail = f"kernel panic: {r.panic_line}"
    elif timed_out:
        what = "pending scenario steps" if scenario and r.steps \
            else "KTEST DONE"
        boot_fail = f"timed out after {args.timeout:g} s waiting for {what}"
    elif why_stopped == "scenario complete":
        pass
    elif why_stopped is not None:
        boot_fail = why_stopped
    elif status == EXIT_PANIC:
        boot_fail = "kernel panic (exit status 99) without a PANIC line"
    elif scenario:
        boot_fail = (f"{describe_exit(status)} before the scenario ended"
                     f"{err_note}")
    elif r.done_at is None:
        boot_fail = f"{describe_exit(status)} before KTEST DONE{err_note}"
    elif status == EXIT_GUEST_FAILED and not r.failed:
        boot_fail = ("the guest ended with its failure status (35) but "
                     "reported no FAIL line")
    elif status not in (EXIT_POWER_OFF, EXIT_SUCCESS, EXIT_GUEST_FAILED):
        boot_fail = f"{describe_exit(status)}{err_note}"
    if send_failed:
        boot_fail = boot_fail or "could not write to the serial console"
    if scenario:
        r.fail_pending_expects(boot_fail or "run ended")
    if boot_fail:
        r.report(False, "boot", boot_fail)
    else:
        r.report(True, "boot")

    def show(t):
        v = r.ms(t)
        return "none" if v is None else str(v)

    print(f"INFO {r.suite} boot_ms={show(r.first_user)}")
    print(f"INFO {r.suite} total_ms={r.ms(end)}")
    print(f"INFO {r.suite} first_serial_ms={show(r.first_serial)} "
          f"kernel_ms={show(r.first_kernel)} exit_status={status}",
          flush=True)
    return 1 if r.failed else 0


def main():
    args = parse_args()

    # Turn termination into an exception so `finally` ends QEMU.
    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    if args.log:
        log_path = args.log
        os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
        serial_path = log_path + ".serial"
        tmpdir = None
    else:
        tmpdir = tempfile.TemporaryDirectory(prefix="keel-qemu-test.")
        log_path = os.path.join(tmpdir.name, "debug.log")
        serial_path = os.devnull
    try:
        with open(serial_path, "wb") as serial_out:
            return run(args, log_path, serial_out)
    except KeyboardInterrupt:  # QEMU is already gone (run's finally)
        print(f"FAIL {args.name}/boot: interrupted", flush=True)
        return 130
    finally:
        if tmpdir:
            tmpdir.cleanup()


if __name__ == "__main__":
    sys.exit(main())
