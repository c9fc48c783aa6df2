/*
 * The system console for Linux programs: the COM1 UART (serial.h) with
 * its tty (tty.h), as /dev/console, /dev/ttyS0 and fds 0-2 of the first
 * program; and the process layer's side of every tty (tty_proc_ops:
 * sessions, process groups, controlling terminals, signals).
 */
#pragma once

#include <stdbool.h>

struct file;
struct lproc;
struct tty;

/* Claims the UART; 0 or a negated Linux errno. */
int console_init(void);
/* Stops the receive fiber (a oneshot server ending). */
void console_fini(void);
/* A new open file on the console for @p (Linux's /dev/console: never
 * the controlling terminal through this open). NULL without memory. */
struct file *console_open(struct lproc *p);
/* The console's tty, NULL before console_init. */
struct tty *console_tty(void);
/* The process layer for ttys (pty and console alike). */
extern const struct tty_proc_ops console_tty_procs;
