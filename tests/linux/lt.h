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
 * A case that could crash or hang runs in a process of its own,
 * LT_CASE(fn): fn runs in a child under a time limit, its failures are
 * counted through a pipe, and a child that dies, runs out of time or
 * exits with a status other than 0 is one more failure, named after fn.
 * So one broken case does not hide the others.
 *
 * Programs that use files work in a fresh directory under /tmp
 * (lt_tmpdir_enter/lt_tmpdir_leave), which is tmpfs in Keel.
 */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef LT_GROUP
#error "LT_GROUP must name the program (tests/linux/build.mk sets it)"
#endif

/* futex(2) operations: musl-gcc has no <linux/futex.h>. */
#define LT_FUTEX_WAIT 0
#define LT_FUTEX_WAKE 1
#define LT_FUTEX_WAIT_BITSET 9
#define LT_FUTEX_WAKE_BITSET 10
#define LT_FUTEX_PRIVATE 128
#define LT_FUTEX_CLOCK_REALTIME 256

/* Addresses no user program may pass: the kernel half. */
#define LT_KERNEL_PTR ((void *)0xffffffff80000000ul)
#define LT_NONCANONICAL_PTR ((void *)0x0000800000000000ul)

/* The time limit of one LT_CASE, in seconds. */
#ifndef LT_CASE_SECONDS
#define LT_CASE_SECONDS 30
#endif

static int lt_failed;
/* In a case's process: the pipe to the parent, one byte per failure. */
static int lt_fail_fd = -1;

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
	if (lt_fail_fd >= 0) {
		while (write(lt_fail_fd, "F", 1) < 0 && errno == EINTR) {
		}
	}
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

/* Counts @n failures reported by another program (an exec'd child
 * prints its own lines and exits with its count). */
static inline void lt_add_failures(int n)
{
	lt_failed += n;
	while (n-- > 0 && lt_fail_fd >= 0) {
		while (write(lt_fail_fd, "F", 1) < 0 && errno == EINTR) {
		}
	}
}

/* Waits for child @pid; its wait status, or -1 when waitpid fails. */
static inline int lt_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return status;
}

/* Describes wait status @status into @buf (for failure messages). */
static inline const char *lt_status_str(int status, char *buf, size_t size)
{
	if (status == -1) {
		snprintf(buf, size, "waitpid failed");
	} else if (WIFEXITED(status)) {
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		snprintf(buf, size, "killed by signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
	} else {
		snprintf(buf, size, "wait status %#x", status);
	}
	return buf;
}

/* Monotonic time in nanoseconds. */
static inline int64_t lt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static volatile sig_atomic_t lt_case_timed_out;

static void lt_case_alarm(int sig)
{
	lt_case_timed_out = 1;
}

/*
 * Tells the case's parent about @pid, a process of the case that left
 * the case's process group (setpgid), so that it goes too when the case
 * ends: leftovers would hold the output pipe open and use the CPUs.
 */
static inline void lt_track(pid_t pid)
{
	char rec[1 + sizeof(pid)];

	if (lt_fail_fd < 0) {
		return;
	}
	rec[0] = 'P';
	memcpy(rec + 1, &pid, sizeof(pid));
	while (write(lt_fail_fd, rec, sizeof(rec)) < 0 && errno == EINTR) {
	}
}

/* Reads a finished case's pipe: counts the failures ('F') and kills the
 * tracked process groups ('P' + pid) that are still there. */
static inline void lt_case_collect(int fd)
{
	static char buf[16384];
	size_t len = 0;
	ssize_t n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (len < sizeof(buf) &&
	       ((n = read(fd, buf + len, sizeof(buf) - len)) > 0 ||
		(n < 0 && errno == EINTR))) {
		len += n > 0 ? (size_t)n : 0;
	}
	for (size_t i = 0; i < len; i++) {
		pid_t pid;

		if (buf[i] == 'F') {
			lt_add_failures(1);
			continue;
		}
		if (buf[i] != 'P' || i + sizeof(pid) >= len) {
			continue;
		}
		memcpy(&pid, buf + i + 1, sizeof(pid));
		i += sizeof(pid);
		/* still the group it made, in our session: not a reused pid */
		if (pid > 0 && getpgid(pid) == pid && getsid(pid) == getsid(0)) {
			kill(-pid, SIGKILL);
		}
	}
}

/*
 * Runs @fn as case @name in a child process, which leads a process group
 * of its own, with a time limit of LT_CASE_SECONDS kept by the parent
 * (so the case may use alarm and SIGALRM itself): when it runs out, the
 * child is killed. When the child is gone, so is what is left of its
 * group and of the groups it tracked (lt_track). The child's failures
 * (and its children's) come back one byte each through a pipe; a child
 * that does not exit with status 0 by itself is one more failure named
 * @name. An alarm the program had (the guest runner's time limit) is
 * set again afterwards.
 */
static inline void lt_case(const char *name, void (*fn)(void))
{
	struct sigaction sa = { .sa_handler = lt_case_alarm }, old_sa;
	char why[64];
	int p[2], status;
	unsigned left;
	int64_t start;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		lt_report(name, false, "pipe2: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		lt_report(name, false, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		setpgid(0, 0);
		lt_fail_fd = p[1];
		fn();
		_exit(0);
	}
	close(p[1]);
	setpgid(pid, pid);
	start = lt_now_ns();
	lt_case_timed_out = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);
	left = alarm(LT_CASE_SECONDS);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
		if (lt_case_timed_out) {
			kill(pid, SIGKILL);
		}
	}
	alarm(0);
	sigaction(SIGALRM, &old_sa, NULL);
	if (left) {
		int64_t spent = (lt_now_ns() - start) / 1000000000;

		alarm(spent < left ? left - (unsigned)spent : 1);
	}
	kill(-pid, SIGKILL);
	lt_case_collect(p[0]);
	close(p[0]);
	if (lt_case_timed_out) {
		lt_report(name, false, "case process: time limit (%d s)",
			  LT_CASE_SECONDS);
	} else if (status != 0) {
		lt_report(name, false, "case process: %s",
			  lt_status_str(status, why, sizeof(why)));
	}
}

#define LT_CASE(fn) lt_case(#fn, fn)

/* Sleeps @ms milliseconds, resuming after signals. */
static inline void lt_msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

/* Removes @name in directory @at and everything below it. */
static inline void lt_remove_tree(int at, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(at, name, 0) == 0 ||
	    unlinkat(at, name, AT_REMOVEDIR) == 0) {
		return;
	}
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0) {
		return;
	}
	fchmod(fd, 0700);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			lt_remove_tree(dirfd(d), de->d_name);
		}
	}
	closedir(d);
	unlinkat(at, name, AT_REMOVEDIR);
}

static char lt_tmpdir[64];

/* Makes a fresh directory under /tmp and makes it the working directory;
 * its path stays in lt_tmpdir. False (with a failure) when it cannot. */
static inline bool lt_tmpdir_enter(void)
{
	snprintf(lt_tmpdir, sizeof(lt_tmpdir), "/tmp/lt.%s.XXXXXX", LT_GROUP);
	if (!mkdtemp(lt_tmpdir) || chdir(lt_tmpdir) < 0) {
		lt_report("tmpdir", false, "mkdtemp/chdir %s: %s", lt_tmpdir,
			  strerror(errno));
		return false;
	}
	return true;
}

/* Leaves the directory of lt_tmpdir_enter and removes it. */
static inline void lt_tmpdir_leave(void)
{
	if (chdir("/") == 0 && lt_tmpdir[0]) {
		lt_remove_tree(AT_FDCWD, lt_tmpdir);
	}
}

/* The exit status for main: the number of failed cases, at most 100. */
static inline int lt_done(void)
{
	return lt_failed > 100 ? 100 : lt_failed;
}
