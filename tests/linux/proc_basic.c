/*
 * Process identity and system information: pids and tids, uname, user
 * ids, set_tid_address, sysinfo, resource limits, clocks; with bad
 * pointers and bad arguments.
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>

#include "lt.h"

static void test_ids(void)
{
	pid_t pid = getpid();
	int tid_word;

	LT_CHECK("getpid_positive", pid > 0);
	LT_EXPECT("getpid_raw_same", syscall(SYS_getpid), pid);
	LT_EXPECT("gettid_is_pid_single_thread", syscall(SYS_gettid), pid);
	LT_CHECK("getppid_other", getppid() > 0 && getppid() != pid);
	LT_EXPECT("set_tid_address_returns_tid",
		  syscall(SYS_set_tid_address, &tid_word), pid);
	LT_EXPECT("geteuid_is_uid", geteuid(), getuid());
	LT_EXPECT("getegid_is_gid", getegid(), getgid());
}

static void test_uname(void)
{
	struct utsname u;

	LT_EXPECT("uname", uname(&u), 0);
	LT_CHECK("uname_sysname", strcmp(u.sysname, "Linux") == 0);
	LT_CHECK("uname_machine", strcmp(u.machine, "x86_64") == 0);
	LT_CHECK("uname_release", u.release[0] >= '1' && u.release[0] <= '9');
	LT_CHECK("uname_nodename", u.nodename[0] != 0);
	LT_ERRNO("uname_null", syscall(SYS_uname, NULL), EFAULT);
	LT_ERRNO("uname_kernel_ptr", syscall(SYS_uname, LT_KERNEL_PTR),
		 EFAULT);
}

static void test_sysinfo_and_limits(void)
{
	struct sysinfo si;
	struct rlimit rl;

	LT_EXPECT("sysinfo", sysinfo(&si), 0);
	LT_CHECK("sysinfo_totalram", si.totalram > 0 && si.mem_unit >= 1);
	LT_CHECK("sysinfo_freeram", si.freeram <= si.totalram);
	LT_CHECK("sysinfo_procs", si.procs >= 1);
	LT_ERRNO("sysinfo_null", syscall(SYS_sysinfo, NULL), EFAULT);

	LT_EXPECT("getrlimit_nofile", getrlimit(RLIMIT_NOFILE, &rl), 0);
	LT_CHECK("rlimit_nofile_sane",
		 rl.rlim_cur >= 3 && rl.rlim_cur <= rl.rlim_max);
	LT_EXPECT("getrlimit_stack", getrlimit(RLIMIT_STACK, &rl), 0);
	LT_CHECK("rlimit_stack_sane", rl.rlim_cur >= 64 * 1024);
	LT_ERRNO("getrlimit_bad_resource",
		 syscall(SYS_getrlimit, 1000, &rl), EINVAL);
	LT_ERRNO("getrlimit_null", syscall(SYS_getrlimit, RLIMIT_NOFILE, NULL),
		 EFAULT);
}

static void test_clocks(void)
{
	struct timespec a, b, r;

	LT_EXPECT("clock_monotonic", clock_gettime(CLOCK_MONOTONIC, &a), 0);
	LT_EXPECT("clock_monotonic_again",
		  clock_gettime(CLOCK_MONOTONIC, &b), 0);
	LT_CHECK("clock_monotonic_not_back",
		 b.tv_sec > a.tv_sec ||
			 (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
	LT_CHECK("clock_nsec_in_range", a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
	LT_EXPECT("clock_realtime", clock_gettime(CLOCK_REALTIME, &a), 0);
	LT_CHECK("clock_realtime_after_2020", a.tv_sec > 1577836800);
	LT_EXPECT("clock_getres", clock_getres(CLOCK_MONOTONIC, &r), 0);
	LT_CHECK("clock_getres_sane",
		 r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000);
	/* Raw calls: libc's may go through the vDSO, which faults in user
	 * space on a bad pointer instead of returning EFAULT. */
	LT_ERRNO("clock_bad_id", syscall(SYS_clock_gettime, 1000, &a), EINVAL);
	LT_ERRNO("clock_null", syscall(SYS_clock_gettime, CLOCK_MONOTONIC,
				       NULL),
		 EFAULT);
	LT_ERRNO("clock_kernel_ptr",
		 syscall(SYS_clock_gettime, CLOCK_MONOTONIC, LT_KERNEL_PTR),
		 EFAULT);
}

int main(void)
{
	test_ids();
	test_uname();
	test_sysinfo_and_limits();
	test_clocks();
	return lt_done();
}
