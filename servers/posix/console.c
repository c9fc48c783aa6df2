/*
 * The console and the tty process layer (console.h).
 */
#include <base/string.h>
#include <linux_abi/errno.h>
#include <rt/rt.h>

#include "console.h"
#include "devfs.h"
#include "file.h"
#include "proc.h"
#include "server.h"
#include "serial.h"
#include "signal.h"
#include "tty.h"

#define O_RDWR 2
#define O_NOCTTY 0400
#define CONSOLE_MINOR 1

static struct serial com1;
static bool com1_ready;

static struct lproc *procs_current(void)
{
	struct lthread *t = proc_current();

	return t ? t->proc : NULL;
}

static int procs_pgid(struct lproc *p)
{
	return p->pgid;
}

static int procs_sid(struct lproc *p)
{
	return p->sid;
}

static bool procs_is_session_leader(struct lproc *p)
{
	return p->sid == p->pid;
}

static struct tty *procs_ctty(struct lproc *p)
{
	return p->ctty;
}

static void procs_set_ctty(struct lproc *p, struct tty *t)
{
	p->ctty = t;
}

static void procs_clear_session_ctty(int sid)
{
	struct list_node *pos;

	list_for_each(pos, proc_all()) {
		struct lproc *p = container_of(pos, struct lproc, all_link);

		if (p->sid == sid) {
			p->ctty = NULL;
		}
	}
}

static int procs_pgrp_session(int pgid)
{
	struct list_node *pos;

	list_for_each(pos, proc_all()) {
		struct lproc *p = container_of(pos, struct lproc, all_link);

		if (p->pgid == pgid && !p->zombie) {
			return p->sid;
		}
	}
	return -1;
}

/* POSIX: a group is orphaned when no member has a parent in another
 * group of the same session (nobody left to resume it after a stop). */
static bool procs_pgrp_is_orphaned(int pgid)
{
	struct list_node *pos;

	list_for_each(pos, proc_all()) {
		struct lproc *p = container_of(pos, struct lproc, all_link);
		struct lproc *parent = p->parent;

		if (p->pgid != pgid || p->zombie || !parent) {
			continue;
		}
		if (parent->pgid != pgid && parent->sid == p->sid) {
			return false;
		}
	}
	return true;
}

static bool procs_sig_is_ignored(struct lproc *p, int sig)
{
	struct lthread *cur = proc_current();
	uint64_t mask = 0;

	if (cur && cur->proc == p) {
		mask = cur->sigmask;
	} else if (!list_is_empty(&p->threads)) {
		mask = container_of(list_first(&p->threads), struct lthread,
				    link)
			       ->sigmask;
	}
	return (mask & SIG_BIT(sig)) ||
	       p->actions[sig - 1].handler == LINUX_SIG_IGN;
}

static void procs_kill_pgrp(int pgid, int sig)
{
	signal_send_group(pgid, sig);
}

static bool procs_is_privileged(struct lproc *p)
{
	return p->euid == 0;
}

static uint64_t procs_now_ns(void)
{
	return rt_clock_ns();
}

const struct tty_proc_ops console_tty_procs = {
	.current = procs_current,
	.pgid = procs_pgid,
	.sid = procs_sid,
	.is_session_leader = procs_is_session_leader,
	.ctty = procs_ctty,
	.set_ctty = procs_set_ctty,
	.clear_session_ctty = procs_clear_session_ctty,
	.pgrp_session = procs_pgrp_session,
	.pgrp_is_orphaned = procs_pgrp_is_orphaned,
	.sig_is_ignored = procs_sig_is_ignored,
	.kill_pgrp = procs_kill_pgrp,
	.is_privileged = procs_is_privileged,
	.now_ns = procs_now_ns,
};

/* /dev/ttyS0 and /dev/console: the UART's tty. The console never
 * becomes a controlling terminal by being opened (Linux's rule; init
 * makes it one for the shell with TIOCSCTTY). */
static int open_serial(void *priv, struct lproc *caller, uint32_t minor,
		       unsigned flags, struct file **out)
{
	(void)priv;
	if (!com1_ready || !caller) {
		return -LINUX_ENXIO;
	}
	if (minor == CONSOLE_MINOR) {
		flags |= O_NOCTTY;
	}
	return tty_open(serial_tty(&com1), caller, flags, out);
}

/* /dev/tty: the caller's controlling terminal. */
static int open_ctty(void *priv, struct lproc *caller, uint32_t minor,
		     unsigned flags, struct file **out)
{
	(void)priv, (void)minor;
	if (!caller || !caller->ctty) {
		return -LINUX_ENXIO;
	}
	return tty_open(caller->ctty, caller, flags | O_NOCTTY, out);
}

int console_init(void)
{
	static const struct devfs_dev devs[] = {
		{ .name = "ttyS0", .mode = 0620, .gid = 5, .major = 4,
		  .minor = 64, .open = open_serial },
		{ .name = "console", .mode = 0600, .major = 5,
		  .minor = CONSOLE_MINOR, .open = open_serial },
		{ .name = "tty", .mode = 0666, .major = 5, .minor = 0,
		  .open = open_ctty },
	};
	struct linux_winsize ws = { .ws_row = 24, .ws_col = 80 };
	err_t err = serial_init(&com1, &posix_loop, &console_tty_procs);

	if (err) {
		return -LINUX_EPERM;
	}
	/* A serial line has no size; 24x80 is what terminals assume. */
	tty_set_winsize(serial_tty(&com1), &ws);
	com1_ready = true;
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		devfs_register(&devs[i]);
	}
	return 0;
}

void console_fini(void)
{
	if (com1_ready) {
		serial_fini(&com1);
		com1_ready = false;
	}
}

struct tty *console_tty(void)
{
	return com1_ready ? serial_tty(&com1) : NULL;
}

struct file *console_open(struct lproc *p)
{
	struct file *f;

	if (!com1_ready ||
	    tty_open(serial_tty(&com1), p, O_RDWR | O_NOCTTY, &f)) {
		return NULL;
	}
	return f;
}
