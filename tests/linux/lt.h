/*
 * Reporting for the Linux test programs (tests/linux/<name>.c, built with
 * musl-gcc -static): the same "KTEST PASS <name>" / "KTEST FAIL <name>:
 * <why>" lines as the native guest tests (user/<name>/), so that the guest
 * harness (tools/qemu_test.py) and the host runner (tests/linux/run.py)
 * both count them. They run on the host's Linux, which is the reference,
 * and in Keel under the posix server; a case that fails on the host is a
 * wrong test, one that fails only in Keel is a Keel bug.
 *
 * Each program is one group: its cases are named <group>/<case>, the
 * group coming from -DLT_GROUP="<program>" (tests/linux/build.mk). Every
 * line goes out in one write(2) to fd 1, so lines never interleave or
 * stay in a buffer when the program dies. main ends with
 * `return lt_done();`: the exit status is the number of failed cases
 * (at most 100), which the runner checks against the lines it saw.
 *
 *	LT_CHECK("uname_sysname", strcmp(u.sysname, "Linux") == 0);
 *	LT_EXPECT("write_count", write(1, "x", 1), 1);
 *	LT_ERRNO("write_bad_fd", write(-1, "x", 1), EBADF);
 *
 * Cases all run in the one process for now; one process per case (fork)
 * comes when the posix server has fork.
 */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef LT_GROUP
#error "LT_GROUP must name the program (tests/linux/build.mk sets it)"
#endif

/* Addresses no user program may pass: the kernel half. */
#define LT_KERNEL_PTR ((void *)0xffffffff80000000ul)
#define LT_NONCANONICAL_PTR ((void *)0x0000800000000000ul)

static int lt_failed;

/* Writes one line made from @fmt in a single write(2). */
static inline void lt_line(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void lt_line(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return;
	}
	if (n > (int)sizeof(buf) - 2) {
		n = (int)sizeof(buf) - 2;
	}
	buf[n++] = '\n';
	while (write(1, buf, (size_t)n) < 0 && errno == EINTR) {
	}
}

/* Reports case @name: passed when @ok, else with @why (printf-style). */
static inline void lt_report(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void lt_report(const char *name, bool ok, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (ok) {
		lt_line("KTEST PASS %s/%s", LT_GROUP, name);
		return;
	}
	lt_failed++;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	lt_line("KTEST FAIL %s/%s: %s", LT_GROUP, name, why);
}

#define LT_CHECK(name, cond)                                                 \
	lt_report((name), (cond), "%s (line %d)", #cond, __LINE__)

/* Passes when @got == @want (both taken as long). */
#define LT_EXPECT(name, got, want)                                           \
	do {                                                                 \
		long lt_got_ = (long)(got);                                  \
		long lt_want_ = (long)(want);                                \
		lt_report((name), lt_got_ == lt_want_,                       \
			  "%s gave %ld, want %ld (line %d)", #got, lt_got_,  \
			  lt_want_, __LINE__);                               \
	} while (0)

/* Passes when @call fails (returns -1, or MAP_FAILED) with errno @err. */
#define LT_ERRNO(name, call, err)                                            \
	do {                                                                 \
		long lt_ret_;                                                \
		int lt_errno_;                                               \
		errno = 0;                                                   \
		lt_ret_ = (long)(call);                                      \
		lt_errno_ = errno;                                           \
		lt_report((name), lt_ret_ == -1 && lt_errno_ == (err),       \
			  "%s gave %ld errno %d (%s), want -1 errno %d (%s) " \
			  "(line %d)",                                       \
			  #call, lt_ret_, lt_errno_, strerror(lt_errno_),    \
			  (err), strerror(err), __LINE__);                   \
	} while (0)

/* The exit status for main: the number of failed cases, at most 100. */
static inline int lt_done(void)
{
	return lt_failed > 100 ? 100 : lt_failed;
}
