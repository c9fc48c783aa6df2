/*
 * Waiting: poll/ppoll and select/pselect6 on pipes (readiness, hang-up,
 * errors, timeouts, signal masks, EINTR), nanosleep and clock_nanosleep
 * (relative and absolute, interrupted), the clocks (clock_gettime,
 * clock_getres, gettimeofday, time), futexes (raw FUTEX_WAIT/WAKE with
 * timeouts and bitsets, across processes, under pthread mutexes and
 * condition variables), sched_yield and getrandom.
 *
 * Timeouts are checked only from below: a wait may end late, never
 * early.
 */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include "lt.h"

#define MS 1000000ll

static volatile sig_atomic_t hits;

static void count_handler(int sig)
{
	hits++;
}

static void install(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = count_handler,
				.sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void start_timer_ms(long ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void add_ms(struct timespec *ts, long ms)
{
	ts->tv_nsec += ms * MS;
	while (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static bool mask_has(int sig)
{
	sigset_t s;

	sigprocmask(SIG_BLOCK, NULL, &s);
	return sigismember(&s, sig) == 1;
}

static void block(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

/* ---- poll ---- */

static void case_poll(void)
{
	struct pollfd pf[2];
	int p[2], fd;
	int64_t t0;
	pid_t pid;
	char c;

	pipe(p);
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	LT_EXPECT("poll_empty_pipe", poll(pf, 1, 0), 0);
	LT_EXPECT("poll_empty_revents", pf[0].revents, 0);
	pf[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	LT_EXPECT("poll_writable", poll(&pf[1], 1, 0), 1);
	LT_EXPECT("poll_pollout", pf[1].revents, POLLOUT);
	write(p[1], "x", 1);
	LT_EXPECT("poll_readable", poll(pf, 2, 0), 2);
	LT_EXPECT("poll_pollin", pf[0].revents, POLLIN);
	close(p[1]);
	LT_EXPECT("poll_hup_with_data", poll(pf, 1, 0), 1);
	LT_EXPECT("poll_pollin_pollhup", pf[0].revents, POLLIN | POLLHUP);
	read(p[0], &c, 1);
	poll(pf, 1, 0);
	LT_EXPECT("poll_pollhup", pf[0].revents, POLLHUP);
	close(p[0]);

	pipe(p);
	close(p[0]);
	pf[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	poll(&pf[1], 1, 0);
	LT_CHECK("poll_no_reader_pollerr", (pf[1].revents & POLLERR) != 0);
	close(p[1]);

	pf[0] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 7 };
	LT_EXPECT("poll_negative_fd_ignored", poll(pf, 1, 0), 0);
	LT_EXPECT("poll_negative_fd_revents", pf[0].revents, 0);
	pf[0] = (struct pollfd){ .fd = 1000, .events = POLLIN };
	LT_EXPECT("poll_closed_fd", poll(pf, 1, 0), 1);
	LT_EXPECT("poll_pollnval", pf[0].revents, POLLNVAL);
	fd = open("/dev/null", O_RDWR);
	pf[0] = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	poll(pf, 1, 0);
	LT_EXPECT("poll_dev_null", pf[0].revents, POLLIN | POLLOUT);
	close(fd);
	/* nfds is an unsigned int to the kernel, checked against
	 * RLIMIT_NOFILE */
	LT_ERRNO("poll_too_many", poll(pf, 0x40000000, 0), EINVAL);
	LT_ERRNO("poll_bad_pointer", poll(LT_KERNEL_PTR, 1, 0), EFAULT);
	LT_EXPECT("poll_nothing", poll(NULL, 0, 0), 0);

	pipe(p);
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	t0 = lt_now_ns();
	LT_EXPECT("poll_timeout", poll(pf, 1, 50), 0);
	LT_CHECK("poll_timeout_not_early", lt_now_ns() - t0 >= 50 * MS);

	pid = fork();
	if (pid == 0) {
		lt_msleep(30);
		write(p[1], "w", 1);
		_exit(0);
	}
	LT_EXPECT("poll_woken_by_writer", poll(pf, 1, -1), 1);
	LT_EXPECT("poll_woken_revents", pf[0].revents, POLLIN);
	lt_wait(pid);
	read(p[0], &c, 1);

	install(SIGALRM, SA_RESTART);
	start_timer_ms(30);
	LT_ERRNO("poll_eintr_despite_sa_restart", poll(pf, 1, -1), EINTR);
	LT_EXPECT("poll_eintr_handler", hits, 1);
	close(p[0]);
	close(p[1]);
}

static void case_ppoll(void)
{
	struct pollfd pf;
	struct timespec ts = { 0, 20 * MS };
	sigset_t none;
	uint64_t kmask = 0;
	int p[2];
	int64_t t0;

	pipe(p);
	pf = (struct pollfd){ .fd = p[0], .events = POLLIN };
	t0 = lt_now_ns();
	LT_EXPECT("ppoll_timeout", ppoll(&pf, 1, &ts, NULL), 0);
	LT_CHECK("ppoll_timeout_not_early", lt_now_ns() - t0 >= 20 * MS);
	ts.tv_nsec = 1000000000;
	LT_ERRNO("ppoll_bad_nsec", ppoll(&pf, 1, &ts, NULL), EINVAL);
	ts = (struct timespec){ -1, 0 };
	LT_ERRNO("ppoll_negative", ppoll(&pf, 1, &ts, NULL), EINVAL);
	LT_ERRNO("ppoll_bad_sigsetsize",
		 syscall(SYS_ppoll, &pf, 1, NULL, &kmask, 4), EINVAL);
	LT_ERRNO("ppoll_bad_timeout_pointer",
		 syscall(SYS_ppoll, &pf, 1, LT_KERNEL_PTR, NULL, 8), EFAULT);

	/* the mask is swapped in for the wait only */
	install(SIGUSR1, 0);
	block(SIGUSR1);
	raise(SIGUSR1);
	sigemptyset(&none);
	LT_ERRNO("ppoll_sigmask_eintr", ppoll(&pf, 1, NULL, &none), EINTR);
	LT_EXPECT("ppoll_sigmask_handler", hits, 1);
	LT_CHECK("ppoll_restores_mask", mask_has(SIGUSR1));
	write(p[1], "x", 1);
	raise(SIGUSR1);
	LT_EXPECT("ppoll_ready_with_blocked_pending",
		  ppoll(&pf, 1, NULL, NULL), 1);
	close(p[0]);
	close(p[1]);
}

static void case_select(void)
{
	fd_set r, w;
	struct timeval tv = { 0, 0 };
	int p[2], fd;
	int64_t t0;

	pipe(p);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	LT_EXPECT("select_empty", select(p[0] + 1, &r, NULL, NULL, &tv), 0);
	LT_CHECK("select_clears_set", !FD_ISSET(p[0], &r));
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	LT_EXPECT("select_writable", select(p[1] + 1, NULL, &w, NULL, &tv), 1);
	LT_CHECK("select_writable_set", FD_ISSET(p[1], &w));
	write(p[1], "x", 1);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	LT_EXPECT("select_both", select(p[1] + 1, &r, &w, NULL, &tv), 2);
	LT_CHECK("select_readable_set", FD_ISSET(p[0], &r));

	/* the raw call writes back the time left: none after a timeout */
	tv = (struct timeval){ 0, 30000 };
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	read(p[0], &fd, 1);
	t0 = lt_now_ns();
	LT_EXPECT("select_timeout", syscall(SYS_select, p[0] + 1, &r, NULL,
					    NULL, &tv),
		  0);
	LT_CHECK("select_timeout_not_early", lt_now_ns() - t0 >= 30 * MS);
	LT_CHECK("select_timeout_left_zero", tv.tv_sec == 0 && tv.tv_usec == 0);

	/* a closed descriptor inside the table (those past its end are
	 * ignored) */
	fd = dup(0);
	close(fd);
	FD_ZERO(&r);
	FD_SET(fd, &r);
	tv = (struct timeval){ 0, 0 };
	LT_ERRNO("select_closed_fd", select(fd + 1, &r, NULL, NULL, &tv),
		 EBADF);
	LT_ERRNO("select_negative_nfds", select(-1, NULL, NULL, NULL, &tv),
		 EINVAL);
	tv.tv_usec = -1;
	LT_ERRNO("select_bad_timeout", select(1, NULL, NULL, NULL, &tv),
		 EINVAL);
	tv.tv_usec = 0;
	LT_ERRNO("select_bad_set_pointer",
		 select(p[0] + 1, LT_KERNEL_PTR, NULL, NULL, &tv), EFAULT);

	install(SIGALRM, SA_RESTART);
	start_timer_ms(30);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	LT_ERRNO("select_eintr", select(p[0] + 1, &r, NULL, NULL, NULL),
		 EINTR);

	/* pselect swaps the mask in for the wait */
	install(SIGUSR1, 0);
	block(SIGUSR1);
	raise(SIGUSR1);
	{
		sigset_t none;
		struct timespec ts = { 5, 0 };

		sigemptyset(&none);
		hits = 0;
		LT_ERRNO("pselect_sigmask_eintr",
			 pselect(p[0] + 1, &r, NULL, NULL, &ts, &none), EINTR);
		LT_EXPECT("pselect_sigmask_handler", hits, 1);
		LT_CHECK("pselect_restores_mask", mask_has(SIGUSR1));
		ts = (struct timespec){ 0, 20 * MS };
		t0 = lt_now_ns();
		LT_EXPECT("pselect_timeout",
			  pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL), 0);
		LT_CHECK("pselect_timeout_not_early",
			 lt_now_ns() - t0 >= 20 * MS);
		ts.tv_nsec = 1000000000;
		LT_ERRNO("pselect_bad_nsec",
			 pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL), EINVAL);
	}
	fd = open("/dev/null", O_RDONLY);
	FD_ZERO(&r);
	FD_SET(fd, &r);
	tv = (struct timeval){ 0, 0 };
	LT_EXPECT("select_dev_null_readable",
		  select(fd + 1, &r, NULL, NULL, &tv), 1);
	close(fd);
}

/* ---- sleeping ---- */

static void case_nanosleep(void)
{
	struct timespec req = { 0, 20 * MS }, rem, now, target;
	int64_t t0;

	t0 = lt_now_ns();
	LT_EXPECT("nanosleep", nanosleep(&req, NULL), 0);
	LT_CHECK("nanosleep_not_early", lt_now_ns() - t0 >= 20 * MS);
	req = (struct timespec){ 0, 0 };
	LT_EXPECT("nanosleep_zero", nanosleep(&req, NULL), 0);
	req.tv_nsec = 1000000000;
	LT_ERRNO("nanosleep_bad_nsec", nanosleep(&req, NULL), EINVAL);
	req = (struct timespec){ -1, 0 };
	LT_ERRNO("nanosleep_negative", nanosleep(&req, NULL), EINVAL);
	LT_ERRNO("nanosleep_bad_pointer",
		 syscall(SYS_nanosleep, LT_KERNEL_PTR, NULL), EFAULT);

	/* interrupted, even with SA_RESTART: the time left comes back */
	install(SIGALRM, SA_RESTART);
	start_timer_ms(30);
	req = (struct timespec){ 5, 0 };
	rem = (struct timespec){ -1, -1 };
	LT_ERRNO("nanosleep_eintr", nanosleep(&req, &rem), EINTR);
	LT_CHECK("nanosleep_remaining",
		 rem.tv_sec >= 0 && rem.tv_sec <= 5 && rem.tv_nsec >= 0 &&
			 rem.tv_nsec < 1000000000 &&
			 (rem.tv_sec < 5 || rem.tv_nsec == 0) &&
			 (rem.tv_sec > 0 || rem.tv_nsec > 0));

	req = (struct timespec){ 0, 20 * MS };
	t0 = lt_now_ns();
	LT_EXPECT("clock_nanosleep_monotonic",
		  clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), 0);
	LT_CHECK("clock_nanosleep_not_early", lt_now_ns() - t0 >= 20 * MS);
	LT_EXPECT("clock_nanosleep_realtime",
		  clock_nanosleep(CLOCK_REALTIME, 0, &req, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &target);
	add_ms(&target, 30);
	LT_EXPECT("clock_nanosleep_abstime",
		  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target,
				  NULL),
		  0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	LT_CHECK("clock_nanosleep_abstime_reached",
		 now.tv_sec > target.tv_sec ||
			 (now.tv_sec == target.tv_sec &&
			  now.tv_nsec >= target.tv_nsec));
	target.tv_sec -= 10;
	t0 = lt_now_ns();
	LT_EXPECT("clock_nanosleep_abstime_past",
		  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target,
				  NULL),
		  0);
	clock_gettime(CLOCK_REALTIME, &target);
	add_ms(&target, 30);
	LT_EXPECT("clock_nanosleep_realtime_abstime",
		  clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &target,
				  NULL),
		  0);
	clock_gettime(CLOCK_REALTIME, &now);
	LT_CHECK("clock_nanosleep_realtime_reached",
		 now.tv_sec > target.tv_sec ||
			 (now.tv_sec == target.tv_sec &&
			  now.tv_nsec >= target.tv_nsec));
	/* raw: musl returns the error number instead of setting errno */
	LT_ERRNO("clock_nanosleep_bad_clock",
		 syscall(SYS_clock_nanosleep, 1000, 0, &req, NULL), EINVAL);
	req.tv_nsec = -1;
	LT_ERRNO("clock_nanosleep_bad_nsec",
		 syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL),
		 EINVAL);
	LT_ERRNO("clock_nanosleep_bad_pointer",
		 syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0,
			 LT_KERNEL_PTR, NULL),
		 EFAULT);
}

/* ---- clocks ---- */

static void case_clocks(void)
{
	static const clockid_t ids[] = { CLOCK_REALTIME,
					 CLOCK_MONOTONIC,
					 CLOCK_PROCESS_CPUTIME_ID,
					 CLOCK_THREAD_CPUTIME_ID,
					 CLOCK_MONOTONIC_RAW,
					 CLOCK_REALTIME_COARSE,
					 CLOCK_MONOTONIC_COARSE,
					 CLOCK_BOOTTIME };
	struct timespec a, b, r;
	struct timeval tv;
	char name[48];
	bool mono_ok = true;
	volatile unsigned long spin = 0;
	time_t t;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(name, sizeof(name), "clock_gettime_%d", ids[i]);
		LT_CHECK(name, syscall(SYS_clock_gettime, ids[i], &a) == 0 &&
				       a.tv_nsec >= 0 &&
				       a.tv_nsec < 1000000000);
		snprintf(name, sizeof(name), "clock_getres_%d", ids[i]);
		LT_CHECK(name, syscall(SYS_clock_getres, ids[i], &r) == 0 &&
				       r.tv_sec == 0 && r.tv_nsec > 0 &&
				       r.tv_nsec <= 10 * MS);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 1000; i++) {
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
		mono_ok &= b.tv_sec > a.tv_sec ||
			   (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec);
		a = b;
	}
	LT_CHECK("monotonic_never_back", mono_ok);
	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_MONOTONIC, &a);
	LT_CHECK("boottime_not_behind_monotonic", b.tv_sec + 1 >= a.tv_sec);

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	for (int i = 0; i < 10000000; i++) {
		spin++;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	LT_CHECK("process_cputime_advances",
		 b.tv_sec > a.tv_sec ||
			 (b.tv_sec == a.tv_sec && b.tv_nsec > a.tv_nsec));

	LT_EXPECT("clock_getres_null", clock_getres(CLOCK_MONOTONIC, NULL), 0);
	LT_ERRNO("clock_getres_bad_clock", syscall(SYS_clock_getres, 1000, &r),
		 EINVAL);
	LT_ERRNO("clock_getres_bad_pointer",
		 syscall(SYS_clock_getres, CLOCK_MONOTONIC, LT_KERNEL_PTR),
		 EFAULT);
	LT_ERRNO("clock_settime_monotonic",
		 syscall(SYS_clock_settime, CLOCK_MONOTONIC, &a), EINVAL);

	LT_EXPECT("gettimeofday", gettimeofday(&tv, NULL), 0);
	clock_gettime(CLOCK_REALTIME, &a);
	LT_CHECK("gettimeofday_matches_realtime",
		 tv.tv_usec >= 0 && tv.tv_usec < 1000000 &&
			 tv.tv_sec <= a.tv_sec && tv.tv_sec + 2 >= a.tv_sec);
	LT_ERRNO("gettimeofday_bad_pointer",
		 syscall(SYS_gettimeofday, LT_KERNEL_PTR, NULL), EFAULT);
	t = time(NULL);
	LT_CHECK("time_matches_realtime", t >= a.tv_sec && t <= a.tv_sec + 2);
	LT_CHECK("time_raw", labs(syscall(SYS_time, NULL) - t) <= 1);
}

/* ---- futex ---- */

static long futex(int *uaddr, int op, int val, const struct timespec *ts,
		  int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static int fword; /* stays 0: a wait returns only when woken */
static volatile int arrived, woken;

static void *futex_waiter(void *arg)
{
	int bitset = (int)(long)arg;
	long r;

	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	do {
		r = bitset ? futex(&fword, LT_FUTEX_WAIT_BITSET, 0, NULL, NULL,
				   bitset)
			   : futex(&fword, LT_FUTEX_WAIT, 0, NULL, NULL, 0);
	} while (r != 0);
	__atomic_fetch_add(&woken, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Wakes one waiter on @word with @op and @bitset, trying until one is
 * there to wake; returns what the first wake that found one said. */
static long wake_one(int *word, int op, int bitset)
{
	long r = 0;

	for (int i = 0; i < 5000 && r == 0; i++) {
		r = futex(word, op, 1, NULL, NULL, bitset);
		if (r == 0) {
			lt_msleep(1);
		}
	}
	return r;
}

static void case_futex_raw(void)
{
	struct timespec ts = { 0, 20 * MS }, abs;
	int word = 1, *shared;
	int64_t t0;
	pthread_t th[2];
	pid_t pid;

	LT_ERRNO("futex_wait_value_changed",
		 futex(&word, LT_FUTEX_WAIT, 0, NULL, NULL, 0), EAGAIN);
	t0 = lt_now_ns();
	LT_ERRNO("futex_wait_timeout",
		 futex(&word, LT_FUTEX_WAIT, 1, &ts, NULL, 0), ETIMEDOUT);
	LT_CHECK("futex_timeout_not_early", lt_now_ns() - t0 >= 20 * MS);
	LT_ERRNO("futex_wait_private_timeout",
		 futex(&word, LT_FUTEX_WAIT | LT_FUTEX_PRIVATE, 1, &ts, NULL,
		       0),
		 ETIMEDOUT);
	LT_EXPECT("futex_wake_nobody",
		  futex(&word, LT_FUTEX_WAKE, 1, NULL, NULL, 0), 0);
	ts.tv_nsec = 1000000000;
	LT_ERRNO("futex_bad_timeout",
		 futex(&word, LT_FUTEX_WAIT, 1, &ts, NULL, 0), EINVAL);
	LT_ERRNO("futex_bad_address",
		 futex(LT_KERNEL_PTR, LT_FUTEX_WAIT, 1, NULL, NULL, 0), EFAULT);
	LT_ERRNO("futex_null_address",
		 futex(NULL, LT_FUTEX_WAIT, 1, NULL, NULL, 0), EFAULT);
	LT_ERRNO("futex_unaligned",
		 futex((int *)((char *)&word + 1), LT_FUTEX_WAIT, 1, NULL,
		       NULL, 0),
		 EINVAL);
	LT_ERRNO("futex_bad_op", futex(&word, 99, 1, NULL, NULL, 0), ENOSYS);
	LT_ERRNO("futex_bitset_zero",
		 futex(&word, LT_FUTEX_WAIT_BITSET, 1, NULL, NULL, 0), EINVAL);

	/* bitset waits take absolute times */
	clock_gettime(CLOCK_MONOTONIC, &abs);
	add_ms(&abs, 20);
	LT_ERRNO("futex_bitset_abs_monotonic",
		 futex(&word, LT_FUTEX_WAIT_BITSET, 1, &abs, NULL, -1),
		 ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	LT_CHECK("futex_abs_reached",
		 ts.tv_sec > abs.tv_sec ||
			 (ts.tv_sec == abs.tv_sec && ts.tv_nsec >= abs.tv_nsec));
	clock_gettime(CLOCK_REALTIME, &abs);
	add_ms(&abs, 20);
	LT_ERRNO("futex_bitset_abs_realtime",
		 futex(&word, LT_FUTEX_WAIT_BITSET | LT_FUTEX_CLOCK_REALTIME, 1,
		       &abs, NULL, -1),
		 ETIMEDOUT);

	/* two waiters, woken one at a time */
	arrived = woken = 0;
	pthread_create(&th[0], NULL, futex_waiter, NULL);
	pthread_create(&th[1], NULL, futex_waiter, NULL);
	while (arrived < 2) {
		lt_msleep(1);
	}
	LT_EXPECT("futex_wake_one", wake_one(&fword, LT_FUTEX_WAKE, 0), 1);
	LT_EXPECT("futex_wake_second", wake_one(&fword, LT_FUTEX_WAKE, 0), 1);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	LT_EXPECT("futex_both_woken", woken, 2);

	/* a bitset wake reaches only waiters with a common bit */
	arrived = woken = 0;
	pthread_create(&th[0], NULL, futex_waiter, (void *)1l);
	while (arrived < 1) {
		lt_msleep(1);
	}
	lt_msleep(20);
	LT_EXPECT("futex_wake_bitset_miss",
		  futex(&fword, LT_FUTEX_WAKE_BITSET, 1, NULL, NULL, 2), 0);
	LT_EXPECT("futex_wake_bitset_hit",
		  wake_one(&fword, LT_FUTEX_WAKE_BITSET, 1), 1);
	pthread_join(th[0], NULL);
	LT_EXPECT("futex_bitset_woken", woken, 1);

	/* shared memory: a futex between processes */
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared[0] = 0;
	pid = fork();
	if (pid == 0) {
		while (futex(&shared[0], LT_FUTEX_WAIT, 0, NULL, NULL, 0) != 0) {
		}
		_exit(0);
	}
	LT_EXPECT("futex_wake_other_process",
		  wake_one(&shared[0], LT_FUTEX_WAKE, 0), 1);
	LT_EXPECT("futex_shared_child_exit", lt_wait(pid), 0);
	LT_ERRNO("futex_private_not_across_processes",
		 futex(&shared[0], LT_FUTEX_WAIT, 1, NULL, NULL, 0), EAGAIN);

	/* a signal ends a wait */
	install(SIGALRM, 0);
	start_timer_ms(30);
	word = 0;
	LT_ERRNO("futex_wait_eintr",
		 futex(&word, LT_FUTEX_WAIT, 0, NULL, NULL, 0), EINTR);
}

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int turn, rounds_done;

static void *mutex_worker(void *arg)
{
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&mtx);
		counter++;
		pthread_mutex_unlock(&mtx);
	}
	return NULL;
}

static void *pong(void *arg)
{
	for (int i = 0; i < 300; i++) {
		pthread_mutex_lock(&mtx);
		while (turn != 1) {
			pthread_cond_wait(&cond, &mtx);
		}
		turn = 0;
		rounds_done++;
		pthread_cond_signal(&cond);
		pthread_mutex_unlock(&mtx);
	}
	return NULL;
}

static void case_futex_pthreads(void)
{
	pthread_t th[4];
	struct timespec abs;

	for (int i = 0; i < 4; i++) {
		pthread_create(&th[i], NULL, mutex_worker, NULL);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
	}
	LT_EXPECT("mutex_counter", counter, 4 * 5000);

	pthread_create(&th[0], NULL, pong, NULL);
	for (int i = 0; i < 300; i++) {
		pthread_mutex_lock(&mtx);
		turn = 1;
		pthread_cond_signal(&cond);
		while (turn != 0) {
			pthread_cond_wait(&cond, &mtx);
		}
		pthread_mutex_unlock(&mtx);
	}
	pthread_join(th[0], NULL);
	LT_EXPECT("cond_ping_pong", rounds_done, 300);

	clock_gettime(CLOCK_REALTIME, &abs);
	add_ms(&abs, 20);
	pthread_mutex_lock(&mtx);
	LT_EXPECT("cond_timedwait", pthread_cond_timedwait(&cond, &mtx, &abs),
		  ETIMEDOUT);
	pthread_mutex_unlock(&mtx);
}

/* ---- sched_yield, getrandom ---- */

static void case_yield_random(void)
{
	unsigned char a[32], b[32];
	static unsigned char big[1 << 20];
	bool nonzero = false;

	LT_EXPECT("sched_yield", sched_yield(), 0);
	LT_EXPECT("getrandom", getrandom(a, sizeof(a), 0), sizeof(a));
	LT_EXPECT("getrandom_again", getrandom(b, sizeof(b), GRND_NONBLOCK),
		  sizeof(b));
	for (size_t i = 0; i < sizeof(a); i++) {
		nonzero |= a[i] != 0;
	}
	LT_CHECK("getrandom_not_zero", nonzero);
	LT_CHECK("getrandom_differs", memcmp(a, b, sizeof(a)) != 0);
	LT_EXPECT("getrandom_zero_count", getrandom(a, 0, 0), 0);
	{
		ssize_t n = getrandom(big, sizeof(big), 0);

		LT_CHECK("getrandom_big", n >= 256 && n <= (ssize_t)sizeof(big));
	}
	LT_ERRNO("getrandom_bad_flags", getrandom(a, sizeof(a), 0x100), EINVAL);
	LT_ERRNO("getrandom_bad_buffer", getrandom(LT_KERNEL_PTR, 16, 0),
		 EFAULT);
}

int main(void)
{
	LT_CASE(case_poll);
	LT_CASE(case_ppoll);
	LT_CASE(case_select);
	LT_CASE(case_nanosleep);
	LT_CASE(case_clocks);
	LT_CASE(case_futex_raw);
	LT_CASE(case_futex_pthreads);
	LT_CASE(case_yield_random);
	return lt_done();
}
