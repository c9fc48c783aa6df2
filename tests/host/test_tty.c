/*
 * Host tests of the tty object (servers/posix/tty.c) over a fake device
 * and a fake process layer: reads, writes and echo through the file
 * operations; blocking (EAGAIN, the waits inside VTIME reads, partial
 * writes and draining, driven by a fake pwait_any that plays events);
 * job control (SIGTTIN, TOSTOP/SIGTTOU, orphaned groups, blocked
 * signals); every ioctl with good and hostile arguments; flow control;
 * throttling; controlling-terminal acquisition and loss.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#include "../../servers/posix/tty.h"
#include "../../servers/posix/umem.h"
#include <linux_abi/errno.h>
#include <linux_abi/ioctl.h>

#define O_RDWR 02
#define O_WRONLY 01
#define O_NOCTTY 0400
#define O_NONBLOCK 04000

#define SIGHUP 1
#define SIGINT 2
#define SIGCONT 18
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGWINCH 28

#define BAD_ADDR 0xdead0000ull
#define U(p) ((uint64_t)(uintptr_t)(p))

/* The lead's interfaces, faked. */

struct file *file_create(const struct file_ops *ops, unsigned flags,
			 void *priv)
{
	struct file *f = calloc(1, sizeof(*f));

	f->refs = 1;
	f->ops = ops;
	f->flags = flags;
	f->priv = priv;
	return f;
}

void file_get(struct file *f)
{
	f->refs++;
}

void file_put(struct file *f)
{
	if (--f->refs == 0) {
		if (f->ops->release) {
			f->ops->release(f);
		}
		free(f);
	}
}

int umem_read(struct lproc *p, uint64_t uaddr, void *buf, size_t len)
{
	if (uaddr == BAD_ADDR || uaddr == 0) {
		return -LINUX_EFAULT;
	}
	memcpy(buf, (const void *)(uintptr_t)uaddr, len);
	return 0;
}

int umem_write(struct lproc *p, uint64_t uaddr, const void *buf, size_t len)
{
	if (uaddr == BAD_ADDR || uaddr == 0) {
		return -LINUX_EFAULT;
	}
	memcpy((void *)(uintptr_t)uaddr, buf, len);
	return 0;
}

static int wakes;

void pwait_head_init(struct pwait_head *head)
{
	list_init(&head->waiters);
}

void pwait_wake(struct pwait_head *head)
{
	wakes++;
}

/* What happens while the tty waits inside an operation: the test's
 * script. NULL: a signal arrives (ends the wait). */
static int (*on_wait)(uint64_t deadline);
static int waits;
static uint64_t last_deadline;

int pwait_any(struct pwait_head *const *heads, unsigned n,
	      uint64_t deadline_ns)
{
	waits++;
	last_deadline = deadline_ns;
	if (waits > 1000) {
		return -LINUX_EINTR;	/* a test that never ends */
	}
	return on_wait ? on_wait(deadline_ns) : -LINUX_EINTR;
}

/* The fake process layer. */

struct lproc {
	int pid, pgid, sid;
	struct tty *ctty;
	uint64_t ignored;	/* 1 << sig: blocked or ignored */
	bool privileged;
};

#define NPROCS 6
static struct lproc procs[NPROCS];
static struct lproc *cur;
static int orphaned_pgid;
static uint64_t now;
static int kills[64][2];
static int nkills;
static int cleared_sid;

static struct lproc *fp_current(void)
{
	return cur;
}

static int fp_pgid(struct lproc *p)
{
	return p->pgid;
}

static int fp_sid(struct lproc *p)
{
	return p->sid;
}

static bool fp_is_session_leader(struct lproc *p)
{
	return p->pid == p->sid;
}

static struct tty *fp_ctty(struct lproc *p)
{
	return p->ctty;
}

static void fp_set_ctty(struct lproc *p, struct tty *t)
{
	p->ctty = t;
}

static void fp_clear_session_ctty(int sid)
{
	int i;

	cleared_sid = sid;
	for (i = 0; i < NPROCS; i++) {
		if (procs[i].sid == sid) {
			procs[i].ctty = NULL;
		}
	}
}

static int fp_pgrp_session(int pgid)
{
	int i;

	for (i = 0; i < NPROCS; i++) {
		if (procs[i].pid && procs[i].pgid == pgid) {
			return procs[i].sid;
		}
	}
	return -1;
}

static bool fp_pgrp_is_orphaned(int pgid)
{
	return pgid == orphaned_pgid;
}

static bool fp_sig_is_ignored(struct lproc *p, int sig)
{
	return (p->ignored >> sig) & 1;
}

static void fp_kill_pgrp(int pgid, int sig)
{
	if (nkills < 64) {
		kills[nkills][0] = pgid;
		kills[nkills][1] = sig;
	}
	nkills++;
}

static bool fp_is_privileged(struct lproc *p)
{
	return p->privileged;
}

static uint64_t fp_now_ns(void)
{
	return now;
}

static const struct tty_proc_ops fake_procs = {
	.current = fp_current,
	.pgid = fp_pgid,
	.sid = fp_sid,
	.is_session_leader = fp_is_session_leader,
	.ctty = fp_ctty,
	.set_ctty = fp_set_ctty,
	.clear_session_ctty = fp_clear_session_ctty,
	.pgrp_session = fp_pgrp_session,
	.pgrp_is_orphaned = fp_pgrp_is_orphaned,
	.sig_is_ignored = fp_sig_is_ignored,
	.kill_pgrp = fp_kill_pgrp,
	.is_privileged = fp_is_privileged,
	.now_ns = fp_now_ns,
};

/* Did @pgid get @sig (and how many signals in all)? */
static bool killed(int pgid, int sig)
{
	int i;

	for (i = 0; i < nkills && i < 64; i++) {
		if (kills[i][0] == pgid && kills[i][1] == sig) {
			return true;
		}
	}
	return false;
}

/* The fake device. */

static struct {
	char out[16384];
	size_t out_len;
	size_t room;		/* what write_room reports */
	size_t pending;		/* chars_in_buffer */
	int flushes, unthrottles, closes, termios_changes;
	int64_t ioctl_result;
} dev;

static size_t fd_write_room(struct tty *t)
{
	return dev.room;
}

static void fd_write(struct tty *t, const uint8_t *buf, size_t len)
{
	if (len > dev.room) {
		abort();	/* the tty broke its promise */
	}
	memcpy(dev.out + dev.out_len, buf, len);
	dev.out_len += len;
	dev.out[dev.out_len] = 0;
	if (dev.room != SIZE_MAX / 2) {
		dev.room -= len;
	}
}

static size_t fd_chars_in_buffer(struct tty *t)
{
	return dev.pending;
}

static void fd_flush_buffer(struct tty *t)
{
	dev.flushes++;
	dev.pending = 0;
}

static void fd_unthrottle(struct tty *t)
{
	dev.unthrottles++;
}

static void fd_set_termios(struct tty *t, const struct linux_termios *old)
{
	dev.termios_changes++;
}

static int64_t fd_ioctl(struct tty *t, struct lproc *caller, uint64_t cmd,
			uint64_t arg)
{
	return cmd == 0x5430 ? dev.ioctl_result : -LINUX_ENOTTY;
}

static void fd_close(struct tty *t)
{
	dev.closes++;
}

static const struct tty_dev_ops fake_dev = {
	.write_room = fd_write_room,
	.write = fd_write,
	.chars_in_buffer = fd_chars_in_buffer,
	.flush_buffer = fd_flush_buffer,
	.unthrottle = fd_unthrottle,
	.set_termios = fd_set_termios,
	.ioctl = fd_ioctl,
	.close = fd_close,
};

static const struct tty_dev_ops minimal_dev = {
	.write_room = fd_write_room,
	.write = fd_write,
};

/* setup() returns a value: it cannot use REQUIRE. */
#define REQUIRE_OPEN(cond)                                                  \
	do {                                                                \
		if (!(cond)) {                                              \
			CHECK_FAIL_(#cond);                                 \
		}                                                           \
	} while (0)

/* The scene: a session 10 led by a shell (pid 10, group 10) with a
 * foreground job (pid 20, group 20) and a background job (pid 30, group
 * 30); pid 40 is in another session (40); pid 50 is a root process in
 * its own session (50). */
static struct tty *tty;
static struct lproc *shell, *fg, *bg, *other, *root;

static struct tty *setup(void)
{
	static struct tty t;
	struct file *f;

	memset(procs, 0, sizeof(procs));
	memset(&dev, 0, sizeof(dev));
	procs[0] = (struct lproc){ .pid = 10, .pgid = 10, .sid = 10 };
	procs[1] = (struct lproc){ .pid = 20, .pgid = 20, .sid = 10 };
	procs[2] = (struct lproc){ .pid = 30, .pgid = 30, .sid = 10 };
	procs[3] = (struct lproc){ .pid = 40, .pgid = 40, .sid = 40 };
	procs[4] = (struct lproc){ .pid = 50, .pgid = 50, .sid = 50,
				   .privileged = true };
	shell = &procs[0];
	fg = &procs[1];
	bg = &procs[2];
	other = &procs[3];
	root = &procs[4];
	dev.room = SIZE_MAX / 2;
	orphaned_pgid = 0;
	now = 1000000000ull;
	nkills = 0;
	wakes = 0;
	waits = 0;
	on_wait = NULL;
	cleared_sid = 0;
	tty_init(&t, &fake_dev, &dev, &fake_procs);
	tty = &t;
	/* The shell opens the terminal: it becomes its controlling one. */
	cur = shell;
	REQUIRE_OPEN(tty_open(&t, shell, O_RDWR, &f) == 0);
	file_put(f);
	dev.closes = 0;
	fg->ctty = bg->ctty = &t;
	t.pgrp = 20;
	return &t;
}

static struct file *open_as(struct lproc *p, unsigned flags)
{
	struct file *f = NULL;

	CHECK_EQ(tty_open(tty, p, flags, &f), 0);
	return f;
}

static void input(const char *s)
{
	CHECK_EQ(tty_receive(tty, (const uint8_t *)s, strlen(s)), strlen(s));
}

static int64_t do_read(struct file *f, char *buf, size_t len)
{
	int64_t n = f->ops->read(f, buf, len, &f->pos);

	if (n >= 0 && (size_t)n < len) {
		buf[n] = 0;	/* for the string comparisons */
	}
	return n;
}

static int64_t do_write(struct file *f, const char *s)
{
	return f->ops->write(f, s, strlen(s), &f->pos);
}

static int64_t ioc(struct file *f, struct lproc *p, uint64_t cmd,
		   uint64_t arg)
{
	return f->ops->ioctl(f, p, cmd, arg);
}

static void dev_clear(void)
{
	dev.out_len = 0;
	dev.out[0] = 0;
}

static void set_raw(struct file *f, uint8_t vmin, uint8_t vtime)
{
	struct linux_termios t;

	CHECK_EQ(ioc(f, fg, LINUX_TCGETS, U(&t)), 0);
	t.c_lflag &= ~(LINUX_ICANON | LINUX_ECHO);
	t.c_cc[LINUX_VMIN] = vmin;
	t.c_cc[LINUX_VTIME] = vtime;
	CHECK_EQ(ioc(f, fg, LINUX_TCSETS, U(&t)), 0);
}

TEST(open_makes_controlling_terminal)
{
	static struct tty t2;
	struct file *f;

	setup();
	CHECK(shell->ctty == tty);
	CHECK_EQ(tty_session(tty), 10);
	/* Not for a session leader with O_NOCTTY, not for a non-leader,
	 * not for a terminal that already has a session. */
	tty_init(&t2, &fake_dev, &dev, &fake_procs);
	CHECK_EQ(tty_open(&t2, other, O_RDWR | O_NOCTTY, &f), 0);
	CHECK(other->ctty == NULL);
	file_put(f);
	CHECK_EQ(tty_open(&t2, other, O_WRONLY, &f), 0);
	CHECK(other->ctty == NULL);
	file_put(f);
	fg->ctty = NULL;
	CHECK_EQ(tty_open(&t2, fg, O_RDWR, &f), 0);
	CHECK(fg->ctty == NULL);
	file_put(f);
	CHECK_EQ(tty_open(&t2, other, O_RDWR, &f), 0);
	CHECK(other->ctty == &t2);
	CHECK_EQ(tty_session(&t2), 40);
	CHECK_EQ(tty_pgrp(&t2), 40);
	file_put(f);
	CHECK_EQ(tty_open(&t2, root, O_RDWR, &f), 0);
	CHECK(root->ctty == NULL);
	file_put(f);
	tty_fini(&t2);
	CHECK(other->ctty == NULL);	/* fini takes it away */
}

TEST(read_line_with_echo)
{
	struct file *f;
	char buf[64];

	setup();
	f = open_as(fg, O_RDWR);
	CHECK(f->wait == &tty->wait);
	cur = fg;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), -LINUX_EAGAIN);
	wakes = 0;
	input("hi\r");
	CHECK(wakes > 0);
	CHECK_STR_EQ(dev.out, "hi\r\n");
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 3);
	CHECK_STR_EQ(buf, "hi\n");
	/* An EOF reads as 0; a zero-length read returns 0 at once. */
	input("\x04");
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 0);
	CHECK_EQ(do_read(f, buf, 0), 0);
	file_put(f);
}

TEST(write_processes_output)
{
	struct file *f;

	setup();
	f = open_as(fg, O_RDWR);
	cur = fg;
	CHECK_EQ(do_write(f, "a\nb"), 3);
	CHECK_STR_EQ(dev.out, "a\r\nb");
	CHECK_EQ(do_write(f, ""), 0);
	file_put(f);
}

TEST(write_device_full)
{
	struct file *f;

	setup();
	f = open_as(fg, O_RDWR);
	cur = fg;
	dev.room = 0;
	CHECK_EQ(do_write(f, "abc"), -LINUX_EAGAIN);
	CHECK_EQ(waits, 0);	/* nothing written: the caller waits */
	/* Room for the "\r" of "\r\n" only: nothing fits either. */
	dev.room = 1;
	CHECK_EQ(do_write(f, "\n"), -LINUX_EAGAIN);
	CHECK_STR_EQ(dev.out, "");
	file_put(f);
}

static int give_room(uint64_t deadline)
{
	dev.room = 4;
	tty_write_wakeup(tty);
	return 0;
}

TEST(write_partial_waits_inside)
{
	struct file *f;

	setup();
	f = open_as(fg, O_RDWR);
	cur = fg;
	dev.room = 4;
	on_wait = give_room;
	CHECK_EQ(do_write(f, "0123456789"), 10);
	CHECK_STR_EQ(dev.out, "0123456789");
	CHECK_EQ(waits, 2);
	/* A signal ends the wait: the bytes written so far. */
	dev_clear();
	dev.room = 4;
	on_wait = NULL;
	CHECK_EQ(do_write(f, "0123456789"), 4);
	/* O_NONBLOCK: the short count at once. */
	f->flags |= O_NONBLOCK;
	dev.room = 4;
	waits = 0;
	CHECK_EQ(do_write(f, "0123456789"), 4);
	CHECK_EQ(waits, 0);
	dev.room = 0;
	CHECK_EQ(do_write(f, "x"), -LINUX_EAGAIN);
	file_put(f);
}

TEST(flow_control_stops_writes_and_echo)
{
	struct file *f;

	setup();
	f = open_as(fg, O_RDWR);
	cur = fg;
	input("\x13");			/* ^S */
	CHECK_EQ(do_write(f, "out"), -LINUX_EAGAIN);
	CHECK(!(f->ops->poll(f) & FILE_POLLOUT));
	input("ab");
	CHECK_STR_EQ(dev.out, "");	/* echo held too */
	wakes = 0;
	input("\x11");			/* ^Q */
	CHECK_STR_EQ(dev.out, "ab");
	CHECK(wakes > 0);
	CHECK(f->ops->poll(f) & FILE_POLLOUT);
	CHECK_EQ(do_write(f, "out"), 3);
	CHECK_STR_EQ(dev.out, "about");
	file_put(f);
}

TEST(signal_chars_signal_foreground)
{
	struct file *f;

	setup();
	f = open_as(fg, O_RDWR);
	input("abc");
	input("\x03");
	CHECK_EQ(nkills, 1);
	CHECK(killed(20, SIGINT));
	CHECK_EQ(dev.flushes, 1);
	CHECK_STR_EQ(dev.out, "abc^C");
	/* In one chunk, the echo of the flushed input never goes out (as
	 * on Linux, where it is still in the echo buffer then). */
	dev_clear();
	input("abc\x03");
	CHECK_STR_EQ(dev.out, "^C");
	nkills = 1;
	input("\x1a\x1c");
	CHECK_EQ(nkills, 3);
	CHECK(killed(20, 20));
	CHECK(killed(20, 3));
	/* No foreground group: nobody. */
	tty->pgrp = 0;
	input("\x03");
	CHECK_EQ(nkills, 3);
	file_put(f);
}

TEST(background_read_gets_sigttin)
{
	struct file *f;
	char buf[16];

	setup();
	f = open_as(bg, O_RDWR);
	input("x\n");
	cur = bg;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), -LINUX_ERESTARTSYS);
	CHECK(killed(30, SIGTTIN));
	CHECK_EQ(ldisc_inq(&tty->ld), 2);	/* nothing taken */
	/* SIGTTIN blocked or ignored: EIO. */
	nkills = 0;
	bg->ignored = 1ull << SIGTTIN;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), -LINUX_EIO);
	CHECK_EQ(nkills, 0);
	/* Orphaned group: EIO. */
	bg->ignored = 0;
	orphaned_pgid = 30;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), -LINUX_EIO);
	CHECK_EQ(nkills, 0);
	/* Not its controlling terminal: no job control. */
	bg->ctty = NULL;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 2);
	/* The foreground reads; and with no foreground group, anyone. */
	cur = fg;
	input("y\n");
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 2);
	bg->ctty = tty;
	tty->pgrp = 0;
	cur = bg;
	input("z\n");
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 2);
	file_put(f);
}

TEST(background_write_with_tostop)
{
	struct file *f;
	struct linux_termios t;

	setup();
	f = open_as(bg, O_RDWR);
	cur = bg;
	/* Without TOSTOP background jobs write freely. */
	CHECK_EQ(do_write(f, "bg"), 2);
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS, U(&t)), 0);
	t.c_lflag |= LINUX_TOSTOP;
	CHECK_EQ(ioc(f, fg, LINUX_TCSETS, U(&t)), 0);
	CHECK_EQ(do_write(f, "bg"), -LINUX_ERESTARTSYS);
	CHECK(killed(30, SIGTTOU));
	/* SIGTTOU blocked or ignored: the write goes ahead. */
	bg->ignored = 1ull << SIGTTOU;
	CHECK_EQ(do_write(f, "bg"), 2);
	bg->ignored = 0;
	orphaned_pgid = 30;
	CHECK_EQ(do_write(f, "bg"), -LINUX_EIO);
	cur = fg;
	CHECK_EQ(do_write(f, "fg"), 2);
	CHECK_STR_EQ(dev.out, "bgbgfg");
	file_put(f);
}

TEST(tcgets_tcsets)
{
	struct file *f;
	struct linux_termios t, t2;

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS, U(&t)), 0);
	CHECK_EQ(t.c_lflag & LINUX_ICANON, LINUX_ICANON);
	CHECK_EQ(t.c_cc[LINUX_VINTR], 3);
	t.c_lflag &= ~LINUX_ECHO;
	CHECK_EQ(ioc(f, fg, LINUX_TCSETS, U(&t)), 0);
	CHECK_EQ(dev.termios_changes, 1);
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS, U(&t2)), 0);
	CHECK(memcmp(&t, &t2, sizeof(t)) == 0);
	input("quiet");
	CHECK_STR_EQ(dev.out, "");
	/* Hostile pointers. */
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS, BAD_ADDR), -LINUX_EFAULT);
	CHECK_EQ(ioc(f, fg, LINUX_TCSETS, BAD_ADDR), -LINUX_EFAULT);
	CHECK_EQ(ioc(f, fg, LINUX_TCSETSW, 0), -LINUX_EFAULT);
	CHECK_EQ(ioc(f, fg, LINUX_TCSETSF, BAD_ADDR), -LINUX_EFAULT);
	/* Reading the settings is allowed from the background, changing
	 * them is not. */
	CHECK_EQ(ioc(f, bg, LINUX_TCGETS, U(&t)), 0);
	CHECK_EQ(ioc(f, bg, LINUX_TCSETS, U(&t)), -LINUX_ERESTARTSYS);
	CHECK(killed(30, SIGTTOU));
	bg->ignored = 1ull << SIGTTOU;
	CHECK_EQ(ioc(f, bg, LINUX_TCSETS, U(&t)), 0);
	file_put(f);
}

TEST(termios2)
{
	struct file *f;
	struct linux_termios2 t2;
	struct linux_termios t;

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS2, U(&t2)), 0);
	CHECK_EQ(t2.c_ospeed, 38400);
	CHECK_EQ(t2.c_ispeed, 38400);
	CHECK_EQ(t2.c_cc[LINUX_VINTR], 3);
	/* An arbitrary speed. */
	t2.c_cflag = (t2.c_cflag & ~LINUX_CBAUD) | LINUX_BOTHER;
	t2.c_ospeed = 12345;
	t2.c_ispeed = 678;
	t2.c_lflag &= ~LINUX_ECHO;
	CHECK_EQ(ioc(f, fg, LINUX_TCSETS2, U(&t2)), 0);
	memset(&t2, 0, sizeof(t2));
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS2, U(&t2)), 0);
	CHECK_EQ(t2.c_ospeed, 12345);
	CHECK_EQ(t2.c_ispeed, 12345);	/* CIBAUD 0: input follows */
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS, U(&t)), 0);
	CHECK_EQ(t.c_cflag & LINUX_CBAUD, LINUX_BOTHER);
	CHECK_EQ(t.c_lflag & LINUX_ECHO, 0);
	/* A separate input speed, by code. */
	t2.c_cflag = (t2.c_cflag & ~LINUX_CBAUD & ~LINUX_CIBAUD) |
		     LINUX_B115200 | (LINUX_B9600 << LINUX_IBSHIFT);
	CHECK_EQ(ioc(f, fg, LINUX_TCSETSW2, U(&t2)), 0);
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS2, U(&t2)), 0);
	CHECK_EQ(t2.c_ospeed, 115200);
	CHECK_EQ(t2.c_ispeed, 9600);
	input("gone\n");
	CHECK_EQ(ioc(f, fg, LINUX_TCSETSF2, U(&t2)), 0);
	CHECK_EQ(ldisc_inq(&tty->ld), 0);
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS2, BAD_ADDR), -LINUX_EFAULT);
	CHECK_EQ(ioc(f, fg, LINUX_TCSETS2, BAD_ADDR), -LINUX_EFAULT);
	CHECK_EQ(ioc(f, bg, LINUX_TCSETS2, U(&t2)), -LINUX_ERESTARTSYS);
	file_put(f);
}

TEST(tcsetsf_flushes_input)
{
	struct file *f;
	struct linux_termios t;
	char buf[16];

	setup();
	f = open_as(fg, O_RDWR);
	cur = fg;
	input("typed ahead\n");
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS, U(&t)), 0);
	CHECK_EQ(ioc(f, fg, LINUX_TCSETSW, U(&t)), 0);
	CHECK_EQ(ldisc_inq(&tty->ld), 12);
	CHECK_EQ(ioc(f, fg, LINUX_TCSETSF, U(&t)), 0);
	CHECK_EQ(ldisc_inq(&tty->ld), 0);
	CHECK_EQ(do_read(f, buf, sizeof(buf)), -LINUX_EAGAIN);
	file_put(f);
}

static int restart_output(uint64_t deadline)
{
	input("\x11");
	return 0;
}

TEST(tcsetsw_drains_output)
{
	struct file *f;
	struct linux_termios t;

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS, U(&t)), 0);
	input("\x13" "echo");		/* stopped, echo pending */
	on_wait = restart_output;
	CHECK_EQ(ioc(f, fg, LINUX_TCSETSW, U(&t)), 0);
	CHECK_EQ(waits, 1);
	CHECK_STR_EQ(dev.out, "echo");
	/* A signal while draining: restart the call. */
	input("\x13" "more");
	on_wait = NULL;
	CHECK_EQ(ioc(f, fg, LINUX_TCSETSW, U(&t)), -LINUX_ERESTARTSYS);
	/* tcdrain() is TCSBRK 1. */
	CHECK_EQ(ioc(f, fg, LINUX_TCSBRK, 1), -LINUX_ERESTARTSYS);
	input("\x11");
	CHECK_EQ(ioc(f, fg, LINUX_TCSBRK, 1), 0);
	dev.pending = 5;
	CHECK_EQ(ioc(f, fg, LINUX_TCSBRK, 0), -LINUX_ERESTARTSYS);
	dev.pending = 0;
	CHECK_EQ(ioc(f, fg, LINUX_TCSBRKP, 0), 0);
	file_put(f);
}

TEST(winsize)
{
	struct file *f;
	struct linux_winsize ws = { 24, 80, 0, 0 }, got;

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCGWINSZ, U(&got)), 0);
	CHECK_EQ(got.ws_row, 0);
	CHECK_EQ(ioc(f, bg, LINUX_TIOCSWINSZ, U(&ws)), 0);
	CHECK(killed(20, SIGWINCH));
	CHECK_EQ(nkills, 1);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCGWINSZ, U(&got)), 0);
	CHECK_EQ(got.ws_row, 24);
	CHECK_EQ(got.ws_col, 80);
	/* The same size again: no signal. */
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSWINSZ, U(&ws)), 0);
	CHECK_EQ(nkills, 1);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCGWINSZ, BAD_ADDR), -LINUX_EFAULT);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSWINSZ, BAD_ADDR), -LINUX_EFAULT);
	file_put(f);
}

TEST(pgrp_ioctls)
{
	struct file *f;
	int32_t pg;

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCGPGRP, U(&pg)), 0);
	CHECK_EQ(pg, 20);
	CHECK_EQ(ioc(f, other, LINUX_TIOCGPGRP, U(&pg)), -LINUX_ENOTTY);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCGPGRP, BAD_ADDR), -LINUX_EFAULT);
	/* The foreground job hands the terminal to the shell's group. */
	pg = 10;
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSPGRP, U(&pg)), 0);
	CHECK_EQ(tty_pgrp(tty), 10);
	/* The shell puts job 30 in the foreground. */
	pg = 30;
	CHECK_EQ(ioc(f, shell, LINUX_TIOCSPGRP, U(&pg)), 0);
	CHECK_EQ(tty_pgrp(tty), 30);
	/* Now the shell is in the background: SIGTTOU, unless it blocks
	 * it, as bash does around tcsetpgrp. */
	pg = 10;
	CHECK_EQ(ioc(f, shell, LINUX_TIOCSPGRP, U(&pg)), -LINUX_ERESTARTSYS);
	CHECK(killed(10, SIGTTOU));
	shell->ignored = 1ull << SIGTTOU;
	CHECK_EQ(ioc(f, shell, LINUX_TIOCSPGRP, U(&pg)), 0);
	CHECK_EQ(tty_pgrp(tty), 10);
	/* Bad groups. */
	pg = 40;
	CHECK_EQ(ioc(f, shell, LINUX_TIOCSPGRP, U(&pg)), -LINUX_EPERM);
	pg = 99;
	CHECK_EQ(ioc(f, shell, LINUX_TIOCSPGRP, U(&pg)), -LINUX_ESRCH);
	pg = -1;
	CHECK_EQ(ioc(f, shell, LINUX_TIOCSPGRP, U(&pg)), -LINUX_EINVAL);
	CHECK_EQ(ioc(f, shell, LINUX_TIOCSPGRP, BAD_ADDR), -LINUX_EFAULT);
	pg = 40;
	CHECK_EQ(ioc(f, other, LINUX_TIOCSPGRP, U(&pg)), -LINUX_ENOTTY);
	/* Orphaned background group: ENOTTY (Linux turns EIO into it). */
	orphaned_pgid = 30;
	pg = 30;
	CHECK_EQ(ioc(f, bg, LINUX_TIOCSPGRP, U(&pg)), -LINUX_ENOTTY);
	CHECK_EQ(tty_pgrp(tty), 10);
	file_put(f);
}

TEST(tiocgsid)
{
	struct file *f;
	int32_t sid = 0;

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(ioc(f, bg, LINUX_TIOCGSID, U(&sid)), 0);
	CHECK_EQ(sid, 10);
	CHECK_EQ(ioc(f, other, LINUX_TIOCGSID, U(&sid)), -LINUX_ENOTTY);
	CHECK_EQ(ioc(f, bg, LINUX_TIOCGSID, BAD_ADDR), -LINUX_EFAULT);
	file_put(f);
}

TEST(tiocsctty)
{
	static struct tty t2;
	struct file *f, *w;

	setup();
	tty_init(&t2, &fake_dev, &dev, &fake_procs);
	CHECK_EQ(tty_open(&t2, other, O_RDWR | O_NOCTTY, &f), 0);
	/* Not a session leader; a leader that has one already. */
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSCTTY, 0), -LINUX_EPERM);
	CHECK_EQ(ioc(f, shell, LINUX_TIOCSCTTY, 0), -LINUX_EPERM);
	/* A write-only descriptor is not enough. */
	CHECK_EQ(tty_open(&t2, other, O_WRONLY | O_NOCTTY, &w), 0);
	CHECK_EQ(ioc(w, other, LINUX_TIOCSCTTY, 0), -LINUX_EPERM);
	file_put(w);
	CHECK_EQ(ioc(f, other, LINUX_TIOCSCTTY, 0), 0);
	CHECK(other->ctty == &t2);
	CHECK_EQ(tty_session(&t2), 40);
	CHECK_EQ(tty_pgrp(&t2), 40);
	CHECK_EQ(ioc(f, other, LINUX_TIOCSCTTY, 0), 0);	/* again: fine */
	/* Another session's terminal: only root, only when asked to
	 * steal. */
	CHECK_EQ(ioc(f, root, LINUX_TIOCSCTTY, 0), -LINUX_EPERM);
	CHECK_EQ(ioc(f, root, LINUX_TIOCSCTTY, 1), 0);
	CHECK_EQ(cleared_sid, 40);
	CHECK(other->ctty == NULL);
	CHECK(root->ctty == &t2);
	CHECK_EQ(tty_session(&t2), 50);
	file_put(f);
	tty_fini(&t2);
}

TEST(tiocnotty)
{
	struct file *f;

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(ioc(f, other, LINUX_TIOCNOTTY, 0), -LINUX_ENOTTY);
	/* A member gives it up alone. */
	CHECK_EQ(ioc(f, bg, LINUX_TIOCNOTTY, 0), 0);
	CHECK(bg->ctty == NULL);
	CHECK(shell->ctty == tty);
	CHECK_EQ(nkills, 0);
	/* The leader: the foreground hangs up, the session loses it. */
	CHECK_EQ(ioc(f, shell, LINUX_TIOCNOTTY, 0), 0);
	CHECK(killed(20, SIGHUP));
	CHECK(killed(20, SIGCONT));
	CHECK(shell->ctty == NULL);
	CHECK(fg->ctty == NULL);
	CHECK_EQ(tty_session(tty), 0);
	CHECK_EQ(tty_pgrp(tty), 0);
	file_put(f);
}

TEST(disassociate_on_exit)
{
	setup();
	tty_disassociate(tty, true);
	CHECK(killed(20, SIGHUP));
	CHECK(!killed(20, SIGCONT));
	CHECK(fg->ctty == NULL);
	CHECK_EQ(tty_session(tty), 0);
	CHECK_EQ(tty_pgrp(tty), 0);
}

TEST(fionread_outq)
{
	struct file *f;
	int32_t n = -1;

	setup();
	f = open_as(fg, O_RDWR);
	input("ab\ncd");
	CHECK_EQ(ioc(f, fg, LINUX_FIONREAD, U(&n)), 0);
	CHECK_EQ(n, 3);		/* the complete line only */
	dev.pending = 7;
	CHECK_EQ(ioc(f, fg, LINUX_TIOCOUTQ, U(&n)), 0);
	CHECK_EQ(n, 7);
	CHECK_EQ(ioc(f, fg, LINUX_FIONREAD, BAD_ADDR), -LINUX_EFAULT);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCOUTQ, BAD_ADDR), -LINUX_EFAULT);
	file_put(f);
}

TEST(tcflsh)
{
	struct file *f;

	setup();
	f = open_as(fg, O_RDWR);
	input("line\n");
	CHECK_EQ(ioc(f, fg, LINUX_TCFLSH, LINUX_TCOFLUSH), 0);
	CHECK_EQ(dev.flushes, 1);
	CHECK_EQ(ldisc_inq(&tty->ld), 5);
	CHECK_EQ(ioc(f, fg, LINUX_TCFLSH, LINUX_TCIFLUSH), 0);
	CHECK_EQ(ldisc_inq(&tty->ld), 0);
	CHECK_EQ(dev.flushes, 1);
	input("again\n");
	CHECK_EQ(ioc(f, fg, LINUX_TCFLSH, LINUX_TCIOFLUSH), 0);
	CHECK_EQ(ldisc_inq(&tty->ld), 0);
	CHECK_EQ(dev.flushes, 2);
	CHECK_EQ(ioc(f, fg, LINUX_TCFLSH, 3), -LINUX_EINVAL);
	CHECK_EQ(ioc(f, fg, LINUX_TCFLSH, ~0ull), -LINUX_EINVAL);
	CHECK_EQ(ioc(f, bg, LINUX_TCFLSH, 0), -LINUX_ERESTARTSYS);
	file_put(f);
}

TEST(tcxonc)
{
	struct file *f;

	setup();
	f = open_as(fg, O_RDWR);
	cur = fg;
	CHECK_EQ(ioc(f, fg, LINUX_TCXONC, LINUX_TCOOFF), 0);
	CHECK_EQ(do_write(f, "x"), -LINUX_EAGAIN);
	input("\x11");			/* ^Q does not undo TCOOFF */
	CHECK_EQ(do_write(f, "x"), -LINUX_EAGAIN);
	CHECK_EQ(ioc(f, fg, LINUX_TCXONC, LINUX_TCOON), 0);
	CHECK_EQ(do_write(f, "x"), 1);
	dev_clear();
	CHECK_EQ(ioc(f, fg, LINUX_TCXONC, LINUX_TCIOFF), 0);
	CHECK_EQ(ioc(f, fg, LINUX_TCXONC, LINUX_TCION), 0);
	CHECK_STR_EQ(dev.out, "\x13\x11");
	CHECK_EQ(ioc(f, fg, LINUX_TCXONC, 4), -LINUX_EINVAL);
	CHECK_EQ(ioc(f, bg, LINUX_TCXONC, LINUX_TCOOFF), -LINUX_ERESTARTSYS);
	file_put(f);
}

TEST(tiocsti)
{
	struct file *f;
	char c = 'z', buf[8];

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSTI, U(&c)), 0);
	CHECK_EQ(ioc(f, other, LINUX_TIOCSTI, U(&c)), -LINUX_EPERM);
	CHECK_EQ(ioc(f, root, LINUX_TIOCSTI, U(&c)), 0);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSTI, BAD_ADDR), -LINUX_EFAULT);
	c = '\n';
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSTI, U(&c)), 0);
	cur = fg;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 3);
	CHECK_STR_EQ(buf, "zz\n");
	file_put(f);
}

TEST(line_discipline_ioctls)
{
	struct file *f;
	int32_t d = 5;

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCGETD, U(&d)), 0);
	CHECK_EQ(d, 0);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSETD, U(&d)), 0);
	d = 2;
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSETD, U(&d)), -LINUX_EINVAL);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSETD, BAD_ADDR), -LINUX_EFAULT);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCGETD, BAD_ADDR), -LINUX_EFAULT);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCSBRK, 0), 0);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCCBRK, 0), 0);
	file_put(f);
}

TEST(unknown_ioctls)
{
	struct file *f;
	static struct tty t2;

	setup();
	f = open_as(fg, O_RDWR);
	dev.ioctl_result = 1234;
	CHECK_EQ(ioc(f, fg, 0x5430, 0), 1234);	/* the device's */
	CHECK_EQ(ioc(f, fg, 0x1234, 0), -LINUX_ENOTTY);
	CHECK_EQ(ioc(f, fg, ~0ull, BAD_ADDR), -LINUX_ENOTTY);
	file_put(f);
	/* A device without an ioctl function. */
	tty_init(&t2, &minimal_dev, NULL, &fake_procs);
	CHECK_EQ(tty_open(&t2, other, O_RDWR | O_NOCTTY, &f), 0);
	CHECK_EQ(ioc(f, other, 0x5430, 0), -LINUX_ENOTTY);
	CHECK_EQ(ioc(f, other, LINUX_TCFLSH, LINUX_TCIOFLUSH), 0);
	CHECK_EQ(ioc(f, other, LINUX_TCSBRK, 1), 0);
	file_put(f);
	tty_fini(&t2);
}

TEST(exclusive)
{
	struct file *f, *g;
	int32_t v = -1;

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCEXCL, 0), 0);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCGEXCL, U(&v)), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(tty_open(tty, bg, O_RDWR, &g), -LINUX_EBUSY);
	CHECK_EQ(tty_open(tty, root, O_RDWR, &g), 0);
	file_put(g);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCNXCL, 0), 0);
	CHECK_EQ(tty_open(tty, bg, O_RDWR, &g), 0);
	file_put(g);
	CHECK_EQ(ioc(f, fg, LINUX_TIOCGEXCL, BAD_ADDR), -LINUX_EFAULT);
	file_put(f);
}

TEST(last_close_tells_the_device)
{
	struct file *f, *g;

	setup();
	f = open_as(fg, O_RDWR);
	g = open_as(bg, O_RDWR);
	file_put(f);
	CHECK_EQ(dev.closes, 0);
	file_put(g);
	CHECK_EQ(dev.closes, 1);
}

TEST(nonblocking_read)
{
	struct file *f;
	char buf[8];

	setup();
	f = open_as(fg, O_RDWR | O_NONBLOCK);
	cur = fg;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), -LINUX_EAGAIN);
	set_raw(f, 0, 5);
	CHECK_EQ(do_read(f, buf, sizeof(buf)), -LINUX_EAGAIN);
	CHECK_EQ(waits, 0);
	set_raw(f, 0, 0);
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 0);
	file_put(f);
}

static int time_out(uint64_t deadline)
{
	now = deadline;
	return -LINUX_ETIMEDOUT;
}

static int one_byte_then_time_out(uint64_t deadline)
{
	if (waits == 1) {
		now += 100000000ull;	/* 0.1 s later a byte */
		input("b");
		return 0;
	}
	now = deadline;
	return -LINUX_ETIMEDOUT;
}

TEST(vtime_reads)
{
	struct file *f;
	char buf[8];

	setup();
	f = open_as(fg, O_RDWR);
	cur = fg;
	/* VMIN 0 VTIME 5: 0 bytes after 0.5 s. */
	set_raw(f, 0, 5);
	on_wait = time_out;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 0);
	CHECK_EQ(waits, 1);
	CHECK_EQ(last_deadline, 1000000000ull + 500000000ull);
	/* ... or whatever comes first. */
	waits = 0;
	on_wait = one_byte_then_time_out;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 1);
	CHECK_STR_EQ(buf, "b");
	CHECK_EQ(waits, 1);
	/* VMIN 3 VTIME 2: no timer until the first byte (EAGAIN: the
	 * caller waits), then an inter-byte timer that restarts. */
	set_raw(f, 3, 2);
	waits = 0;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), -LINUX_EAGAIN);
	CHECK_EQ(waits, 0);
	input("a");
	now = 5000000000ull;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 2);
	CHECK_STR_EQ(buf, "ab");
	CHECK_EQ(waits, 2);
	/* The second wait's deadline counts from the second byte. */
	CHECK_EQ(last_deadline, 5000000000ull + 100000000ull + 200000000ull);
	/* VMIN bytes there: no wait at all. */
	input("xyz");
	waits = 0;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 3);
	CHECK_EQ(waits, 0);
	/* A signal during the timer: restart the call. */
	input("q");
	on_wait = NULL;
	CHECK_EQ(do_read(f, buf, sizeof(buf)), -LINUX_ERESTARTSYS);
	CHECK_EQ(ldisc_inq(&tty->ld), 1);
	file_put(f);
}

TEST(poll)
{
	struct file *f;

	setup();
	f = open_as(fg, O_RDWR);
	CHECK_EQ(f->ops->poll(f), FILE_POLLOUT | FILE_POLLWRNORM);
	input("x");
	CHECK(!(f->ops->poll(f) & FILE_POLLIN));
	input("\n");
	CHECK(f->ops->poll(f) & FILE_POLLIN);
	CHECK(f->ops->poll(f) & FILE_POLLRDNORM);
	dev.room = 0;
	CHECK(!(f->ops->poll(f) & FILE_POLLOUT));
	dev.room = 10;
	dev.pending = 300;
	CHECK(!(f->ops->poll(f) & FILE_POLLOUT));
	dev.pending = 0;
	CHECK(f->ops->poll(f) & FILE_POLLOUT);
	CHECK(!(f->ops->poll(f) & FILE_POLLHUP));
	tty_set_other_closed(tty, true);
	CHECK(f->ops->poll(f) & FILE_POLLHUP);
	file_put(f);
}

TEST(other_side_closed)
{
	struct file *f;
	char buf[8];

	setup();
	f = open_as(fg, O_RDWR);
	cur = fg;
	input("ok\npartial");
	tty_set_other_closed(tty, true);
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 3);
	CHECK_EQ(do_read(f, buf, sizeof(buf)), -LINUX_EIO);
	CHECK_EQ(do_write(f, "x"), -LINUX_EIO);
	tty_set_other_closed(tty, false);
	CHECK_EQ(do_write(f, "x"), 1);
	file_put(f);
}

TEST(throttle_and_unthrottle)
{
	static char big[5000];
	struct file *f;
	char buf[100];

	setup();
	f = open_as(fg, O_RDWR);
	cur = fg;
	set_raw(f, 1, 0);
	memset(big, 'x', sizeof(big));
	CHECK_EQ(tty_receive(tty, (uint8_t *)big, sizeof(big)),
		 LDISC_BUF_SIZE - 1);
	CHECK_EQ(dev.unthrottles, 0);
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 100);
	CHECK_EQ(dev.unthrottles, 1);
	CHECK_EQ(do_read(f, buf, sizeof(buf)), 100);
	CHECK_EQ(dev.unthrottles, 1);	/* once per refusal */
	file_put(f);
}

TEST(termios_change_wakes_and_restarts_output)
{
	struct file *f;
	struct linux_termios t;

	setup();
	f = open_as(fg, O_RDWR);
	input("\x13" "ab");
	CHECK_STR_EQ(dev.out, "");
	CHECK_EQ(ioc(f, fg, LINUX_TCGETS, U(&t)), 0);
	t.c_iflag &= ~LINUX_IXON;
	wakes = 0;
	CHECK_EQ(ioc(f, fg, LINUX_TCSETS, U(&t)), 0);
	CHECK(wakes > 0);
	CHECK_STR_EQ(dev.out, "ab");
	file_put(f);
}

TEST(winsize_from_the_device_side)
{
	struct linux_winsize ws = { 50, 132, 0, 0 };

	setup();
	tty_set_winsize(tty, &ws);
	CHECK(killed(20, SIGWINCH));
	CHECK_EQ(tty_termios(tty)->c_cc[LINUX_VMIN], 1);
}

int main(void)
{
	RUN(open_makes_controlling_terminal);
	RUN(read_line_with_echo);
	RUN(write_processes_output);
	RUN(write_device_full);
	RUN(write_partial_waits_inside);
	RUN(flow_control_stops_writes_and_echo);
	RUN(signal_chars_signal_foreground);
	RUN(background_read_gets_sigttin);
	RUN(background_write_with_tostop);
	RUN(tcgets_tcsets);
	RUN(termios2);
	RUN(tcsetsf_flushes_input);
	RUN(tcsetsw_drains_output);
	RUN(winsize);
	RUN(pgrp_ioctls);
	RUN(tiocgsid);
	RUN(tiocsctty);
	RUN(tiocnotty);
	RUN(disassociate_on_exit);
	RUN(fionread_outq);
	RUN(tcflsh);
	RUN(tcxonc);
	RUN(tiocsti);
	RUN(line_discipline_ioctls);
	RUN(unknown_ioctls);
	RUN(exclusive);
	RUN(last_close_tells_the_device);
	RUN(nonblocking_read);
	RUN(vtime_reads);
	RUN(poll);
	RUN(other_side_closed);
	RUN(throttle_and_unthrottle);
	RUN(termios_change_wakes_and_restarts_output);
	RUN(winsize_from_the_device_side);
	return check_done();
}
