/*
 * Terminals: a tty is a line discipline (ldisc.h) between a device and
 * the programs that open it, with the terminal's job-control state (its
 * session and foreground process group) and window size.
 *
 * Three parties:
 * - the device (struct tty_dev_ops): a serial port (serial.h), later a
 *   pty master. It takes output through its write function and hands
 *   input to tty_receive; a device with limited room calls
 *   tty_write_wakeup when it has room again.
 * - the programs: tty_open makes a struct file whose operations (read,
 *   write, ioctl, poll, release; see file.h) behave as Linux's N_TTY
 *   terminals do, including the termios and job-control ioctls.
 * - the process layer (struct tty_proc_ops), which the posix server's
 *   process code implements: process groups, sessions, controlling
 *   terminals, signal dispositions, signal sending, and the clock.
 *
 * Blocking follows file.h: an operation that would wait returns
 * -LINUX_EAGAIN (the caller waits on the file's wait head, the tty's,
 * and calls again). Three waits happen inside the operation instead,
 * with pwait_any on that same head, because they carry state that a
 * retry would lose: a read under VTIME (its timer), a write that has
 * already written part of its buffer (Linux writes a terminal's whole
 * buffer unless a signal comes), and TCSETSW/TCSETSF/TCSBRK draining
 * output. They end early on a signal: -LINUX_ERESTARTSYS, or the bytes
 * written so far.
 *
 * Job control, as Linux: a read from a background process group of the
 * terminal's session sends SIGTTIN to that group and returns
 * -LINUX_ERESTARTSYS (-LINUX_EIO if SIGTTIN is blocked or ignored, or
 * the group is orphaned); likewise a write under TOSTOP and the ioctls
 * that change the terminal send SIGTTOU (allowed when SIGTTOU is
 * blocked or ignored). Signal characters signal the foreground group.
 *
 * Everything runs on the posix server's fibers: no locks.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux_abi/termios.h>

#include "file.h"
#include "ldisc.h"
#include "wait.h"

struct lproc;
struct tty;
struct tty_proc_ops;

/* The device under a tty. Only write and write_room are required. */
struct tty_dev_ops {
	/* Bytes the device takes now (write must take that many). */
	size_t (*write_room)(struct tty *t);
	/* Takes @len (<= write_room) processed output bytes. */
	void (*write)(struct tty *t, const uint8_t *buf, size_t len);
	/* Bytes taken by write and not yet sent (TIOCOUTQ, draining). */
	size_t (*chars_in_buffer)(struct tty *t);
	/* Drops those (TCOFLUSH, signal characters). */
	void (*flush_buffer)(struct tty *t);
	/* The tty refused input earlier and has room again. */
	void (*unthrottle)(struct tty *t);
	/* The termios changed (the previous settings in @old). */
	void (*set_termios)(struct tty *t, const struct linux_termios *old);
	/* An ioctl the tty does not handle (a pty master's TIOCGPTN...);
	 * return -LINUX_ENOTTY for those it does not know either. */
	int64_t (*ioctl)(struct tty *t, struct lproc *caller, uint64_t cmd,
			 uint64_t arg);
	/* The last file open on the tty was released. */
	void (*close)(struct tty *t);
};

/*
 * What the tty needs from the process layer. Process ids, group ids and
 * session ids are Linux pids (> 0).
 */
struct tty_proc_ops {
	/* The process whose system call is running (read and write have
	 * no caller argument). */
	struct lproc *(*current)(void);
	int (*pgid)(struct lproc *p);
	int (*sid)(struct lproc *p);
	bool (*is_session_leader)(struct lproc *p);
	/* @p's controlling terminal, or NULL. */
	struct tty *(*ctty)(struct lproc *p);
	/* Makes @t (NULL: none) @p's controlling terminal. */
	void (*set_ctty)(struct lproc *p, struct tty *t);
	/* Every process of session @sid loses its controlling terminal. */
	void (*clear_session_ctty)(int sid);
	/* The session of process group @pgid, or -1 if there is no such
	 * group. */
	int (*pgrp_session)(int pgid);
	/* Whether group @pgid is orphaned (POSIX: no member has a parent in
	 * another group of the same session). */
	bool (*pgrp_is_orphaned)(int pgid);
	/* Whether @p blocks or ignores signal @sig. */
	bool (*sig_is_ignored)(struct lproc *p, int sig);
	/* Sends @sig to every process of group @pgid. */
	void (*kill_pgrp)(int pgid, int sig);
	/* Whether @p may act as CAP_SYS_ADMIN (TIOCSCTTY stealing,
	 * TIOCSTI on another terminal, TIOCEXCL). */
	bool (*is_privileged)(struct lproc *p);
	/* The monotonic clock in nanoseconds (VTIME timers). */
	uint64_t (*now_ns)(void);
};

/* A terminal. Shown so that a device can embed it (no allocation);
 * the fields are private to tty.c. */
struct tty {
	struct ldisc ld;
	const struct tty_dev_ops *dev;
	void *dev_priv;
	const struct tty_proc_ops *procs;
	struct pwait_head wait;		/* readers, writers, pollers */
	struct linux_winsize winsize;
	uint32_t ispeed, ospeed;	/* TCSETS2 speeds (for BOTHER) */
	int session;			/* 0: no session */
	int pgrp;			/* foreground group; 0: none */
	unsigned opens;			/* files open on it */
	bool exclusive;			/* TIOCEXCL */
	bool other_closed;		/* tty_set_other_closed */
	bool throttled;			/* input refused: unthrottle due */
};

/* Initializes @t over device @dev (its own state: @dev_priv) with
 * Linux's default termios and a 0x0 window. */
void tty_init(struct tty *t, const struct tty_dev_ops *dev, void *dev_priv,
	      const struct tty_proc_ops *procs);

/* Done with @t; no file may be open on it. The processes that have it
 * as their controlling terminal lose it. */
void tty_fini(struct tty *t);

static inline void *tty_dev_priv(struct tty *t)
{
	return t->dev_priv;
}

/*
 * Opens a file on @t for process @p with open(2) flags @flags (Linux
 * values). As on Linux, a session leader without a controlling terminal
 * that opens a terminal belonging to no session for reading, without
 * O_NOCTTY, makes it its controlling terminal. Stores the file (one
 * reference) in *@out.
 * Returns 0, -LINUX_EBUSY (TIOCEXCL set, not privileged) or
 * -LINUX_ENOMEM.
 */
int tty_open(struct tty *t, struct lproc *p, unsigned flags,
	     struct file **out);

/* Device side: input from the device. Returns the bytes taken; the
 * device keeps or drops the rest (unthrottle says when to offer them
 * again). Sends the signals of signal characters. */
size_t tty_receive(struct tty *t, const uint8_t *buf, size_t len);

/* Device side: the device has room for output again. */
void tty_write_wakeup(struct tty *t);

/* Device side: the other end is gone (pty master closed) or back. While
 * gone, reads with nothing to read and writes fail with -LINUX_EIO and
 * poll reports POLLHUP. */
void tty_set_other_closed(struct tty *t, bool closed);

/* The settings; tty_set_termios installs new ones as TCSETS does
 * (without job control: for the device's initial settings). */
const struct linux_termios *tty_termios(struct tty *t);
void tty_set_termios(struct tty *t, const struct linux_termios *termios);

/* Sets the window size; SIGWINCH to the foreground group if it
 * changed. */
void tty_set_winsize(struct tty *t, const struct linux_winsize *ws);

/* The foreground process group and the session (0: none). */
int tty_pgrp(struct tty *t);
int tty_session(struct tty *t);

/*
 * Process side: the controlling process of @t's session (its leader) is
 * giving it up: the foreground group gets SIGHUP (and SIGCONT unless
 * @on_exit, as TIOCNOTTY does on Linux), the tty forgets its session
 * and every process of that session loses it as controlling terminal.
 * The process layer calls it when a session leader exits.
 */
void tty_disassociate(struct tty *t, bool on_exit);
