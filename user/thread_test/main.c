/*
 * In-guest tests of threads and futexes: threads created in the
 * program's own process share its memory and contend on a futex mutex;
 * futex waits time out, see changed values, and refuse bad addresses.
 * KTEST lines.
 */
#include <rt/ktest.h>
#include <rt/rt.h>
#include <rt/sync.h>

#define THREADS 4
#define ROUNDS 20000
#define STACK_SIZE (64 * 1024)
#define MS 1000000ul

int main(void);

static struct rt_mutex lock;
static volatile uint64_t counter;
static volatile uint32_t finished;
static volatile uint32_t gate;

static void worker(uint64_t id)
{
	/* Everybody starts together, once the gate opens. */
	while (__atomic_load_n(&gate, __ATOMIC_ACQUIRE) == 0) {
		rt_futex_wait(&gate, 0, ~0ul);
	}
	for (int i = 0; i < ROUNDS; i++) {
		rt_mutex_lock(&lock);
		counter = counter + 1; /* not atomic: the mutex protects it */
		rt_mutex_unlock(&lock);
	}
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&finished, 1);
	rt_thread_exit((int)id);
}

/* Threads start here: rdi = id, rsp = the top of their stack minus 8. */
__asm__(".text\n"
	"worker_entry:\n"
	"	call worker_trampoline\n"
	"	ud2\n");
void worker_entry(void);
void worker_trampoline(uint64_t id);
void worker_trampoline(uint64_t id)
{
	worker(id);
}

int main(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, THREADS * STACK_SIZE, 0);
	int64_t stacks = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0,
				     THREADS * STACK_SIZE, 0,
				     VM_READ | VM_WRITE);
	volatile uint32_t word = 5;
	bool created = true;

	for (uint64_t i = 0; i < THREADS; i++) {
		uint64_t top = (uint64_t)stacks + (i + 1) * STACK_SIZE - 8;

		created &= rt_syscall6(SYS_THREAD_CREATE, 0,
				       (uint64_t)worker_entry, top, i, 0, 0) > 0;
	}
	ktest_check("thread/create", stacks > 0 && created, "create failed");
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&gate, THREADS);
	for (;;) {
		uint32_t f = __atomic_load_n(&finished, __ATOMIC_ACQUIRE);

		if (f == THREADS) {
			break;
		}
		if (rt_futex_wait(&finished, f, 10000 * MS) ==
		    -(int64_t)ERR_TIMED_OUT) {
			break;
		}
	}
	ktest_expect("thread/all_finished", finished, THREADS);
	ktest_expect("thread/mutex_counter", (int64_t)counter,
		     (int64_t)THREADS * ROUNDS);

	ktest_expect("futex/value_differs", rt_futex_wait(&word, 6, ~0ul),
		     -ERR_WOULD_BLOCK);
	uint64_t t0 = rt_clock_ns();
	ktest_expect("futex/times_out", rt_futex_wait(&word, 5, 20 * MS),
		     -ERR_TIMED_OUT);
	ktest_check("futex/waited_long_enough", rt_clock_ns() - t0 >= 20 * MS,
		    "returned early");
	ktest_expect("futex/wake_nobody", rt_futex_wake(&word, 10), 0);
	ktest_expect("futex/unaligned",
		     rt_futex_wait((volatile uint32_t *)((uint64_t)&word + 1),
				   0, 0),
		     -ERR_INVALID);
	ktest_expect("futex/unmapped",
		     rt_futex_wait((volatile uint32_t *)0x30000000ul, 0, 0),
		     -ERR_FAULT);
	ktest_expect("futex/kernel_address",
		     rt_futex_wait((volatile uint32_t *)0xffffffff80100000ul,
				   0, 0),
		     -ERR_FAULT);
	ktest_expect("futex/wake_unmapped",
		     rt_futex_wake((volatile uint32_t *)0x30000000ul, 1),
		     -ERR_FAULT);
	ktest_expect("thread/create_kernel_rip",
		     rt_syscall6(SYS_THREAD_CREATE, 0, 0xffffffff80100000ul,
				 (uint64_t)stacks + STACK_SIZE, 0, 0, 0),
		     -ERR_INVALID);
	ktest_expect("thread/create_bad_process",
		     rt_syscall6(SYS_THREAD_CREATE, 0x555, (uint64_t)worker_entry,
				 (uint64_t)stacks + STACK_SIZE, 0, 0, 0),
		     -ERR_BAD_HANDLE);
	rt_printf("thread_test: %d failed", ktest_failures());
	return ktest_failures();
}
