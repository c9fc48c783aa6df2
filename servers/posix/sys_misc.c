/*
 * Miscellaneous calls: uname, clocks and sleeps, randomness, scheduling
 * queries, sysinfo, and the memory calls' argument handling.
 */
#include <base/string.h>
#include <linux_abi/errno.h>
#include <rt/malloc.h>
#include <rt/rt.h>

#include "ltime.h"
#include "mm.h"
#include "proc.h"
#include "server.h"
#include "sys.h"
#include "umem.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1

int64_t sys_uname(struct lthread *t, const uint64_t *a)
{
	char u[6][65];

	memset(u, 0, sizeof(u));
	strlcpy(u[0], "Linux", 65);	/* what programs check for */
	strlcpy(u[1], "keel", 65);
	strlcpy(u[2], "6.1.0-keel", 65);
	strlcpy(u[3], "#1 SMP Keel", 65);
	strlcpy(u[4], "x86_64", 65);
	strlcpy(u[5], "(none)", 65);
	return umem_write(t->proc, a[0], u, sizeof(u));
}

/* The clock @id in ns; false for an unknown clock. CPU-time clocks read
 * the monotonic clock until the kernel accounts CPU time per thread. */
static bool clock_read(uint64_t id, uint64_t *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = ltime_realtime_ns();
		return true;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = ltime_monotonic_ns();
		return true;
	default:
		return false;
	}
}

static int write_timespec(struct lproc *p, uint64_t uts, uint64_t ns)
{
	int64_t ts[2] = { (int64_t)(ns / LTIME_NS_PER_S),
			  (int64_t)(ns % LTIME_NS_PER_S) };

	return umem_write(p, uts, ts, sizeof(ts));
}

int64_t sys_clock_gettime(struct lthread *t, const uint64_t *a)
{
	uint64_t ns;

	if (!clock_read(a[0], &ns)) {
		return -LINUX_EINVAL;
	}
	return write_timespec(t->proc, a[1], ns);
}

int64_t sys_clock_getres(struct lthread *t, const uint64_t *a)
{
	uint64_t ns;

	if (!clock_read(a[0], &ns)) {
		return -LINUX_EINVAL;
	}
	return a[1] ? write_timespec(t->proc, a[1], 1) : 0;
}

int64_t sys_gettimeofday(struct lthread *t, const uint64_t *a)
{
	uint64_t ns = ltime_realtime_ns();
	int64_t tv[2] = { (int64_t)(ns / LTIME_NS_PER_S),
			  (int64_t)(ns % LTIME_NS_PER_S / 1000) };
	int32_t tz[2] = { 0, 0 };

	if (a[0] && umem_write(t->proc, a[0], tv, sizeof(tv))) {
		return -LINUX_EFAULT;
	}
	if (a[1] && umem_write(t->proc, a[1], tz, sizeof(tz))) {
		return -LINUX_EFAULT;
	}
	return 0;
}

int64_t sys_time(struct lthread *t, const uint64_t *a)
{
	int64_t s = (int64_t)(ltime_realtime_ns() / LTIME_NS_PER_S);

	if (a[0] && umem_write(t->proc, a[0], &s, sizeof(s))) {
		return -LINUX_EFAULT;
	}
	return s;
}

/* Sleeps until @deadline; on a signal writes what is left to @urem. */
static int64_t sleep_until(struct lthread *t, uint64_t deadline,
			   uint64_t urem)
{
	int r = pwait_any(NULL, 0, deadline);
	uint64_t now;

	if (r != -LINUX_EINTR) {
		return 0;
	}
	now = ltime_monotonic_ns();
	if (urem) {
		write_timespec(t->proc, urem, deadline > now ? deadline - now : 0);
	}
	return -LINUX_EINTR;
}

int64_t sys_nanosleep(struct lthread *t, const uint64_t *a)
{
	uint64_t deadline;
	int err = ltime_user_deadline_rel(t->proc, a[0], &deadline);

	return err ? err : sleep_until(t, deadline, a[1]);
}

int64_t sys_clock_nanosleep(struct lthread *t, const uint64_t *a)
{
	uint64_t deadline, ns;
	int err;

	if (!clock_read(a[0], &ns) || a[0] == CLOCK_THREAD_CPUTIME_ID) {
		return -LINUX_EINVAL;
	}
	if (a[1] & TIMER_ABSTIME) {
		err = ltime_user_deadline_abs(t->proc, a[2],
					      a[0] == CLOCK_REALTIME, &deadline);
	} else {
		err = ltime_user_deadline_rel(t->proc, a[2], &deadline);
	}
	if (err) {
		return err;
	}
	return sleep_until(t, deadline, (a[1] & TIMER_ABSTIME) ? 0 : a[3]);
}

int64_t sys_getrandom(struct lthread *t, const uint64_t *a)
{
	uint8_t buf[256];
	uint64_t len = a[1] > (1u << 20) ? (1u << 20) : a[1], done = 0;

	if (a[2] & ~(uint64_t)7) {
		return -LINUX_EINVAL;
	}
	while (done < len) {
		uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

		posix_random(buf, n);
		if (umem_write(t->proc, a[0] + done, buf, n)) {
			return done ? (int64_t)done : -LINUX_EFAULT;
		}
		done += n;
	}
	return (int64_t)done;
}

int64_t sys_sched_yield(struct lthread *t, const uint64_t *a)
{
	(void)t, (void)a;
	return 0;
}

int64_t sys_sched_getaffinity(struct lthread *t, const uint64_t *a)
{
	uint64_t mask = 1;

	if (a[1] < 8 || (a[1] & 7)) {
		return -LINUX_EINVAL;
	}
	return umem_write(t->proc, a[2], &mask, 8) ? -LINUX_EFAULT : 8;
}

int64_t sys_getcpu(struct lthread *t, const uint64_t *a)
{
	uint32_t zero = 0;

	if ((a[0] && umem_write(t->proc, a[0], &zero, 4)) ||
	    (a[1] && umem_write(t->proc, a[1], &zero, 4))) {
		return -LINUX_EFAULT;
	}
	return 0;
}

int64_t sys_sysinfo(struct lthread *t, const uint64_t *a)
{
	struct {
		int64_t uptime;
		uint64_t loads[3];
		uint64_t totalram, freeram, sharedram, bufferram;
		uint64_t totalswap, freeswap;
		uint16_t procs, pad;
		uint32_t pad2;
		uint64_t totalhigh, freehigh;
		uint32_t mem_unit;
		uint32_t pad3;
	} si;
	struct list_node *pos;

	_Static_assert(sizeof(si) == 112, "struct sysinfo layout");
	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(ltime_monotonic_ns() / LTIME_NS_PER_S);
	list_for_each(pos, proc_all()) {
		si.procs++;
	}
	/* Memory figures come with a kernel memory-statistics call. */
	si.totalram = 2048ull << 20;
	si.freeram = 1024ull << 20;
	si.mem_unit = 1;
	return umem_write(t->proc, a[0], &si, sizeof(si));
}

int64_t sys_brk(struct lthread *t, const uint64_t *a)
{
	return mm_brk(t->proc, a[0]);
}

int64_t sys_mmap(struct lthread *t, const uint64_t *a)
{
	return mm_mmap(t->proc, a[0], a[1], a[2], a[3], (int)a[4], a[5]);
}

int64_t sys_munmap(struct lthread *t, const uint64_t *a)
{
	return mm_munmap(t->proc, a[0], a[1]);
}

int64_t sys_mprotect(struct lthread *t, const uint64_t *a)
{
	return mm_mprotect(t->proc, a[0], a[1], a[2]);
}

int64_t sys_madvise(struct lthread *t, const uint64_t *a)
{
	return mm_madvise(t->proc, a[0], a[1], a[2]);
}

int64_t sys_mremap(struct lthread *t, const uint64_t *a)
{
	return mm_mremap(t->proc, a[0], a[1], a[2], a[3], a[4]);
}

/* ITIMER_REAL: what is left of the process's alarm, and its interval. */
static void itimer_get(struct lproc *p, uint64_t *left, uint64_t *interval)
{
	uint64_t now = ltime_monotonic_ns();

	*left = ptimer_is_armed(&p->alarm) && p->alarm.deadline > now
			? p->alarm.deadline - now
			: 0;
	*interval = p->alarm_interval;
}

static void itimer_set(struct lproc *p, uint64_t value, uint64_t interval)
{
	p->alarm_interval = interval;
	if (value) {
		ptimer_arm(&p->alarm, ltime_monotonic_ns() + value);
	} else {
		ptimer_cancel(&p->alarm);
	}
}

int64_t sys_alarm(struct lthread *t, const uint64_t *a)
{
	uint64_t left, interval, secs;

	itimer_get(t->proc, &left, &interval);
	itimer_set(t->proc, (a[0] & 0xffffffff) * LTIME_NS_PER_S, 0);
	/* Seconds left, rounded to nearest, at least 1 if any. */
	secs = (left + LTIME_NS_PER_S / 2) / LTIME_NS_PER_S;
	return left ? (int64_t)(secs ? secs : 1) : 0;
}

static void to_timeval(uint64_t ns, int64_t tv[2])
{
	tv[0] = (int64_t)(ns / LTIME_NS_PER_S);
	tv[1] = (int64_t)(ns % LTIME_NS_PER_S / 1000);
}

int64_t sys_getitimer(struct lthread *t, const uint64_t *a)
{
	int64_t it[4] = { 0, 0, 0, 0 };
	uint64_t left, interval;

	if (a[0] > 2) {
		return -LINUX_EINVAL;
	}
	if (a[0] == 0) { /* ITIMER_REAL; the CPU-time ones never run */
		itimer_get(t->proc, &left, &interval);
		to_timeval(interval, it);
		to_timeval(left, it + 2);
	}
	return umem_write(t->proc, a[1], it, sizeof(it));
}

int64_t sys_setitimer(struct lthread *t, const uint64_t *a)
{
	int64_t it[4];

	if (a[0] > 2) {
		return -LINUX_EINVAL;
	}
	if (a[2]) {
		uint64_t get[3] = { a[0], a[2], 0 };

		if (sys_getitimer(t, get)) {
			return -LINUX_EFAULT;
		}
	}
	if (!a[1]) {
		return 0;
	}
	if (umem_read(t->proc, a[1], it, sizeof(it))) {
		return -LINUX_EFAULT;
	}
	for (int i = 0; i < 4; i++) {
		if (it[i] < 0 || ((i & 1) && it[i] >= 1000000)) {
			return -LINUX_EINVAL;
		}
	}
	if (a[0] == 0) {
		itimer_set(t->proc,
			   (uint64_t)it[2] * LTIME_NS_PER_S +
				   (uint64_t)it[3] * 1000,
			   (uint64_t)it[0] * LTIME_NS_PER_S +
				   (uint64_t)it[1] * 1000);
	}
	return 0;
}
