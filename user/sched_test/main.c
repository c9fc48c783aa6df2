/*
 * In-guest tests of thread priority and CPU affinity
 * (SYS_THREAD_PRIORITY, SYS_THREAD_AFFINITY): a pinned thread runs only
 * on its CPU (rdtscp reports where, abi/keel/clock.h), another thread's
 * new mask moves it, a thread not started yet starts where it is told;
 * a higher priority thread keeps a lower one off a shared CPU, also
 * after its priority was lowered while ready; hostile arguments get
 * clean errors. Runs with any number of CPUs. KTEST lines.
 */
#include <base/fmt.h>
#include <keel/handle.h>
#include <rt/ktest.h>
#include <rt/rt.h>
#include <rt/sync.h>

#define STACK_SIZE (64 * 1024ul)
#define STACKS 8
#define MS 1000000ul
#define SPIN_LIMIT (5000 * MS) /* how long to wait for another thread */

int main(void);

static uint64_t stacks;
static unsigned next_stack;
static unsigned ncpus;

/* Threads start in thread_main(fn): rdi = the function to run. */
__asm__(".text\n"
	"thread_entry:\n"
	"	call thread_main\n"
	"	ud2\n");
void thread_entry(void);
void thread_main(uint64_t fn);
void thread_main(uint64_t fn)
{
	((void (*)(void))fn)();
	rt_thread_exit(0);
}

/* Creates a thread of process @proc (0: ours) running @fn. */
static int64_t spawn(uint64_t proc, void (*fn)(void), uint64_t flags)
{
	uint64_t top = stacks + (next_stack++ % STACKS + 1) * STACK_SIZE - 8;

	return rt_syscall6(SYS_THREAD_CREATE, proc, (uint64_t)thread_entry,
			   top, (uint64_t)fn, flags, 0);
}

static bool timed_out(uint64_t t0)
{
	return rt_clock_ns() - t0 > SPIN_LIMIT;
}

static uint64_t all_cpus(void)
{
	return ncpus >= 64 ? ~0ul : (1ul << ncpus) - 1;
}

/* CPUs are numbered densely from 0: the first mask refused ends them. */
static void count_cpus(void)
{
	while (ncpus < 64 && rt_thread_affinity(0, 0, 1ul << ncpus) == 0) {
		ncpus++;
	}
	rt_thread_affinity(0, 0, all_cpus());
	rt_printf("sched_test: %u CPUs", ncpus);
}

static void test_self_pinning(void)
{
	bool ok = true;
	char why[64] = "";

	for (unsigned cpu = 0; cpu < ncpus; cpu++) {
		if (rt_thread_affinity(0, 0, 1ul << cpu) != 0) {
			ok = false;
			fmt_snprintf(why, sizeof(why), "pin to %u refused", cpu);
			break;
		}
		for (int i = 0; i < 50 && ok; i++) {
			int64_t now = rt_cpu_current();

			if (now != (int64_t)cpu) {
				ok = false;
				fmt_snprintf(why, sizeof(why),
					     "pinned to %u, ran on %ld", cpu,
					     now);
			}
			rt_yield();
		}
	}
	rt_thread_affinity(0, 0, all_cpus());
	ktest_check("affinity/self_runs_on_each_cpu", ok, why);
}

/* A worker that keeps reporting its CPU. */
static volatile int64_t w_cpu = -1;
static volatile uint64_t w_rounds;
static volatile uint32_t w_stop, w_done;

static void reporter(void)
{
	while (!__atomic_load_n(&w_stop, __ATOMIC_ACQUIRE)) {
		w_cpu = rt_cpu_current();
		__atomic_fetch_add(&w_rounds, 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&w_done, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&w_done, 1);
}

static void wait_flag(volatile uint32_t *flag)
{
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (rt_futex_wait(flag, 0, SPIN_LIMIT) == -ERR_TIMED_OUT) {
			break;
		}
	}
}

static void test_other_thread_moves(void)
{
	int64_t tid = spawn(0, reporter, 0);
	bool ok = tid > 0;
	char why[80] = "create failed";

	/* Down from the last CPU, so that each move is a real one. */
	for (unsigned k = ncpus; ok && k-- > 0;) {
		uint64_t t0 = rt_clock_ns();
		int stable = 0;

		if (rt_thread_affinity(0, (uint64_t)tid, 1ul << k) != 0) {
			ok = false;
			fmt_snprintf(why, sizeof(why), "move to %u refused", k);
			break;
		}
		/* It moves before it next runs user code: once it reports
		 * k, every later report must be k too. */
		while (ok && stable < 20) {
			int64_t c = w_cpu;

			if (c == (int64_t)k) {
				stable++;
			} else if (stable > 0) {
				ok = false;
				fmt_snprintf(why, sizeof(why),
					     "moved to %u, then reported %ld",
					     k, c);
			} else if (timed_out(t0)) {
				ok = false;
				fmt_snprintf(why, sizeof(why),
					     "never reached cpu %u (on %ld)", k,
					     c);
			}
			rt_yield();
		}
	}
	__atomic_store_n(&w_stop, 1, __ATOMIC_RELEASE);
	wait_flag(&w_done);
	ktest_check("affinity/other_thread_moves", ok, why);
	ktest_expect("affinity/reporter_ended", w_done, 1);
}

/* Threads of a process copy, created suspended, pinned, then started. */
struct start_report {
	volatile int64_t cpu[64];
	volatile uint32_t count;
};
static struct start_report *report;
static volatile uint32_t start_index;

static void report_start_cpu(void)
{
	uint32_t me = __atomic_fetch_add(&start_index, 1, __ATOMIC_ACQ_REL);

	/* Each thread was pinned to CPU (its index): report where it ran. */
	report->cpu[me] = rt_cpu_current();
	__atomic_fetch_add(&report->count, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&report->count, 1);
}

static void test_unstarted_thread_placed(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, 4096, 0);
	int64_t addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, 4096, 0,
				   VM_READ | VM_WRITE);
	int64_t copy, tids[64];
	bool ok = true;
	char why[80] = "";

	report = (struct start_report *)addr;
	/* The copy shares the report page and sees our clock page. */
	copy = rt_syscall2(SYS_PROCESS_FORK, 0, 0);
	ktest_check("affinity/fork_copy", copy > 0 && addr > 0, "refused");
	if (copy <= 0 || addr <= 0) {
		return;
	}
	for (unsigned k = 0; k < ncpus; k++) {
		tids[k] = spawn((uint64_t)copy, report_start_cpu,
				THREAD_CREATE_SUSPENDED);
		ok &= tids[k] > 0;
	}
	ktest_check("affinity/create_suspended", ok, "refused");
	/* Started one at a time, so that start order = index order. */
	for (unsigned k = 0; ok && k < ncpus; k++) {
		uint64_t t0 = rt_clock_ns();

		ok = rt_thread_affinity((uint64_t)copy, (uint64_t)tids[k],
					1ul << (ncpus - 1 - k)) == 0 &&
		     rt_syscall6(SYS_THREAD_START, (uint64_t)copy,
				 (uint64_t)tids[k], (uint64_t)report_start_cpu,
				 0, 0, 0) == 0;
		while (ok && report->count <= k) {
			if (timed_out(t0)) {
				ok = false;
				break;
			}
			rt_futex_wait(&report->count, k, 100 * MS);
		}
		if (ok && report->cpu[k] != (int64_t)(ncpus - 1 - k)) {
			ok = false;
			fmt_snprintf(why, sizeof(why),
				     "pinned to %u before the start, ran on %ld",
				     ncpus - 1 - k, report->cpu[k]);
		} else if (!ok && !why[0]) {
			fmt_snprintf(why, sizeof(why), "thread %u did not run",
				     k);
		}
	}
	ktest_check("affinity/unstarted_thread_starts_there", ok, why);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);
}

/* Threads of a process copy, pinned across every CPU, all ending at
 * once, round after round: the last one tears the address space down
 * while the others are still on their way out (once a crash: they ran
 * on page tables already freed). */
static volatile uint32_t *exit_gate;

static void exit_together(void)
{
	while (!__atomic_load_n(exit_gate, __ATOMIC_ACQUIRE)) {
		rt_futex_wait(exit_gate, 0, 100 * MS);
	}
	__atomic_fetch_add(exit_gate + 1, 1, __ATOMIC_RELEASE);
}

static void test_threads_end_together(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, 4096, 0);
	int64_t addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, 4096, 0,
				   VM_READ | VM_WRITE);
	/* Half the stacks per round: the other half may still be left by
	 * the threads of the round before. */
	unsigned per_round = ncpus * 2 > STACKS / 2 ? STACKS / 2 : ncpus * 2;
	bool ok = addr > 0;

	exit_gate = (volatile uint32_t *)addr;
	for (int round = 0; ok && round < 8; round++) {
		int64_t copy = rt_syscall2(SYS_PROCESS_FORK, 0, 0);

		uint64_t t0 = rt_clock_ns();

		exit_gate[0] = 0;
		exit_gate[1] = 0;
		next_stack = (unsigned)round % 2 * (STACKS / 2);
		ok = copy > 0;
		for (unsigned i = 0; ok && i < per_round; i++) {
			int64_t tid = spawn((uint64_t)copy, exit_together,
					    THREAD_CREATE_SUSPENDED);

			ok = tid > 0 &&
			     rt_thread_affinity((uint64_t)copy, (uint64_t)tid,
						1ul << (i % ncpus)) == 0 &&
			     rt_syscall6(SYS_THREAD_START, (uint64_t)copy,
					 (uint64_t)tid, (uint64_t)exit_together,
					 0, 0, 0) == 0;
		}
		rt_yield();
		__atomic_store_n(exit_gate, 1, __ATOMIC_RELEASE);
		rt_futex_wake(exit_gate, per_round);
		rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);
		while (ok && exit_gate[1] < per_round) {
			ok = !timed_out(t0);
			rt_yield();
		}
	}
	ktest_check("exit/threads_end_together_on_all_cpus", ok, "refused");
}

static void test_affinity_hostile(void)
{
	uint64_t ring;
	int64_t q = rt_syscall6(SYS_QUEUE_CREATE, 1, 1, (uint64_t)&ring, 0,
				0, 0);
	int64_t copy = rt_syscall2(SYS_PROCESS_FORK, 0, 0);
	int64_t weak = rt_syscall2(SYS_HANDLE_DUPLICATE, (uint64_t)copy,
				   RIGHT_READ);

	ktest_expect("affinity/empty_mask", rt_thread_affinity(0, 0, 0),
		     -ERR_INVALID);
	ktest_expect("affinity/cpu_that_does_not_exist",
		     rt_thread_affinity(0, 0, 1ul << ncpus), -ERR_INVALID);
	ktest_expect("affinity/some_cpus_do_not_exist",
		     rt_thread_affinity(0, 0, all_cpus() | (1ul << 63)),
		     -ERR_INVALID);
	ktest_expect("affinity/all_bits", rt_thread_affinity(0, 0, ~0ul),
		     ncpus == 64 ? 0 : -ERR_INVALID);
	ktest_expect("affinity/bad_handle",
		     rt_thread_affinity(0x7777, 1, 1), -ERR_BAD_HANDLE);
	ktest_expect("affinity/huge_handle",
		     rt_thread_affinity(1ul << 40, 1, 1), -ERR_BAD_HANDLE);
	ktest_expect("affinity/wrong_type", rt_thread_affinity((uint64_t)q, 1, 1),
		     -ERR_WRONG_TYPE);
	ktest_expect("affinity/no_supervise_right",
		     rt_thread_affinity((uint64_t)weak, 1, 1), -ERR_ACCESS);
	ktest_expect("affinity/no_such_thread",
		     rt_thread_affinity(0, 0x7fffffff, 1), -ERR_NOT_FOUND);
	ktest_expect("affinity/thread_of_empty_copy",
		     rt_thread_affinity((uint64_t)copy, 1, 1), -ERR_NOT_FOUND);
	ktest_expect("affinity/caller_of_other_process",
		     rt_thread_affinity((uint64_t)copy, 0, 1), -ERR_INVALID);
	ktest_expect("affinity/back_to_all", rt_thread_affinity(0, 0, all_cpus()),
		     0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)weak, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)q, 0);
}

static void test_priority_hostile(void)
{
	int64_t copy = rt_syscall2(SYS_PROCESS_FORK, 0, 0);

	ktest_expect("priority/zero_is_idle", rt_thread_priority(0, 0, 0),
		     -ERR_INVALID);
	ktest_expect("priority/above_user_range",
		     rt_thread_priority(0, 0, THREAD_PRIORITY_MAX + 1),
		     -ERR_INVALID);
	ktest_expect("priority/huge", rt_thread_priority(0, 0, ~0u),
		     -ERR_INVALID);
	ktest_expect("priority/above_default_needs_hw_right",
		     rt_thread_priority(0, 0, THREAD_PRIORITY_DEFAULT + 1),
		     -ERR_ACCESS);
	ktest_expect("priority/bad_handle", rt_thread_priority(0x7777, 1, 8),
		     -ERR_BAD_HANDLE);
	ktest_expect("priority/no_such_thread",
		     rt_thread_priority(0, 0x7fffffff, 8), -ERR_NOT_FOUND);
	ktest_expect("priority/caller_of_other_process",
		     rt_thread_priority((uint64_t)copy, 0, 8), -ERR_INVALID);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);
	ktest_expect("priority/returns_previous", rt_thread_priority(0, 0, 9),
		     THREAD_PRIORITY_DEFAULT);
	ktest_expect("priority/returns_previous_again",
		     rt_thread_priority(0, 0, THREAD_PRIORITY_DEFAULT), 9);
}

/* priority/higher_runs_first: we spin at a low priority on CPU 0; a
 * default-priority thread that joins us there must never let us run
 * while it yields the CPU again and again. */
static volatile uint64_t low_counter;
static volatile uint32_t high_done;
static volatile uint64_t high_saw;

static void high_thread(void)
{
	uint64_t before;

	rt_thread_affinity(0, 0, 1); /* onto the low thread's CPU */
	before = low_counter;
	for (int i = 0; i < 300; i++) {
		rt_yield();
	}
	high_saw = low_counter - before;
	__atomic_store_n(&high_done, 1, __ATOMIC_RELEASE);
}

static void test_higher_runs_first(void)
{
	uint64_t t0 = rt_clock_ns();
	bool finished = true;

	rt_thread_affinity(0, 0, 1);
	rt_thread_priority(0, 0, 4);
	ktest_check("priority/create_high", spawn(0, high_thread, 0) > 0,
		    "refused");
	while (!__atomic_load_n(&high_done, __ATOMIC_ACQUIRE)) {
		low_counter = low_counter + 1;
		if ((low_counter & 0xfff) == 0 && timed_out(t0)) {
			finished = false;
			break;
		}
	}
	rt_thread_priority(0, 0, THREAD_PRIORITY_DEFAULT);
	rt_thread_affinity(0, 0, all_cpus());
	ktest_check("priority/high_thread_ran", finished, "never finished");
	ktest_expect("priority/higher_runs_first", (int64_t)high_saw, 0);
}

/* priority/lowered_while_ready: a thread that shares our CPU at our
 * priority gets none of it once we lower its priority. */
static volatile uint64_t lowered_counter;
static volatile int64_t lowered_cpu = -1;
static volatile uint32_t lowered_stop, lowered_done;

static void lowered_thread(void)
{
	rt_thread_affinity(0, 0, 1);
	while (!__atomic_load_n(&lowered_stop, __ATOMIC_ACQUIRE)) {
		lowered_cpu = rt_cpu_current();
		lowered_counter = lowered_counter + 1;
	}
	__atomic_store_n(&lowered_done, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&lowered_done, 1);
}

static void test_lowered_while_ready(void)
{
	int64_t tid;
	uint64_t before, t0 = rt_clock_ns();
	bool there = true;

	rt_thread_affinity(0, 0, 1);
	tid = spawn(0, lowered_thread, 0);
	while (lowered_cpu != 0 || lowered_counter < 1000) {
		if (timed_out(t0)) {
			there = false;
			break;
		}
		rt_yield();
	}
	ktest_check("priority/other_thread_on_cpu0", tid > 0 && there,
		    "never ran on cpu 0");
	ktest_expect("priority/set_other_thread",
		     rt_thread_priority(0, (uint64_t)tid, 4),
		     THREAD_PRIORITY_DEFAULT);
	/* From here it is ready (or preempted) on our CPU below us. */
	rt_yield();
	before = lowered_counter;
	for (int i = 0; i < 300; i++) {
		rt_yield();
	}
	ktest_expect("priority/lowered_thread_gets_no_cpu",
		     (int64_t)(lowered_counter - before), 0);
	__atomic_store_n(&lowered_stop, 1, __ATOMIC_RELEASE);
	wait_flag(&lowered_done); /* we sleep: now it runs and ends */
	ktest_expect("priority/lowered_thread_ended", lowered_done, 1);
	rt_thread_affinity(0, 0, all_cpus());
}

int main(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, STACKS * STACK_SIZE, 0);

	stacks = (uint64_t)rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0,
				       STACKS * STACK_SIZE, 0,
				       VM_READ | VM_WRITE);
	ktest_check("sched/stacks", (int64_t)stacks > 0, "no memory");
	ktest_check("sched/cpu_number_available", rt_cpu_current() >= 0,
		    "rdtscp not usable");
	count_cpus();
	ktest_check("affinity/cpu0_exists", ncpus >= 1, "cannot pin to cpu 0");
	test_self_pinning();
	test_other_thread_moves();
	test_unstarted_thread_placed();
	test_threads_end_together();
	test_affinity_hostile();
	test_priority_hostile();
	test_higher_runs_first();
	test_lowered_while_ready();
	rt_printf("sched_test: %d failed", ktest_failures());
	return ktest_failures();
}
