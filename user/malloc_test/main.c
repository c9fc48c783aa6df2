/*
 * In-guest tests of lib/rt's malloc over the kernel's memory objects:
 * many blocks of every size written and checked, realloc keeping
 * contents, calloc zeroing, alignment, large blocks unmapped on free,
 * huge and overflowing requests refused, several threads allocating at
 * once (the mutex), and bad frees ending the process: a supervised copy
 * of this process frees a bad pointer and must stop on the abort's
 * invalid-opcode fault. KTEST lines.
 */
#include <keel/supervise.h>
#include <rt/ktest.h>
#include <rt/malloc.h>
#include <rt/queue.h>
#include <rt/rt.h>
#include <rt/sync.h>

#include <base/string.h>

#define MS 1000000ul
#define PAGE 4096ul
#define SLOTS 2000
#define THREADS 4
#define THREAD_SLOTS 200
#define THREAD_ROUNDS 3000
#define THREAD_LARGE_PERMILLE 2
#define STACK_SIZE (64 * 1024)

int main(void);

static uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 2685821657736338717ull;
}

struct block {
	uint8_t *p;
	size_t size;
	uint8_t seed;
};

static uint8_t pattern(uint8_t seed, size_t i)
{
	return (uint8_t)(seed + i * 131 + (i >> 8));
}

static void fill(struct block *b, size_t from)
{
	for (size_t i = from; i < b->size; i++) {
		b->p[i] = pattern(b->seed, i);
	}
}

static bool intact(const struct block *b, size_t upto)
{
	for (size_t i = 0; i < upto; i++) {
		if (b->p[i] != pattern(b->seed, i)) {
			return false;
		}
	}
	return true;
}

/* Mostly small sizes; large ones (a mapping each) @large_permille. */
static size_t random_size(uint64_t *rng, unsigned large_permille)
{
	uint64_t r = rng_next(rng) % 1000;

	if (r < large_permille) {
		return rng_next(rng) % (256 * 1024);
	}
	if (r < 700) {
		return rng_next(rng) % 200;
	}
	return rng_next(rng) % 8193;
}

/* Runs @rounds random operations on @n slots; returns the number of
 * problems seen (bad contents, NULL, misalignment, non-zero calloc). */
static unsigned churn(struct block *slots, unsigned n, unsigned rounds,
		      uint64_t seed, unsigned large_permille)
{
	uint64_t rng = seed;
	unsigned bad = 0;

	for (unsigned r = 0; r < rounds; r++) {
		struct block *b = &slots[rng_next(&rng) % n];
		uint64_t kind = rng_next(&rng) % 8;

		if (b->p && kind < 3) {
			bad += !intact(b, b->size);
			free(b->p);
			b->p = NULL;
		} else if (b->p) {
			size_t size = random_size(&rng, large_permille);
			size_t keep = size < b->size ? size : b->size;
			uint8_t *q = realloc(b->p, size);

			if (!q) {
				bad++;
				continue;
			}
			b->p = q;
			bad += !intact(b, keep);
			b->size = size;
			fill(b, keep);
		} else {
			b->size = random_size(&rng, large_permille);
			if (kind < 2) {
				b->p = calloc(1, b->size);
				for (size_t i = 0; b->p && i < b->size; i++) {
					if (b->p[i]) {
						bad++;
						break;
					}
				}
			} else {
				b->p = malloc(b->size);
			}
			if (!b->p) {
				bad++;
				continue;
			}
			bad += ((uintptr_t)b->p & 15) != 0;
			b->seed = (uint8_t)rng_next(&rng);
			fill(b, 0);
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (slots[i].p) {
			bad += !intact(&slots[i], slots[i].size);
			free(slots[i].p);
			slots[i].p = NULL;
		}
	}
	return bad;
}

static struct block slots[SLOTS];
/* Hostile sizes, hidden from the compiler's own checks. */
static volatile size_t huge = ~0ul;
static volatile size_t huge_half = 1ul << 33;

static void test_single_thread(void)
{
	uint8_t *big, *z;
	bool zero = true;
	void *p;

	ktest_expect("malloc/churn", churn(slots, SLOTS, 30000, 7, 30), 0);

	/* A large block is a mapping of its own, gone after free: the
	 * kernel's own copy from it then faults. */
	big = malloc(1 << 20);
	ktest_check("malloc/large", big != NULL, "NULL");
	if (big) {
		memset(big, 0x33, 1 << 20);
		ktest_expect("malloc/large_readable_by_kernel",
			     rt_log_write(big + (1 << 19), 8), 0);
		free(big);
		ktest_expect("malloc/large_free_unmaps",
			     rt_log_write(big + (1 << 19), 8), -ERR_FAULT);
	}
	z = calloc(1000, 1000);
	for (size_t i = 0; z && i < 1000 * 1000; i += 997) {
		zero &= z[i] == 0;
	}
	ktest_check("malloc/calloc_large_zero", z && zero, "not zero");
	free(z);

	p = aligned_alloc(1 << 16, 100);
	ktest_expect("malloc/aligned_64k", (int64_t)((uintptr_t)p & 0xffff), 0);
	free(p);
	p = memalign(256, 1000);
	ktest_expect("malloc/memalign_256", (int64_t)((uintptr_t)p & 255), 0);
	ktest_check("malloc/usable_size", malloc_usable_size(p) >= 1000,
		    "too small");
	free(p);
	ktest_check("malloc/aligned_bad", aligned_alloc(24, 8) == NULL,
		    "accepted alignment 24");
	ktest_check("malloc/huge", malloc(huge) == NULL, "not NULL");
	ktest_check("malloc/huge_realloc", realloc(NULL, huge - 4096) == NULL,
		    "not NULL");
	ktest_check("malloc/calloc_overflow",
		    calloc(huge_half, huge_half) == NULL, "not NULL");
	p = malloc(0);
	ktest_check("malloc/zero_size", p != NULL, "NULL");
	free(p);
	free(NULL);
	ktest_check("malloc/zero_then_more", malloc(16) != NULL, "NULL");
}

/* --- several threads at once ------------------------------------------- */

static struct block thread_slots[THREADS][THREAD_SLOTS];
static volatile uint32_t thread_bad;
static volatile uint32_t finished;
static volatile uint32_t gate;

static void worker(uint64_t id)
{
	unsigned bad;

	while (__atomic_load_n(&gate, __ATOMIC_ACQUIRE) == 0) {
		rt_futex_wait(&gate, 0, ~0ul);
	}
	bad = churn(thread_slots[id], THREAD_SLOTS, THREAD_ROUNDS, id + 100,
		     THREAD_LARGE_PERMILLE);
	__atomic_fetch_add(&thread_bad, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&finished, 1);
	rt_thread_exit(0);
}

/* Threads start here: rdi = argument, rsp = the top of their stack - 8. */
__asm__(".text\n"
	"malloc_thread_entry:\n"
	"	call malloc_thread_trampoline\n"
	"	ud2\n");
void malloc_thread_entry(void);
void malloc_thread_trampoline(uint64_t arg);
void malloc_thread_trampoline(uint64_t arg)
{
	worker(arg);
}

static void test_threads(void)
{
	uint8_t *stacks = malloc(THREADS * STACK_SIZE);
	bool created = stacks != NULL;

	for (uint64_t i = 0; created && i < THREADS; i++) {
		uint64_t top = (uint64_t)stacks + (i + 1) * STACK_SIZE - 8;

		created &= rt_syscall6(SYS_THREAD_CREATE, 0,
				       (uint64_t)malloc_thread_entry, top, i,
				       0, 0) > 0;
	}
	ktest_check("malloc/threads_created", created, "create failed");
	if (!created) {
		return;
	}
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&gate, THREADS);
	for (;;) {
		uint32_t f = __atomic_load_n(&finished, __ATOMIC_ACQUIRE);

		if (f == THREADS ||
		    rt_futex_wait(&finished, f, 60000 * MS) ==
			    -(int64_t)ERR_TIMED_OUT) {
			break;
		}
	}
	ktest_expect("malloc/threads_finished", finished, THREADS);
	ktest_expect("malloc/threads_churn", thread_bad, 0);
	/* The stacks stay: a thread may still be on its way out. */
}

/* --- bad frees end the process ------------------------------------------ */

static struct rt_queue q;
static struct supervise_event ev;

/* The copy's thread: frees its argument, which must not return. */
static void bad_free(uint64_t p)
{
	free((void *)p);
	rt_thread_exit(0);
}

__asm__(".text\n"
	"bad_free_entry:\n"
	"	call bad_free_trampoline\n"
	"	ud2\n");
void bad_free_entry(void);
void bad_free_trampoline(uint64_t arg);
void bad_free_trampoline(uint64_t arg)
{
	bad_free(arg);
}

/* Waits for the next event of process @proc; its result (0 or -err). */
static int64_t next_event(uint64_t proc)
{
	struct queue_sqe *sqe = rt_queue_sqe(&q);
	struct queue_cqe cqe;

	sqe->op = QUEUE_OP_SUPERVISE;
	sqe->handle = (uint32_t)proc;
	sqe->arg[0] = (uint64_t)&ev;
	rt_queue_commit(&q);
	if (rt_queue_enter(&q, 1, 1, 10000 * MS) < 0 ||
	    !rt_queue_reap(&q, &cqe)) {
		return -1;
	}
	return cqe.result;
}

/* Frees @p in a supervised copy of this process (whose memory-object
 * mappings, the heap's included, are shared with us: the checks before
 * the abort only read them). True when the copy stopped on the abort's
 * #UD (vector 6) instead of going on. */
static bool free_aborts(void *p, uint8_t *stack)
{
	int64_t copy = rt_syscall2(SYS_PROCESS_FORK, 0, PROCESS_SUPERVISED);
	bool aborted;

	if (copy < 0) {
		return false;
	}
	if (rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy,
			(uint64_t)bad_free_entry,
			(uint64_t)stack + STACK_SIZE - 8, (uint64_t)p, 0,
			0) < 0) {
		rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);
		return false;
	}
	aborted = next_event((uint64_t)copy) == 0 &&
		  ev.kind == SUPERVISE_EVENT_FAULT && ev.nr == 6;
	rt_syscall2(SYS_PROCESS_KILL, (uint64_t)copy, 1);
	while (next_event((uint64_t)copy) == 0 &&
	       ev.kind != SUPERVISE_EVENT_EXIT) {
	}
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);
	return aborted;
}

static void test_bad_frees(void)
{
	uint8_t *stack = malloc(STACK_SIZE);
	uint8_t *small = malloc(100), *freed = malloc(100), *big;
	int on_stack;

	if (rt_queue_create(&q, 4, 4) != ERR_OK || !stack || !small ||
	    !freed) {
		ktest_check("malloc/bad_free_setup", false, "no memory");
		return;
	}
	free(freed);
	big = malloc(100000);
	ktest_check("malloc/double_free_aborts", free_aborts(freed, stack),
		    "the copy went on");
	ktest_check("malloc/inner_pointer_aborts",
		    free_aborts(small + 16, stack), "the copy went on");
	ktest_check("malloc/stack_pointer_aborts",
		    free_aborts(&on_stack, stack), "the copy went on");
	ktest_check("malloc/large_inner_pointer_aborts",
		    free_aborts(big + PAGE, stack), "the copy went on");
	/* free(NULL) in the copy ends normally: the harness tells an
	 * abort from a thread that goes on. (A real free there would
	 * change the heap's metadata, which the copy shares with us.) */
	ktest_check("malloc/free_null_does_not_abort",
		    !free_aborts(NULL, stack), "aborted");
	/* Our own heap is still fine. */
	ktest_expect("malloc/heap_intact_after_copies",
		     (int64_t)malloc_usable_size(small), 112);
	free(small);
}

int main(void)
{
	test_single_thread();
	test_threads();
	test_bad_frees();
	rt_printf("malloc_test: %d failed", ktest_failures());
	return ktest_failures();
}
