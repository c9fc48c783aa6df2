/*
 * In-guest tests of SYS_MEMORY_RESIZE: shrinking keeps the pages below
 * the new end and takes the others out of every mapping (ours, a second
 * one, and a process copy's, whose thread then faults there); growing
 * brings zero-filled pages back under the same mappings and lets larger
 * mappings in; resizes racing kernel copies into the object; hostile
 * handles and sizes. (DMA and device memory: hw_mem_test.) KTEST lines.
 */
#include <keel/handle.h>
#include <keel/supervise.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>
#include <rt/sync.h>

#define PAGE 4096ul
#define PAGES 8
#define STACK_SIZE (64 * 1024ul)
#define MS 1000000ul

int main(void);

static uint64_t stacks;
static uint64_t area;		/* the object mapped whole, PAGES pages */

__asm__(".text\n"
	"thread_entry:\n"
	"	call thread_main\n"
	"	ud2\n");
void thread_entry(void);
void thread_main(uint64_t arg);

static volatile uint64_t *word(unsigned page)
{
	return (volatile uint64_t *)(area + page * PAGE + 64);
}

/* Flags in page 0 of the object, which every resize here keeps. */
static volatile uint32_t *flag(unsigned i)
{
	return (volatile uint32_t *)(area + 8 * i);
}

static bool readable(uint64_t addr)
{
	uint64_t v;

	return rt_syscall6(SYS_VM_READ, 0, addr, (uint64_t)&v, 8, 0, 0) == 8;
}

/* The copy's thread: touches every page (its page tables then map them),
 * tells us, waits until we shrank the object, touches page 5 again. */
static void copy_toucher(void)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < PAGES; i++) {
		sum += *word(i);
	}
	*word(0) = sum;
	__atomic_store_n(flag(1), 1, __ATOMIC_RELEASE);
	rt_futex_wake(flag(1), 1);
	while (!__atomic_load_n(flag(2), __ATOMIC_ACQUIRE)) {
		rt_futex_wait(flag(2), 0, ~0ul);
	}
	sum = *word(5); /* past the end now: faults */
	*word(0) = sum;
}

/* Our own racer: kernel copies into page 5 while it comes and goes. */
static volatile uint32_t race_stop, race_done;
static volatile uint64_t race_ok, race_fault, race_other;

static void racer(void)
{
	uint64_t v = 0x5a5a;

	while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE)) {
		int64_t w = rt_syscall6(SYS_VM_WRITE, 0, (uint64_t)word(5),
					(uint64_t)&v, 8, 0, 0);
		int64_t r = rt_syscall6(SYS_VM_READ, 0, (uint64_t)word(6),
					(uint64_t)&v, 8, 0, 0);

		race_ok += (w == 8) + (r == 8);
		race_fault += (w == -ERR_FAULT) + (r == -ERR_FAULT);
		race_other += (w != 8 && w != -ERR_FAULT) +
			      (r != 8 && r != -ERR_FAULT);
	}
	__atomic_store_n(&race_done, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&race_done, 1);
}

void thread_main(uint64_t arg)
{
	if (arg == 1) {
		copy_toucher();
	} else {
		racer();
	}
	rt_thread_exit(0);
}

static int64_t next_event(struct rt_queue *q, uint64_t proc,
			  struct supervise_event *ev)
{
	struct queue_sqe *sqe = rt_queue_sqe(q);
	struct queue_cqe cqe;

	sqe->op = QUEUE_OP_SUPERVISE;
	sqe->handle = (uint32_t)proc;
	sqe->arg[0] = (uint64_t)ev;
	rt_queue_commit(q);
	if (rt_queue_enter(q, 1, 1, 10000 * MS) < 0 ||
	    !rt_queue_reap(q, &cqe)) {
		return -1;
	}
	return cqe.result;
}

static void wait_flag(volatile uint32_t *f)
{
	uint64_t t0 = rt_clock_ns();

	while (!__atomic_load_n(f, __ATOMIC_ACQUIRE) &&
	       rt_clock_ns() - t0 < 10000 * MS) {
		rt_futex_wait(f, 0, 100 * MS);
	}
}

static void test_hostile(int64_t mem)
{
	uint64_t ring;
	int64_t q = rt_syscall6(SYS_QUEUE_CREATE, 1, 1, (uint64_t)&ring, 0,
				0, 0);
	int64_t ro = rt_syscall2(SYS_HANDLE_DUPLICATE, (uint64_t)mem,
				 RIGHT_READ | RIGHT_MAP);

	ktest_expect("resize/bad_handle", rt_memory_resize(0, PAGE),
		     -ERR_BAD_HANDLE);
	ktest_expect("resize/huge_handle", rt_memory_resize(1ul << 35, PAGE),
		     -ERR_BAD_HANDLE);
	ktest_expect("resize/wrong_type", rt_memory_resize((uint64_t)q, PAGE),
		     -ERR_WRONG_TYPE);
	ktest_expect("resize/no_write_right",
		     rt_memory_resize((uint64_t)ro, PAGE), -ERR_ACCESS);
	ktest_expect("resize/zero", rt_memory_resize((uint64_t)mem, 0),
		     -ERR_INVALID);
	ktest_expect("resize/over_64_gib",
		     rt_memory_resize((uint64_t)mem, (64ul << 30) + PAGE),
		     -ERR_INVALID);
	ktest_expect("resize/all_ones", rt_memory_resize((uint64_t)mem, ~0ul),
		     -ERR_INVALID);
	ktest_expect("resize/same_size",
		     rt_memory_resize((uint64_t)mem, PAGES * PAGE), 0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)ro, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)q, 0);
}

int main(void)
{
	static struct supervise_event ev;
	int64_t smem = rt_syscall2(SYS_MEMORY_CREATE, STACK_SIZE, 0);
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, PAGES * PAGE, 0);
	int64_t second, copy, big, tid;
	struct rt_queue q;
	bool kept = true, zero = true;

	stacks = (uint64_t)rt_syscall6(SYS_VM_MAP, 0, (uint64_t)smem, 0,
				       STACK_SIZE, 0, VM_READ | VM_WRITE);
	area = (uint64_t)rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0,
				     PAGES * PAGE, 0, VM_READ | VM_WRITE);
	/* A second mapping of the upper half. */
	second = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 4 * PAGE, 4 * PAGE,
			     0, VM_READ);
	ktest_check("resize/setup",
		    (int64_t)stacks > 0 && (int64_t)area > 0 && second > 0 &&
			    rt_queue_create(&q, 2, 2) == ERR_OK,
		    "refused");
	for (unsigned i = 1; i < PAGES; i++) {
		*word(i) = 0x1000 + i;
	}
	test_hostile(mem);

	/* A supervised copy shares the object; its thread maps every page
	 * before the shrink. */
	copy = rt_syscall2(SYS_PROCESS_FORK, 0, PROCESS_SUPERVISED);
	tid = rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy,
			  (uint64_t)thread_entry, stacks + STACK_SIZE - 8, 1, 0,
			  0);
	ktest_check("resize/copy", copy > 0 && tid > 0, "refused");
	wait_flag(flag(1));
	ktest_expect("resize/copy_touched_all", *flag(1), 1);

	/* 3.5 pages: rounded up to 4. */
	ktest_expect("resize/shrink", rt_memory_resize((uint64_t)mem,
						       3 * PAGE + 100),
		     0);
	for (unsigned i = 1; i < 4; i++) {
		kept &= *word(i) == 0x1000 + i;
	}
	ktest_check("resize/shrink_keeps_lower_pages", kept, "data lost");
	ktest_check("resize/page_past_end_gone",
		    !readable((uint64_t)word(4)) && !readable((uint64_t)word(7)),
		    "still mapped");
	ktest_check("resize/second_mapping_gone", !readable((uint64_t)second),
		    "still mapped");
	ktest_check("resize/page_below_end_stays", readable((uint64_t)word(3)),
		    "lost");

	__atomic_store_n(flag(2), 1, __ATOMIC_RELEASE);
	rt_futex_wake(flag(2), 1);
	ktest_expect("resize/copy_event", next_event(&q, (uint64_t)copy, &ev),
		     0);
	ktest_check("resize/copy_faults_past_end",
		    ev.kind == SUPERVISE_EVENT_FAULT && ev.nr == 14 &&
			    ev.args[1] == (uint64_t)word(5),
		    "no page fault at the page past the end");
	rt_syscall2(SYS_PROCESS_KILL, (uint64_t)copy, 0);
	ktest_expect("resize/copy_exit", next_event(&q, (uint64_t)copy, &ev),
		     0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);

	/* Back to 8 pages: the same mappings, zero-filled pages. */
	ktest_expect("resize/grow", rt_memory_resize((uint64_t)mem,
						     PAGES * PAGE),
		     0);
	for (unsigned i = 4; i < PAGES; i++) {
		zero &= *word(i) == 0;
	}
	ktest_check("resize/grown_pages_are_zero", zero, "old data came back");
	ktest_expect("resize/second_mapping_back",
		     (int64_t)*(volatile uint64_t *)(second + 64), 0);
	*word(7) = 77;
	ktest_expect("resize/grown_page_writable", (int64_t)*word(7), 77);
	ktest_expect("resize/grown_page_shared",
		     (int64_t)*(volatile uint64_t *)(second + 3 * PAGE + 64),
		     77);
	ktest_expect("resize/map_past_end",
		     rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0,
				 2 * PAGES * PAGE, 0, VM_READ),
		     -ERR_RANGE);
	ktest_expect("resize/grow_more",
		     rt_memory_resize((uint64_t)mem, 2 * PAGES * PAGE), 0);
	big = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, 2 * PAGES * PAGE,
			  0, VM_READ | VM_WRITE);
	ktest_check("resize/map_grown", big > 0, "refused");
	if (big > 0) {
		*(volatile uint64_t *)(big + (2 * PAGES - 1) * PAGE) = 99;
		ktest_expect("resize/last_grown_page",
			     (int64_t)*(volatile uint64_t *)(big + (2 * PAGES -
								    1) * PAGE),
			     99);
		ktest_expect("resize/old_pages_through_big_mapping",
			     (int64_t)*(volatile uint64_t *)(big + 7 * PAGE + 64),
			     77);
		rt_syscall6(SYS_VM_UNMAP, 0, (uint64_t)big, 2 * PAGES * PAGE, 0,
			    0, 0);
	}

	/* Kernel copies into pages that come and go. */
	ktest_check("resize/racer",
		    rt_syscall6(SYS_THREAD_CREATE, 0, (uint64_t)thread_entry,
				stacks + STACK_SIZE - 8, 2, 0, 0) > 0,
		    "refused");
	bool resized = true;
	for (int i = 0; i < 200; i++) {
		resized &= rt_memory_resize((uint64_t)mem, 5 * PAGE) == 0 &&
			   rt_memory_resize((uint64_t)mem, PAGES * PAGE) == 0;
		if ((i & 15) == 0) {
			rt_yield();
		}
	}
	__atomic_store_n(&race_stop, 1, __ATOMIC_RELEASE);
	wait_flag(&race_done);
	ktest_check("resize/racing_resizes", resized, "a resize failed");
	ktest_expect("resize/racer_done", race_done, 1);
	ktest_expect("resize/racing_copies_clean", (int64_t)race_other, 0);
	ktest_check("resize/racing_copies_ran", race_ok + race_fault > 0,
		    "no copy ran");
	ktest_expect("resize/close", rt_syscall2(SYS_HANDLE_CLOSE,
						 (uint64_t)mem, 0),
		     0);
	ktest_expect("resize/mapping_outlives_handle", (int64_t)*word(3),
		     0x1003);
	rt_printf("resize_test: %d failed (racer: %lu copies, %lu faults)",
		  ktest_failures(), race_ok, race_fault);
	return ktest_failures();
}
