/*
 * printf-style formatting without libc, for the kernel log and the native
 * user runtime. Supported: %d %i %u %x %X %o %p %s %c %%, the length
 * modifiers hh h l ll z t j, the flags - 0 + space #, width and precision
 * (also given as `*`). No floating point. %s of NULL prints "(null)" and
 * %p of NULL prints "(nil)", as glibc does; an unknown conversion is
 * printed as written. Widths and integer precisions are capped at
 * FMT_MAX_PAD so that a runaway argument cannot stall a CPU; a %s
 * precision is never capped, since it bounds how much of the string is
 * read. Reentrant: no global state.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#define FMT_MAX_PAD 4096

/* Receives each piece of formatted output, in order. */
typedef void (*fmt_out_fn)(void *ctx, const char *s, size_t len);

/*
 * Formats @fmt with the arguments in @ap and passes the text to @out in
 * pieces; returns the number of bytes produced (capped at INT_MAX).
 */
int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* As fmt_vformat(), with the arguments given directly. */
int fmt_format(fmt_out_fn out, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Formats into the @size bytes at @buf, truncating if needed and always
 * NUL-terminating when @size > 0 (@buf may be NULL when @size is 0);
 * returns the length the whole text would have had, as C's vsnprintf does.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* As fmt_vsnprintf(), with the arguments given directly. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
