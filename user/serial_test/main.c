/*
 * The posix server's serial console end to end on the real (emulated)
 * 16550: servers/posix/serial.c under the tty and line discipline, run
 * on fibers and the event loop as in the server. The UART is put in
 * loopback mode, so what the tty sends comes back as input through the
 * receive FIFO and IRQ 4: a canonical line, a signal character, and
 * 2000 bytes in raw mode (more than the FIFO holds many times over).
 *
 * Started with the hardware right by a kernel self-test. While loopback
 * is on, everything sent to COM1 (the kernel log too) comes back to us
 * instead of reaching the console, so results are collected and printed
 * (KTEST lines) only after loopback is off. The posix server's file,
 * wait and process interfaces are stood in for here, as minimal as the
 * test needs.
 */
#include <base/string.h>
#include <fiber/fiber.h>
#include <fiber/loop.h>
#include <linux_abi/errno.h>
#include <rt/ktest.h>
#include <rt/rt.h>

#include "../../servers/posix/serial.h"
#include "../../servers/posix/umem.h"
#include "../../servers/posix/wait.h"

#define MS 1000000ul
#define BIG 2000
#define O_RDWR 02

int main(void);

static struct loop loop;
static struct serial com1;
static bool finished;
static bool timed_out;
static uint64_t give_up_at;

/* Results, printed after loopback. */
static struct {
	const char *name;
	int64_t got, want;
} results[32];
static int nresults;

static void expect(const char *name, int64_t got, int64_t want)
{
	if (nresults < 32) {
		results[nresults].name = name;
		results[nresults].got = got;
		results[nresults].want = want;
		nresults++;
	}
}

/* --- stand-ins for the posix server's interfaces --- */

struct lproc {
	int pid;
};

static struct lproc shell = { 100 };
static struct tty *shell_ctty;
static int last_signal, last_signal_pgrp;

static struct lproc *p_current(void)
{
	return &shell;
}

static int p_pgid(struct lproc *p)
{
	return p->pid;
}

static bool p_is_session_leader(struct lproc *p)
{
	return true;
}

static struct tty *p_ctty(struct lproc *p)
{
	return shell_ctty;
}

static void p_set_ctty(struct lproc *p, struct tty *t)
{
	shell_ctty = t;
}

static void p_clear_session_ctty(int sid)
{
	shell_ctty = NULL;
}

static int p_pgrp_session(int pgid)
{
	return pgid == shell.pid ? shell.pid : -1;
}

static bool p_false(int pgid)
{
	return false;
}

static bool p_sig_is_ignored(struct lproc *p, int sig)
{
	return false;
}

static void p_kill_pgrp(int pgid, int sig)
{
	last_signal = sig;
	last_signal_pgrp = pgid;
}

static bool p_is_privileged(struct lproc *p)
{
	return false;
}

static uint64_t p_now_ns(void)
{
	return rt_clock_ns();
}

static const struct tty_proc_ops procs = {
	.current = p_current,
	.pgid = p_pgid,
	.sid = p_pgid,
	.is_session_leader = p_is_session_leader,
	.ctty = p_ctty,
	.set_ctty = p_set_ctty,
	.clear_session_ctty = p_clear_session_ctty,
	.pgrp_session = p_pgrp_session,
	.pgrp_is_orphaned = p_false,
	.sig_is_ignored = p_sig_is_ignored,
	.kill_pgrp = p_kill_pgrp,
	.is_privileged = p_is_privileged,
	.now_ns = p_now_ns,
};

static struct file files[4];

struct file *file_create(const struct file_ops *ops, unsigned flags,
			 void *priv)
{
	for (int i = 0; i < 4; i++) {
		if (!files[i].refs) {
			memset(&files[i], 0, sizeof(files[i]));
			files[i].refs = 1;
			files[i].ops = ops;
			files[i].flags = flags;
			files[i].priv = priv;
			return &files[i];
		}
	}
	return NULL;
}

void file_put(struct file *f)
{
	if (--f->refs == 0 && f->ops->release) {
		f->ops->release(f);
	}
}

/* One waiter at a time is all this test has. */
static struct fiber *waiter;

void pwait_head_init(struct pwait_head *head)
{
	list_init(&head->waiters);
}

void pwait_wake(struct pwait_head *head)
{
	if (waiter) {
		fiber_unpark(waiter);
	}
}

int pwait_any(struct pwait_head *const *heads, unsigned n,
	      uint64_t deadline_ns)
{
	if (timed_out) {
		return -LINUX_EINTR;	/* the watchdog is gone */
	}
	waiter = fiber_self();
	fiber_park();
	waiter = NULL;
	return timed_out ? -LINUX_EINTR : 0;
}

int umem_read(struct lproc *p, uint64_t uaddr, void *buf, size_t len)
{
	memcpy(buf, (const void *)uaddr, len);
	return 0;
}

int umem_write(struct lproc *p, uint64_t uaddr, const void *buf, size_t len)
{
	memcpy((void *)uaddr, buf, len);
	return 0;
}

/* --- the test --- */

/* Reads until @want bytes came (raw) or one read returned (canonical);
 * returns the bytes, or -1 on time-out. */
static int64_t read_wait(struct file *f, char *buf, size_t want, bool once)
{
	size_t got = 0;

	while (got < want) {
		int64_t r = f->ops->read(f, buf + got, want - got, &f->pos);

		if (r == -LINUX_EAGAIN) {
			if (pwait_any(NULL, 0, ~0ull) < 0) {
				return -1;
			}
			continue;
		}
		if (r < 0) {
			return r;
		}
		got += (size_t)r;
		if (once) {
			break;
		}
	}
	return (int64_t)got;
}

static void write_all(const char *name, struct file *f, const void *buf,
		      size_t len)
{
	expect(name, f->ops->write(f, buf, len, &f->pos), (int64_t)len);
}

static void set_mode(bool canonical)
{
	struct linux_termios t = *tty_termios(serial_tty(&com1));

	/* Never echo: in loopback the echo would come back as input. */
	t.c_lflag &= ~LINUX_ECHO;
	if (canonical) {
		t.c_lflag |= LINUX_ICANON;
		t.c_oflag |= LINUX_OPOST;
	} else {
		t.c_lflag &= ~LINUX_ICANON;
		t.c_oflag &= ~LINUX_OPOST;
	}
	tty_set_termios(serial_tty(&com1), &t);
}

static void test_fiber(void *arg)
{
	static char big[BIG], back[BIG + 1];
	char buf[64];
	struct file *f;
	int64_t n;

	set_mode(true);
	expect("serial/open", tty_open(serial_tty(&com1), &shell, O_RDWR, &f),
	       0);
	expect("serial/controlling_tty", shell_ctty == serial_tty(&com1), 1);
	serial_set_loopback(&com1, true);

	/* A line: "hello\n" goes out as "hello\r\n" (ONLCR) and comes back
	 * as two lines, "\r" becoming "\n" (ICRNL). */
	write_all("serial/write_line", f, "hello\n", 6);
	n = read_wait(f, buf, sizeof(buf), true);
	expect("serial/line_len", n, 6);
	expect("serial/line", n == 6 && memcmp(buf, "hello\n", 6) == 0, 1);
	n = read_wait(f, buf, sizeof(buf), true);
	expect("serial/cr_became_nl", n == 1 && buf[0] == '\n', 1);

	/* ^C comes back as SIGINT for the foreground group. */
	write_all("serial/write_intr", f, "\x03", 1);
	while (!last_signal && !timed_out) {
		loop_sleep_until(&loop, rt_clock_ns() + MS);
	}
	expect("serial/sigint", last_signal, 2);
	expect("serial/sigint_pgrp", last_signal_pgrp, shell.pid);

	/* Raw mode, far more than the 16-byte FIFO. */
	set_mode(false);
	for (int i = 0; i < BIG; i++) {
		big[i] = (char)('a' + i % 26);
	}
	write_all("serial/write_raw", f, big, BIG);
	n = read_wait(f, back, BIG, false);
	expect("serial/raw_len", n, BIG);
	expect("serial/raw_data", n == BIG && memcmp(big, back, BIG) == 0, 1);
	expect("serial/nothing_dropped", (int64_t)com1.rx_dropped, 0);

	serial_set_loopback(&com1, false);
	file_put(f);
	serial_fini(&com1);
	finished = true;
}

/* Ends a test that hangs (no interrupts): wakes the reader with an
 * error after a few seconds. */
static void watchdog_fiber(void *arg)
{
	while (!finished) {
		if (rt_clock_ns() > give_up_at) {
			timed_out = true;
			if (waiter) {
				fiber_unpark(waiter);
			}
			return;
		}
		loop_sleep_until(&loop, rt_clock_ns() + 20 * MS);
	}
}

int main(void)
{
	err_t err;

	ktest_expect("serial/loop_init", loop_init(&loop, 16), ERR_OK);
	err = serial_init(&com1, &loop, &procs);
	ktest_expect("serial/init", err, ERR_OK);
	if (err) {
		return ktest_failures();
	}
	give_up_at = rt_clock_ns() + 10000 * MS;
	fiber_create(NULL, test_fiber, NULL, 0);
	fiber_create(NULL, watchdog_fiber, NULL, 0);
	ktest_expect("serial/loop_run", loop_run(&loop), ERR_OK);
	/* Loopback is off again (test_fiber ends with it): report. */
	ktest_check("serial/no_timeout", !timed_out, "no interrupt came");
	for (int i = 0; i < nresults; i++) {
		ktest_expect(results[i].name, results[i].got, results[i].want);
	}
	ktest_check("serial/finished", finished, "the test fiber got stuck");
	rt_printf("serial_test: %d failed", ktest_failures());
	return ktest_failures();
}
