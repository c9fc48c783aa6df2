/*
 * Terminals (see tty.h): the file operations of a tty, its ioctls and
 * job control, on top of the line discipline.
 *
 * Output goes straight to the device, which says how much it takes now
 * (write_room); nothing is queued here, so when the device is full or
 * output is stopped (^S, TCOOFF) writers wait and echo stays in the
 * line discipline's echo buffer. Every change that may let someone
 * proceed (input, room in the device, output restarted, new settings,
 * flushes) wakes the tty's wait head; waiters check again.
 */
#include "tty.h"

#include <base/string.h>
#include <linux_abi/errno.h>
#include <linux_abi/ioctl.h>

#include "umem.h"

/* open(2) flags the tty looks at (also in abi/linux_abi/fcntl.h, with the
 * same definitions). */
#define LINUX_O_ACCMODE 03
#define LINUX_O_WRONLY 01
#define LINUX_O_NOCTTY 0400
#define LINUX_O_NONBLOCK 04000

/* Linux signal numbers. */
#define TTY_SIGHUP 1
#define TTY_SIGCONT 18
#define TTY_SIGTTIN 21
#define TTY_SIGTTOU 22
#define TTY_SIGWINCH 28

/* Output goes to the device in chunks of this size (on the stack). */
#define TTY_CHUNK 256
/* poll reports POLLOUT while the device holds fewer bytes than this
 * (Linux's WAKEUP_CHARS). */
#define TTY_WAKEUP_CHARS 256

#define NO_DEADLINE (~0ull)
#define NS_PER_DECISECOND 100000000ull

static const struct file_ops tty_file_ops;

void tty_init(struct tty *t, const struct tty_dev_ops *dev, void *dev_priv,
	      const struct tty_proc_ops *procs)
{
	memset(t, 0, sizeof(*t));
	ldisc_init(&t->ld);
	t->dev = dev;
	t->dev_priv = dev_priv;
	t->procs = procs;
	pwait_head_init(&t->wait);
}

void tty_fini(struct tty *t)
{
	if (t->session) {
		t->procs->clear_session_ctty(t->session);
	}
	t->session = 0;
	t->pgrp = 0;
}

const struct linux_termios *tty_termios(struct tty *t)
{
	return ldisc_termios(&t->ld);
}

int tty_pgrp(struct tty *t)
{
	return t->pgrp;
}

int tty_session(struct tty *t)
{
	return t->session;
}

static size_t dev_room(struct tty *t)
{
	return t->dev->write_room(t);
}

static size_t dev_pending(struct tty *t)
{
	return t->dev->chars_in_buffer ? t->dev->chars_in_buffer(t) : 0;
}

static void dev_flush(struct tty *t)
{
	if (t->dev->flush_buffer) {
		t->dev->flush_buffer(t);
	}
}

/* Hands pending echo to the device, unless output is stopped. */
static void push_echo(struct tty *t)
{
	uint8_t chunk[TTY_CHUNK];

	while (!ldisc_is_stopped(&t->ld) && ldisc_echo_pending(&t->ld)) {
		size_t room = dev_room(t);
		size_t n;

		if (room == 0) {
			return;
		}
		if (room > sizeof(chunk)) {
			room = sizeof(chunk);
		}
		n = ldisc_echo_take(&t->ld, chunk, room);
		t->dev->write(t, chunk, n);
	}
}

/* After a read or flush made room: offer refused input again. */
static void unthrottle(struct tty *t)
{
	if (t->throttled && ldisc_has_room(&t->ld)) {
		t->throttled = false;
		if (t->dev->unthrottle) {
			t->dev->unthrottle(t);
		}
	}
}

size_t tty_receive(struct tty *t, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct ldisc_rx rx;
		size_t n = ldisc_receive(&t->ld, buf + done, len - done, &rx);

		done += n;
		if (rx.flush_output) {
			dev_flush(t);
		}
		if (rx.signal && t->pgrp) {
			t->procs->kill_pgrp(t->pgrp, rx.signal);
		}
		if (n == 0) {
			t->throttled = true;
			break;
		}
	}
	push_echo(t);
	pwait_wake(&t->wait);
	return done;
}

void tty_write_wakeup(struct tty *t)
{
	push_echo(t);
	pwait_wake(&t->wait);
}

void tty_set_other_closed(struct tty *t, bool closed)
{
	t->other_closed = closed;
	pwait_wake(&t->wait);
}

void tty_set_termios(struct tty *t, const struct linux_termios *termios)
{
	struct linux_termios old = *ldisc_termios(&t->ld);

	ldisc_set_termios(&t->ld, termios);
	if (t->dev->set_termios) {
		t->dev->set_termios(t, &old);
	}
	/* New settings may complete a read (VMIN, ICANON) or restart
	 * output (IXON cleared). */
	push_echo(t);
	unthrottle(t);
	pwait_wake(&t->wait);
}

void tty_set_winsize(struct tty *t, const struct linux_winsize *ws)
{
	if (memcmp(ws, &t->winsize, sizeof(*ws)) == 0) {
		return;
	}
	t->winsize = *ws;
	if (t->pgrp) {
		t->procs->kill_pgrp(t->pgrp, TTY_SIGWINCH);
	}
}

void tty_disassociate(struct tty *t, bool on_exit)
{
	int session = t->session;

	if (t->pgrp) {
		t->procs->kill_pgrp(t->pgrp, TTY_SIGHUP);
		if (!on_exit) {
			t->procs->kill_pgrp(t->pgrp, TTY_SIGCONT);
		}
	}
	t->session = 0;
	t->pgrp = 0;
	if (session) {
		t->procs->clear_session_ctty(session);
	}
}

/*
 * The job-control check before a read (SIGTTIN) or before a write under
 * TOSTOP or a change to the terminal (SIGTTOU), as Linux does it: only
 * for the process's controlling terminal with a foreground group, and
 * only from another group. Returns 0 (go ahead), -LINUX_EIO, or
 * -LINUX_ERESTARTSYS after signalling the caller's group.
 */
static int check_job_control(struct tty *t, struct lproc *p, int sig)
{
	const struct tty_proc_ops *pr = t->procs;
	int pgid;

	if (!p || pr->ctty(p) != t || !t->pgrp) {
		return 0;
	}
	pgid = pr->pgid(p);
	if (pgid == t->pgrp) {
		return 0;
	}
	if (pr->sig_is_ignored(p, sig)) {
		return sig == TTY_SIGTTIN ? -LINUX_EIO : 0;
	}
	if (pr->pgrp_is_orphaned(pgid)) {
		return -LINUX_EIO;
	}
	pr->kill_pgrp(pgid, sig);
	return -LINUX_ERESTARTSYS;
}

static bool is_nonblock(const struct file *f)
{
	return (f->flags & LINUX_O_NONBLOCK) != 0;
}

/* Parks until the tty's head is woken or @deadline passes. Returns 0,
 * -LINUX_ETIMEDOUT, or -LINUX_ERESTARTSYS for a signal. */
static int wait_here(struct tty *t, uint64_t deadline)
{
	struct pwait_head *head = &t->wait;
	int r = pwait_any(&head, 1, deadline);

	return r == -LINUX_EINTR ? -LINUX_ERESTARTSYS : r;
}

static int64_t tty_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct tty *t = f->priv;
	uint64_t deadline = NO_DEADLINE;
	size_t seen = 0;
	size_t n;
	int r;

	r = check_job_control(t, t->procs->current(), TTY_SIGTTIN);
	if (r) {
		return r;
	}
	for (;;) {
		unsigned vtime;
		enum ldisc_wait w = ldisc_read_wait(&t->ld, len, &vtime);
		size_t avail;

		if (w == LDISC_WAIT_NONE) {
			break;
		}
		if (t->other_closed) {
			/* What there is, else EIO, as Linux's pty slave. */
			n = ldisc_read(&t->ld, buf, len);
			return n ? (int64_t)n : -LINUX_EIO;
		}
		if (is_nonblock(f) || w == LDISC_WAIT_INPUT) {
			return -LINUX_EAGAIN;
		}
		/* VTIME: the timer belongs to this call. It restarts when
		 * input arrives (with VMIN, VTIME is an inter-byte timer). */
		avail = ldisc_inq(&t->ld);
		if (deadline == NO_DEADLINE || avail != seen) {
			deadline = t->procs->now_ns() +
				   vtime * NS_PER_DECISECOND;
			seen = avail;
		}
		r = wait_here(t, deadline);
		if (r == -LINUX_ETIMEDOUT) {
			break;
		}
		if (r < 0) {
			return r;
		}
	}
	n = ldisc_read(&t->ld, buf, len);
	if (n) {
		unthrottle(t);
	}
	return (int64_t)n;
}

/* Writes as much of @buf as the device takes now; returns the bytes of
 * @buf consumed. */
static size_t write_some(struct tty *t, const uint8_t *buf, size_t len)
{
	uint8_t chunk[TTY_CHUNK];
	size_t done = 0;

	while (done < len && !ldisc_is_stopped(&t->ld)) {
		size_t room = dev_room(t);
		size_t used, n;

		if (room > sizeof(chunk)) {
			room = sizeof(chunk);
		}
		n = ldisc_output(&t->ld, buf + done, len - done, chunk, room,
				 &used);
		if (used == 0) {
			break;	/* no room for the next byte's expansion */
		}
		if (n) {
			t->dev->write(t, chunk, n);
		}
		done += used;
	}
	return done;
}

static int64_t tty_write(struct file *f, const void *buf, size_t len,
			 uint64_t *pos)
{
	struct tty *t = f->priv;
	size_t done = 0;
	int r;

	if (tty_termios(t)->c_lflag & LINUX_TOSTOP) {
		r = check_job_control(t, t->procs->current(), TTY_SIGTTOU);
		if (r) {
			return r;
		}
	}
	for (;;) {
		if (t->other_closed) {
			return done ? (int64_t)done : -LINUX_EIO;
		}
		/* Echo already due goes first, as on Linux. */
		push_echo(t);
		done += write_some(t, (const uint8_t *)buf + done, len - done);
		if (done == len) {
			return (int64_t)len;
		}
		if (done == 0 || is_nonblock(f)) {
			return done ? (int64_t)done : -LINUX_EAGAIN;
		}
		/* Part of the buffer is out: finish it here. */
		if (wait_here(t, NO_DEADLINE) < 0) {
			return (int64_t)done;
		}
	}
}

static unsigned tty_poll(struct file *f)
{
	struct tty *t = f->priv;
	unsigned mask = 0;

	if (ldisc_can_read(&t->ld)) {
		mask |= FILE_POLLIN | FILE_POLLRDNORM;
	}
	if (t->other_closed) {
		mask |= FILE_POLLHUP;
	}
	if (!ldisc_is_stopped(&t->ld) && dev_room(t) > 0 &&
	    dev_pending(t) < TTY_WAKEUP_CHARS) {
		mask |= FILE_POLLOUT | FILE_POLLWRNORM;
	}
	return mask;
}

static void tty_release(struct file *f)
{
	struct tty *t = f->priv;

	if (--t->opens == 0) {
		t->exclusive = false;
		if (t->dev->close) {
			t->dev->close(t);
		}
	}
}

int tty_open(struct tty *t, struct lproc *p, unsigned flags,
	     struct file **out)
{
	const struct tty_proc_ops *pr = t->procs;
	struct file *f;

	if (t->exclusive && !pr->is_privileged(p)) {
		return -LINUX_EBUSY;
	}
	f = file_create(&tty_file_ops, flags, t);
	if (!f) {
		return -LINUX_ENOMEM;
	}
	f->wait = &t->wait;
	t->opens++;
	/* Write access alone does not make a terminal controlling. */
	if (!(flags & LINUX_O_NOCTTY) &&
	    (flags & LINUX_O_ACCMODE) != LINUX_O_WRONLY &&
	    pr->is_session_leader(p) && !pr->ctty(p) && !t->session) {
		t->session = pr->sid(p);
		t->pgrp = pr->pgid(p);
		pr->set_ctty(p, t);
	}
	*out = f;
	return 0;
}

/* ioctls */

/* Waits until the device has sent everything (echo included). */
static int drain(struct tty *t)
{
	for (;;) {
		int r;

		push_echo(t);
		if (!ldisc_echo_pending(&t->ld) && dev_pending(t) == 0) {
			return 0;
		}
		if (t->other_closed) {
			return 0;
		}
		r = wait_here(t, NO_DEADLINE);
		if (r < 0) {
			return r;
		}
	}
}

static int put_int(struct lproc *p, uint64_t arg, int32_t v)
{
	return umem_write(p, arg, &v, sizeof(v));
}

/* Bits per second of a CBAUD code. */
static uint32_t baud_rate(uint32_t code)
{
	static const uint32_t low[16] = {
		0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400,
		4800, 9600, 19200, 38400,
	};
	static const uint32_t high[16] = {
		0, 57600, 115200, 230400, 460800, 500000, 576000, 921600,
		1000000, 1152000, 1500000, 2000000, 2500000, 3000000,
		3500000, 4000000,
	};

	return (code & LINUX_CBAUDEX) ? high[code & 017] : low[code & 017];
}

/* TCGETS2: the settings with the speeds in bits per second. */
static int64_t get_termios2(struct tty *t, struct lproc *p, uint64_t arg)
{
	struct linux_termios2 t2;
	const struct linux_termios *cur = tty_termios(t);
	uint32_t out = cur->c_cflag & LINUX_CBAUD;
	uint32_t in = (cur->c_cflag >> LINUX_IBSHIFT) & LINUX_CBAUD;

	memcpy(&t2, cur, sizeof(*cur));
	t2.c_ospeed = out == LINUX_BOTHER ? t->ospeed : baud_rate(out);
	if (in == 0) {
		t2.c_ispeed = t2.c_ospeed;	/* input speed follows */
	} else {
		t2.c_ispeed = in == LINUX_BOTHER ? t->ispeed : baud_rate(in);
	}
	return umem_write(p, arg, &t2, sizeof(t2));
}

/* TCSETS, TCSETSW, TCSETSF and their termios2 forms. */
static int64_t set_termios_ioctl(struct tty *t, struct lproc *p,
				 uint64_t cmd, uint64_t arg)
{
	bool two = cmd == LINUX_TCSETS2 || cmd == LINUX_TCSETSW2 ||
		   cmd == LINUX_TCSETSF2;
	struct linux_termios2 nt;
	struct linux_termios base;
	int r;

	r = check_job_control(t, p, TTY_SIGTTOU);
	if (r) {
		return r;
	}
	r = umem_read(p, arg, &nt,
		      two ? sizeof(nt) : sizeof(struct linux_termios));
	if (r) {
		return r;
	}
	if (cmd == LINUX_TCSETSF || cmd == LINUX_TCSETSF2) {
		ldisc_flush_input(&t->ld);
		unthrottle(t);
	}
	if (cmd != LINUX_TCSETS && cmd != LINUX_TCSETS2) {
		r = drain(t);
		if (r) {
			return r;
		}
	}
	if (two) {
		/* Kept for BOTHER; the UART's speed itself never changes. */
		t->ispeed = nt.c_ispeed;
		t->ospeed = nt.c_ospeed;
	}
	memcpy(&base, &nt, sizeof(base));	/* the common prefix */
	tty_set_termios(t, &base);
	return 0;
}

static int64_t tiocspgrp(struct tty *t, struct lproc *p, uint64_t arg)
{
	const struct tty_proc_ops *pr = t->procs;
	int32_t pgrp;
	int session;
	int r;

	r = check_job_control(t, p, TTY_SIGTTOU);
	if (r == -LINUX_EIO) {
		return -LINUX_ENOTTY;	/* sic: Linux */
	}
	if (r) {
		return r;
	}
	r = umem_read(p, arg, &pgrp, sizeof(pgrp));
	if (r) {
		return r;
	}
	if (pgrp < 0) {
		return -LINUX_EINVAL;
	}
	if (pr->ctty(p) != t || t->session != pr->sid(p)) {
		return -LINUX_ENOTTY;
	}
	session = pr->pgrp_session(pgrp);
	if (session < 0) {
		return -LINUX_ESRCH;
	}
	if (session != t->session) {
		return -LINUX_EPERM;
	}
	t->pgrp = pgrp;
	return 0;
}

static int64_t tiocsctty(struct tty *t, struct file *f, struct lproc *p,
			 uint64_t arg)
{
	const struct tty_proc_ops *pr = t->procs;
	bool leader = pr->is_session_leader(p);

	if (leader && t->session && pr->sid(p) == t->session) {
		return 0;	/* already ours */
	}
	if (!leader || pr->ctty(p)) {
		return -LINUX_EPERM;
	}
	if (t->session) {
		/* Another session's terminal: only root may take it. */
		if (arg != 1 || !pr->is_privileged(p)) {
			return -LINUX_EPERM;
		}
		pr->clear_session_ctty(t->session);
	}
	if ((f->flags & LINUX_O_ACCMODE) == LINUX_O_WRONLY &&
	    !pr->is_privileged(p)) {
		return -LINUX_EPERM;
	}
	t->session = pr->sid(p);
	t->pgrp = pr->pgid(p);
	pr->set_ctty(p, t);
	return 0;
}

static int64_t tiocnotty(struct tty *t, struct lproc *p)
{
	const struct tty_proc_ops *pr = t->procs;

	if (pr->ctty(p) != t) {
		return -LINUX_ENOTTY;
	}
	if (pr->is_session_leader(p)) {
		tty_disassociate(t, false);
	}
	pr->set_ctty(p, NULL);
	return 0;
}

static int64_t tcflsh(struct tty *t, struct lproc *p, uint64_t arg)
{
	int r = check_job_control(t, p, TTY_SIGTTOU);

	if (r) {
		return r;
	}
	switch (arg) {
	case LINUX_TCIFLUSH:
	case LINUX_TCIOFLUSH:
		ldisc_flush_input(&t->ld);
		unthrottle(t);
		if (arg == LINUX_TCIFLUSH) {
			break;
		}
		/* fallthrough */
	case LINUX_TCOFLUSH:
		dev_flush(t);
		break;
	default:
		return -LINUX_EINVAL;
	}
	pwait_wake(&t->wait);
	return 0;
}

/* Sends a flow-control character ahead of the output, even when output
 * is stopped (TCIOFF, TCION). */
static void send_xchar(struct tty *t, uint8_t c)
{
	if (c && dev_room(t) > 0) {
		t->dev->write(t, &c, 1);
	}
}

static int64_t tcxonc(struct tty *t, struct lproc *p, uint64_t arg)
{
	int r = check_job_control(t, p, TTY_SIGTTOU);

	if (r) {
		return r;
	}
	switch (arg) {
	case LINUX_TCOOFF:
		ldisc_tco_stop(&t->ld);
		break;
	case LINUX_TCOON:
		ldisc_tco_start(&t->ld);
		push_echo(t);
		pwait_wake(&t->wait);
		break;
	case LINUX_TCIOFF:
		send_xchar(t, tty_termios(t)->c_cc[LINUX_VSTOP]);
		break;
	case LINUX_TCION:
		send_xchar(t, tty_termios(t)->c_cc[LINUX_VSTART]);
		break;
	default:
		return -LINUX_EINVAL;
	}
	return 0;
}

static int64_t tty_ioctl(struct file *f, struct lproc *p, uint64_t cmd,
			 uint64_t arg)
{
	struct tty *t = f->priv;
	const struct tty_proc_ops *pr = t->procs;
	struct linux_winsize ws;
	int32_t v;
	uint8_t c;
	int r;

	switch (cmd) {
	case LINUX_TCGETS:
		return umem_write(p, arg, tty_termios(t),
				  sizeof(struct linux_termios));
	case LINUX_TCSETS:
	case LINUX_TCSETSW:
	case LINUX_TCSETSF:
	case LINUX_TCSETS2:
	case LINUX_TCSETSW2:
	case LINUX_TCSETSF2:
		return set_termios_ioctl(t, p, cmd, arg);
	case LINUX_TCGETS2:
		return get_termios2(t, p, arg);
	case LINUX_TIOCGWINSZ:
		return umem_write(p, arg, &t->winsize, sizeof(t->winsize));
	case LINUX_TIOCSWINSZ:
		r = umem_read(p, arg, &ws, sizeof(ws));
		if (r) {
			return r;
		}
		tty_set_winsize(t, &ws);
		return 0;
	case LINUX_TIOCGPGRP:
		if (pr->ctty(p) != t) {
			return -LINUX_ENOTTY;
		}
		return put_int(p, arg, t->pgrp);
	case LINUX_TIOCSPGRP:
		return tiocspgrp(t, p, arg);
	case LINUX_TIOCGSID:
		if (pr->ctty(p) != t || !t->session) {
			return -LINUX_ENOTTY;
		}
		return put_int(p, arg, t->session);
	case LINUX_TIOCSCTTY:
		return tiocsctty(t, f, p, arg);
	case LINUX_TIOCNOTTY:
		return tiocnotty(t, p);
	case LINUX_FIONREAD:
		return put_int(p, arg, (int32_t)ldisc_inq(&t->ld));
	case LINUX_TIOCOUTQ:
		return put_int(p, arg, (int32_t)dev_pending(t));
	case LINUX_TCFLSH:
		return tcflsh(t, p, arg);
	case LINUX_TCXONC:
		return tcxonc(t, p, arg);
	case LINUX_TCSBRK:
	case LINUX_TCSBRKP:
		/* tcdrain(), or a break: no line breaks here, so both
		 * drain. */
		r = check_job_control(t, p, TTY_SIGTTOU);
		return r ? r : drain(t);
	case LINUX_TIOCSBRK:
	case LINUX_TIOCCBRK:
		return 0;
	case LINUX_TIOCGETD:
		return put_int(p, arg, LINUX_N_TTY);
	case LINUX_TIOCSETD:
		r = umem_read(p, arg, &v, sizeof(v));
		if (r) {
			return r;
		}
		return v == LINUX_N_TTY ? 0 : -LINUX_EINVAL;
	case LINUX_TIOCEXCL:
		t->exclusive = true;
		return 0;
	case LINUX_TIOCNXCL:
		t->exclusive = false;
		return 0;
	case LINUX_TIOCGEXCL:
		return put_int(p, arg, t->exclusive);
	case LINUX_TIOCSTI:
		if (pr->ctty(p) != t && !pr->is_privileged(p)) {
			return -LINUX_EPERM;
		}
		r = umem_read(p, arg, &c, 1);
		if (r) {
			return r;
		}
		tty_receive(t, &c, 1);
		return 0;
	default:
		if (t->dev->ioctl) {
			return t->dev->ioctl(t, p, cmd, arg);
		}
		return -LINUX_ENOTTY;
	}
}

static const struct file_ops tty_file_ops = {
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
	.release = tty_release,
};
