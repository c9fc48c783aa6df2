/*
 * Host tests of lib/fiber: switching (ping-pong, round-robin order,
 * rounds), parking, mutex exclusion and hand-over, a condvar bounded
 * buffer, stacks going back to the allocator, registers the ABI says
 * survive a call (rbx, rbp, r12-r15, MXCSR) surviving switches, deep
 * stacks, and a stack overflow hitting the guard page.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#include <fiber/fiber.h>
#include <fiber/sync.h>

#define PAGE 4096ul

static size_t stacks_allocated;
static size_t stacks_freed;
static bool stacks_fail;

/* mmap with a PROT_NONE guard page below the stack. */
static void *test_stack_alloc(size_t size)
{
	char *p;

	if (stacks_fail) {
		return NULL;
	}
	p = mmap(NULL, size + PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		return NULL;
	}
	mprotect(p, PAGE, PROT_NONE);
	stacks_allocated++;
	return p + PAGE;
}

static void test_stack_free(void *stack, size_t size)
{
	stacks_freed++;
	munmap((char *)stack - PAGE, size + PAGE);
}

static const struct fiber_stack_allocator test_stacks = {
	.alloc = test_stack_alloc,
	.free = test_stack_free,
};

/* What the fibers did, in order. */
static int trace[1024];
static size_t trace_len;

static void trace_add(int v)
{
	if (trace_len < sizeof(trace) / sizeof(trace[0])) {
		trace[trace_len++] = v;
	}
}

TEST(fiber_create_errors)
{
	struct fiber *f = NULL;

	fiber_set_stack_allocator(NULL);
	CHECK_EQ(fiber_create(&f, NULL, NULL, 0), ERR_NOT_SUPPORTED);
	fiber_set_stack_allocator(&test_stacks);
	CHECK_EQ(fiber_create(&f, NULL, NULL, 100), ERR_INVALID);
	stacks_fail = true;
	CHECK_EQ(fiber_create(&f, NULL, NULL, 0), ERR_NO_MEMORY);
	stacks_fail = false;
	CHECK(f == NULL);
	CHECK_EQ(fiber_count(), 0);
	CHECK(!fiber_has_ready());
}

TEST(outside_a_fiber)
{
	CHECK(fiber_self() == NULL);
	fiber_yield();		/* no-ops: the scheduler cannot wait */
	fiber_park();
	CHECK_EQ(fiber_run_round(), 0);
	fiber_run();
}

static void ping_pong_fiber(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (int i = 0; i < 4; i++) {
		trace_add(id * 10 + i);
		fiber_yield();
	}
}

TEST(ping_pong)
{
	static const int want[] = { 10, 20, 11, 21, 12, 22, 13, 23 };

	trace_len = 0;
	REQUIRE(fiber_create(NULL, ping_pong_fiber, (void *)1, 0) == ERR_OK);
	REQUIRE(fiber_create(NULL, ping_pong_fiber, (void *)2, 0) == ERR_OK);
	CHECK_EQ(fiber_count(), 2);
	fiber_run();
	CHECK_EQ(fiber_count(), 0);
	REQUIRE(trace_len == 8);
	for (size_t i = 0; i < 8; i++) {
		CHECK_EQ(trace[i], want[i]);
	}
}

#define RR_FIBERS 16
#define RR_ROUNDS 8

static void round_robin_fiber(void *arg)
{
	for (int i = 0; i < RR_ROUNDS; i++) {
		trace_add((int)(intptr_t)arg);
		fiber_yield();
	}
}

TEST(round_robin)
{
	trace_len = 0;
	for (int i = 0; i < RR_FIBERS; i++) {
		void *arg = (void *)(intptr_t)i;

		REQUIRE(fiber_create(NULL, round_robin_fiber, arg, 16 * 1024) ==
			ERR_OK);
	}
	/* One round runs each fiber once, then they wait for the next. */
	CHECK_EQ(fiber_run_round(), RR_FIBERS);
	CHECK_EQ(trace_len, RR_FIBERS);
	fiber_run();
	REQUIRE(trace_len == RR_FIBERS * RR_ROUNDS);
	for (size_t i = 0; i < trace_len; i++) {
		CHECK_EQ(trace[i], (int)(i % RR_FIBERS));
	}
}

static struct fiber *parked;

static void parker(void *arg)
{
	parked = fiber_self();
	trace_add(1);
	fiber_park();
	trace_add(3);
}

static void unparker(void *arg)
{
	trace_add(2);
	CHECK(fiber_unpark(parked));
	CHECK(!fiber_unpark(parked));	/* ready already */
	CHECK(!fiber_unpark(fiber_self()));
}

TEST(park_unpark)
{
	trace_len = 0;
	REQUIRE(fiber_create(NULL, parker, NULL, 0) == ERR_OK);
	fiber_run();
	CHECK_EQ(trace_len, 1);
	CHECK_EQ(fiber_count(), 1);	/* parked, not ended */
	CHECK(!fiber_has_ready());
	/* The scheduler can unpark too; here another fiber does. */
	REQUIRE(fiber_create(NULL, unparker, NULL, 0) == ERR_OK);
	fiber_run();
	CHECK_EQ(fiber_count(), 0);
	REQUIRE(trace_len == 3);
	CHECK_EQ(trace[1], 2);
	CHECK_EQ(trace[2], 3);
}

static struct fiber_mutex mutex = FIBER_MUTEX_INIT(mutex);
static int shared_counter;
static int inside;
static int max_inside;

static void mutex_fiber(void *arg)
{
	for (int i = 0; i < 50; i++) {
		fiber_mutex_lock(&mutex);
		if (++inside > max_inside) {
			max_inside = inside;
		}
		int v = shared_counter;
		fiber_yield();	/* the others run and must not get in */
		shared_counter = v + 1;
		inside--;
		fiber_mutex_unlock(&mutex);
		fiber_yield();
	}
}

TEST(mutex_exclusion)
{
	shared_counter = 0;
	for (int i = 0; i < 8; i++) {
		REQUIRE(fiber_create(NULL, mutex_fiber, NULL, 0) == ERR_OK);
	}
	fiber_run();
	CHECK_EQ(shared_counter, 8 * 50);
	CHECK_EQ(max_inside, 1);
	CHECK(!mutex.locked && mutex.owner == NULL);
	CHECK(list_is_empty(&mutex.waiters));
	CHECK_EQ(fiber_count(), 0);
}

static void handoff_fiber(void *arg)
{
	fiber_mutex_lock(&mutex);
	trace_add((int)(intptr_t)arg);
	fiber_mutex_unlock(&mutex);
}

/* Waiters get the mutex in arrival order; trylock fails while held. */
TEST(mutex_fifo_handoff)
{
	trace_len = 0;
	fiber_mutex_init(&mutex);
	CHECK(fiber_mutex_trylock(&mutex));	/* held by the scheduler */
	CHECK(!fiber_mutex_trylock(&mutex));
	for (int i = 0; i < 5; i++) {
		REQUIRE(fiber_create(NULL, handoff_fiber, (void *)(intptr_t)i,
				     0) == ERR_OK);
	}
	fiber_run();
	CHECK_EQ(trace_len, 0);
	CHECK_EQ(fiber_count(), 5);
	fiber_mutex_unlock(&mutex);
	fiber_run();
	REQUIRE(trace_len == 5);
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(trace[i], i);
	}
	CHECK(!mutex.locked && mutex.owner == NULL);
}

#define BUF_SIZE 4
#define ITEMS 100

static struct {
	struct fiber_mutex lock;
	struct fiber_cond not_full;
	struct fiber_cond not_empty;
	int items[BUF_SIZE];
	int head, count;
	int consumed, sum, max_count;
	bool closed;
} pc;

static void producer(void *arg)
{
	int base = (int)(intptr_t)arg;

	for (int i = 1; i <= ITEMS; i++) {
		fiber_mutex_lock(&pc.lock);
		while (pc.count == BUF_SIZE) {
			fiber_cond_wait(&pc.not_full, &pc.lock);
		}
		pc.items[(pc.head + pc.count) % BUF_SIZE] = base + i;
		if (++pc.count > pc.max_count) {
			pc.max_count = pc.count;
		}
		fiber_cond_signal(&pc.not_empty);
		fiber_mutex_unlock(&pc.lock);
		if (i % 3 == 0) {
			fiber_yield();
		}
	}
}

static void consumer(void *arg)
{
	for (;;) {
		fiber_mutex_lock(&pc.lock);
		while (pc.count == 0 && !pc.closed) {
			fiber_cond_wait(&pc.not_empty, &pc.lock);
		}
		if (pc.count == 0) {
			fiber_mutex_unlock(&pc.lock);
			return;
		}
		pc.sum += pc.items[pc.head];
		pc.head = (pc.head + 1) % BUF_SIZE;
		pc.count--;
		pc.consumed++;
		fiber_cond_signal(&pc.not_full);
		fiber_mutex_unlock(&pc.lock);
	}
}

TEST(condvar_producer_consumer)
{
	int want = 0;

	fiber_mutex_init(&pc.lock);
	fiber_cond_init(&pc.not_full);
	fiber_cond_init(&pc.not_empty);
	for (int i = 0; i < 3; i++) {
		REQUIRE(fiber_create(NULL, consumer, NULL, 0) == ERR_OK);
	}
	for (int p = 0; p < 2; p++) {
		void *base = (void *)(intptr_t)(p * 1000);

		REQUIRE(fiber_create(NULL, producer, base, 0) == ERR_OK);
		want += p * 1000 * ITEMS + ITEMS * (ITEMS + 1) / 2;
	}
	fiber_run();
	/* Producers are done; consumers wait for more. */
	CHECK_EQ(fiber_count(), 3);
	CHECK_EQ(pc.consumed, 2 * ITEMS);
	CHECK_EQ(pc.sum, want);
	CHECK(pc.max_count <= BUF_SIZE);
	pc.closed = true;
	fiber_cond_broadcast(&pc.not_empty);
	fiber_run();
	CHECK_EQ(fiber_count(), 0);
	CHECK(list_is_empty(&pc.not_empty.waiters));
}

static void nothing(void *arg)
{
	(*(int *)arg)++;
}

TEST(stacks_given_back)
{
	size_t allocated = stacks_allocated;
	size_t freed = stacks_freed;
	int ran = 0;

	for (int i = 0; i < 200; i++) {
		REQUIRE(fiber_create(NULL, nothing, &ran, 0) == ERR_OK);
	}
	CHECK_EQ(stacks_allocated - allocated, 200);
	fiber_run();
	CHECK_EQ(ran, 200);
	CHECK_EQ(stacks_freed - freed, 200);
	CHECK_EQ(stacks_allocated, stacks_freed);
	CHECK_EQ(fiber_count(), 0);
}

/*
 * Loads distinct values into every callee-saved register, yields (other
 * fibers clobber them meanwhile), then reads them back. r15 carries the
 * seed in and the results out through the switch, so it is checked by
 * being used.
 * The stack is moved below the red zone and kept 16-byte aligned.
 */
static void regs_fiber(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg;
	uint64_t got[5] = { 0 };
	register uint64_t *out __asm__("r15") = got;

	for (int round = 0; round < 3; round++) {
		got[0] = seed;
		__asm__ volatile("pushq %%rbp\n\t"
				 "subq $120, %%rsp\n\t"
				 "movq 0(%%r15), %%rbx\n\t"
				 "leaq 1(%%rbx), %%r12\n\t"
				 "leaq 2(%%rbx), %%r13\n\t"
				 "leaq 3(%%rbx), %%r14\n\t"
				 "leaq 4(%%rbx), %%rbp\n\t"
				 "call fiber_yield\n\t"
				 "movq %%rbx, 0(%%r15)\n\t"
				 "movq %%r12, 8(%%r15)\n\t"
				 "movq %%r13, 16(%%r15)\n\t"
				 "movq %%r14, 24(%%r15)\n\t"
				 "movq %%rbp, 32(%%r15)\n\t"
				 "addq $120, %%rsp\n\t"
				 "popq %%rbp\n\t"
				 :
				 : "r"(out)
				 : "rax", "rbx", "rcx", "rdx", "rsi", "rdi",
				   "r8", "r9", "r10", "r11", "r12", "r13",
				   "r14", "memory", "cc");
		for (int i = 0; i < 5; i++) {
			CHECK_EQ(got[i], seed + (uint64_t)i);
		}
		seed += 0x100;
	}
}

TEST(callee_saved_registers)
{
	REQUIRE(fiber_create(NULL, regs_fiber, (void *)0x1111000000ul, 0) ==
		ERR_OK);
	REQUIRE(fiber_create(NULL, regs_fiber, (void *)0x2222000000ul, 0) ==
		ERR_OK);
	REQUIRE(fiber_create(NULL, regs_fiber, (void *)0x3333000000ul, 0) ==
		ERR_OK);
	fiber_run();
	CHECK_EQ(fiber_count(), 0);
}

static uint32_t mxcsr_get(void)
{
	uint32_t v;

	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void mxcsr_set(uint32_t v)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static uint32_t mxcsr_seen[2];

static void mxcsr_fiber(void *arg)
{
	int id = (int)(intptr_t)arg;
	uint32_t mine = 0x1f80 | (id ? 0x6000 : 0x2000); /* rounding mode */

	/* New fibers start with the ABI's initial value. */
	mxcsr_seen[id] = mxcsr_get();
	mxcsr_set(mine);
	fiber_yield();
	CHECK_EQ(mxcsr_get(), mine);
	mxcsr_set(0x1f80);
}

TEST(mxcsr_per_fiber)
{
	uint32_t before = mxcsr_get();

	REQUIRE(fiber_create(NULL, mxcsr_fiber, (void *)0, 0) == ERR_OK);
	REQUIRE(fiber_create(NULL, mxcsr_fiber, (void *)1, 0) == ERR_OK);
	fiber_run();
	CHECK_EQ(mxcsr_seen[0], 0x1f80);
	CHECK_EQ(mxcsr_seen[1], 0x1f80);
	CHECK_EQ(mxcsr_get(), before);
}

static int recurse(int n)
{
	volatile char pad[256];

	pad[0] = 1;
	if (n == 0) {
		return 0;
	}
	return recurse(n - 1) + n + pad[0] - 1;
}

static void deep_fiber(void *arg)
{
	*(int *)arg = recurse((int)(intptr_t)*(int *)arg);
}

/* Most of a 256 KiB stack is usable (ASan frames are bigger). */
TEST(deep_stack)
{
	int v = 200;

	REQUIRE(fiber_create(NULL, deep_fiber, &v, 256 * 1024) == ERR_OK);
	fiber_run();
	CHECK_EQ(v, 200 * 201 / 2);
}

static void overflow_fiber(void *arg)
{
	recurse(1 << 20);
}

/* Overflowing a fiber stack faults on the guard page (in a child). */
TEST(stack_overflow_faults)
{
	int status = 0;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);	/* ASan's report of the overflow */
		if (fiber_create(NULL, overflow_fiber, NULL, 16 * 1024) ==
		    ERR_OK) {
			fiber_run();
		}
		_exit(0);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

int main(void)
{
	RUN(fiber_create_errors);
	RUN(outside_a_fiber);
	RUN(ping_pong);
	RUN(round_robin);
	RUN(park_unpark);
	RUN(mutex_exclusion);
	RUN(mutex_fifo_handoff);
	RUN(condvar_producer_consumer);
	RUN(stacks_given_back);
	RUN(callee_saved_registers);
	RUN(mxcsr_per_fiber);
	RUN(deep_stack);
	RUN(stack_overflow_faults);
	return check_done();
}
