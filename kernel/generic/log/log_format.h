/*
 * Formatting of one kernel log line, kept apart from log.c so that it is
 * pure (no clock, no serial port, no locks) and host-testable:
 *
 *	[   12.345678] subsys: message\n
 *
 * seconds since boot right-aligned in 5 columns (wider when needed), then
 * microseconds in 6 digits.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Formats a line for @fmt and @ap, logged by @subsys (no "subsys: " prefix
 * when NULL or empty) @ns_since_boot nanoseconds after boot, into the
 * @size bytes at @buf. The line ends with exactly one newline added unless
 * the message has its own; a line too long for @buf is cut but still ends
 * with a newline (when @size >= 2), and @buf is always NUL-terminated when
 * @size > 0.
 * Returns the length of the line in @buf, without the NUL. Any context.
 */
size_t log_format_line(char *buf, size_t size, uint64_t ns_since_boot,
		       const char *subsys, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
