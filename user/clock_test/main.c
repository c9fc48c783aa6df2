/*
 * In-guest tests of the shared clock page (SYS_CLOCK_PAGE,
 * abi/keel/clock.h) and rt_clock_ns(): the page is mapped once per
 * process, read-only (for the process and for the kernel's copies on its
 * behalf), carried into a process copy; the clock read from it agrees
 * with SYS_CLOCK_GET and never goes backwards, also across threads
 * pinned on different CPUs. KTEST lines.
 */
#include <keel/clock.h>
#include <keel/supervise.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>
#include <rt/sync.h>

#define PAGE 4096ul
#define STACK_SIZE (64 * 1024ul)
#define MAX_THREADS 16
#define ROUNDS 20000
#define MS 1000000ul

int main(void);

static uint64_t stacks;
static uint64_t page;

__asm__(".text\n"
	"thread_entry:\n"
	"	call thread_main\n"
	"	ud2\n");
void thread_entry(void);
void thread_main(uint64_t arg);

/* Per-CPU checker threads. */
static volatile uint64_t clock_max;
static volatile uint32_t checkers_done;
static volatile uint32_t backwards, disagreements, misplaced;

static void checker(unsigned cpu)
{
	if (rt_thread_affinity(0, 0, 1ul << cpu) != 0) {
		__atomic_fetch_add(&misplaced, 1, __ATOMIC_RELAXED);
	}
	for (int i = 0; i < ROUNDS; i++) {
		/* Whatever another CPU read before we load clock_max, our
		 * reading after it must not be earlier. */
		uint64_t seen = __atomic_load_n(&clock_max, __ATOMIC_ACQUIRE);
		uint64_t a, now = rt_clock_ns(), b;

		if (now < seen) {
			__atomic_fetch_add(&backwards, 1, __ATOMIC_RELAXED);
		}
		while (seen < now &&
		       !__atomic_compare_exchange_n(&clock_max, &seen, now,
						    false, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE)) {
		}
		if ((i & 63) == 0) {
			a = rt_clock_get();
			now = rt_clock_ns();
			b = rt_clock_get();
			if (now < a || now > b) {
				__atomic_fetch_add(&disagreements, 1,
						   __ATOMIC_RELAXED);
			}
		}
	}
	if (rt_cpu_current() != (int64_t)cpu) {
		__atomic_fetch_add(&misplaced, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&checkers_done, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&checkers_done, 1);
}

/* In a supervised copy: reads the clock through the page address this
 * program learnt before the fork, then writes to the page (a fault). */
struct copy_report {
	volatile uint64_t clock;
	volatile uint32_t read;
};
static struct copy_report *copy_report;

static void copy_reader(void)
{
	copy_report->clock = rt_clock_ns();
	__atomic_store_n(&copy_report->read, 1, __ATOMIC_RELEASE);
	*(volatile uint32_t *)page = 1; /* must fault */
}

void thread_main(uint64_t arg)
{
	if (arg == ~0ul) {
		copy_reader();
	} else {
		checker((unsigned)arg);
	}
	rt_thread_exit(0);
}

static unsigned count_cpus(void)
{
	unsigned n = 0;

	while (n < MAX_THREADS && rt_thread_affinity(0, 0, 1ul << n) == 0) {
		n++;
	}
	rt_thread_affinity(0, 0, (1ul << n) - 1);
	return n;
}

static void test_across_cpus(void)
{
	unsigned n = count_cpus();
	bool created = n > 0;

	for (unsigned i = 0; i < 2 * n; i++) { /* two per CPU */
		created &= rt_syscall6(SYS_THREAD_CREATE, 0,
				       (uint64_t)thread_entry,
				       stacks + (i + 1) * STACK_SIZE - 8, i % n,
				       0, 0) > 0;
	}
	ktest_check("clock/checkers_created", created, "refused");
	while (created && checkers_done < 2 * n) {
		uint32_t d = checkers_done;

		if (d < 2 * n && rt_futex_wait(&checkers_done, d, 20000 * MS) ==
					 -ERR_TIMED_OUT) {
			break;
		}
	}
	ktest_expect("clock/checkers_done", checkers_done, 2 * n);
	ktest_expect("clock/monotonic_across_cpus", backwards, 0);
	ktest_expect("clock/agrees_with_syscall_on_every_cpu", disagreements,
		     0);
	ktest_expect("clock/checkers_pinned", misplaced, 0);
}

static void test_copy(void)
{
	static struct supervise_event ev;
	struct rt_queue q;
	struct queue_cqe cqe;
	struct queue_sqe *sqe;
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, PAGE, 0);
	int64_t shared = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, PAGE, 0,
				     VM_READ | VM_WRITE);
	int64_t copy;
	uint64_t before, after;

	copy_report = (struct copy_report *)shared;
	copy = rt_syscall2(SYS_PROCESS_FORK, 0, PROCESS_SUPERVISED);
	if (rt_queue_create(&q, 2, 2) != ERR_OK || copy <= 0 || shared <= 0) {
		ktest_check("clock/copy_setup", false, "refused");
		return;
	}
	before = rt_clock_ns();
	ktest_check("clock/copy_thread",
		    rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy,
				(uint64_t)thread_entry, stacks + STACK_SIZE - 8,
				~0ul, 0, 0) > 0,
		    "refused");
	sqe = rt_queue_sqe(&q);
	sqe->op = QUEUE_OP_SUPERVISE;
	sqe->handle = (uint32_t)copy;
	sqe->arg[0] = (uint64_t)&ev;
	rt_queue_commit(&q);
	if (rt_queue_enter(&q, 1, 1, 10000 * MS) < 0 ||
	    !rt_queue_reap(&q, &cqe)) {
		cqe.result = -1;
	}
	after = rt_clock_ns();
	ktest_expect("clock/copy_event", cqe.result, 0);
	ktest_expect("clock/copy_read_the_clock", copy_report->read, 1);
	ktest_check("clock/copy_clock_in_range",
		    copy_report->clock >= before && copy_report->clock <= after,
		    "outside the time the copy ran");
	ktest_check("clock/write_to_page_faults",
		    ev.kind == SUPERVISE_EVENT_FAULT && ev.nr == 14 &&
			    ev.args[1] == page && (ev.args[0] & 2),
		    "no write fault at the page");
	rt_syscall2(SYS_PROCESS_KILL, (uint64_t)copy, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, q.handle, 0);
}

int main(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE,
				  MAX_THREADS * STACK_SIZE + STACK_SIZE, 0);
	const volatile struct clock_page *cp;
	uint64_t again, seq, ring;
	bool agree = true, forward = true;
	uint64_t last = 0;

	stacks = (uint64_t)rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0,
				       MAX_THREADS * STACK_SIZE + STACK_SIZE,
				       0, VM_READ | VM_WRITE);
	page = (uint64_t)rt_syscall2(SYS_CLOCK_PAGE, 0, 0);
	ktest_check("clock/page_mapped", (int64_t)page > 0 && !(page & 4095),
		    "no page");
	if ((int64_t)page <= 0) {
		return ktest_failures();
	}
	again = (uint64_t)rt_syscall2(SYS_CLOCK_PAGE, 0, 0);
	ktest_expect("clock/page_mapped_once", (int64_t)again, (int64_t)page);
	cp = (const volatile struct clock_page *)page;
	ktest_check("clock/page_has_tsc", cp->flags & CLOCK_PAGE_TSC,
		    "CLOCK_PAGE_TSC not set");
	ktest_check("clock/page_sequence_even", (cp->seq & 1) == 0 && cp->seq,
		    "odd or never written");
	ktest_check("clock/page_frequency", cp->tsc_hz > 1000000,
		    "no TSC frequency");
	for (int i = 0; i < 1000; i++) {
		uint64_t a = rt_clock_get();
		uint64_t b = rt_clock_ns();
		uint64_t c = rt_clock_get();

		agree &= a <= b && b <= c;
		forward &= b >= last;
		last = b;
	}
	ktest_check("clock/agrees_with_syscall", agree,
		    "a reading outside the system calls around it");
	ktest_check("clock/monotonic", forward, "went backwards");

	/* Read-only, also for the kernel's copies. */
	seq = cp->seq;
	ktest_expect("clock/kernel_copy_into_page",
		     rt_syscall6(SYS_VM_READ, 0, (uint64_t)&ring, page, 8, 0,
				 0),
		     -ERR_FAULT);
	ktest_expect("clock/kernel_write_into_page",
		     rt_syscall6(SYS_VM_WRITE, 0, page, (uint64_t)&ring, 8, 0,
				 0),
		     -ERR_FAULT);
	ktest_expect("clock/syscall_output_into_page",
		     rt_syscall6(SYS_QUEUE_CREATE, 1, 1, page, 0, 0, 0),
		     -ERR_FAULT);
	ktest_expect("clock/protect_writable",
		     rt_syscall6(SYS_VM_PROTECT, 0, page, PAGE,
				 VM_READ | VM_WRITE, 0, 0),
		     -ERR_ACCESS);
	ktest_expect("clock/page_unchanged", cp->seq, (int64_t)seq);
	ktest_expect("clock/read_from_page",
		     rt_syscall6(SYS_VM_READ, 0, page, (uint64_t)&ring, 8, 0, 0),
		     8);

	test_across_cpus();
	test_copy();

	/* Last (rt_clock_ns remembers the address): unmapped, it comes
	 * back with the next call. */
	ktest_expect("clock/unmap_page",
		     rt_syscall6(SYS_VM_UNMAP, 0, page, PAGE, 0, 0, 0), 0);
	again = (uint64_t)rt_syscall2(SYS_CLOCK_PAGE, 0, 0);
	ktest_check("clock/mapped_again",
		    (int64_t)again > 0 &&
			    ((const volatile struct clock_page *)again)->flags &
				    CLOCK_PAGE_TSC,
		    "not mapped again");
	rt_printf("clock_test: %d failed", ktest_failures());
	return ktest_failures();
}
