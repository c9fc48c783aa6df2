/*
 * The system console for Linux programs (/dev/console, fds 0-2 of init).
 * Output goes straight to the COM1 UART. Input and the line discipline
 * come with the tty layer (tty.h) that replaces this.
 */
#pragma once

struct file;

/* Claims the UART's I/O ports; 0 or a negated Linux errno. */
int console_init(void);
/* A new open file on the console (one reference); NULL without memory. */
struct file *console_open(void);
