/*
 * In-guest tests of fibers and the event loop (lib/fiber): timers waking
 * many fibers in deadline order, NOP round trips of many fibers
 * interleaved, more requests than the submission ring holds, a
 * mutex/condvar producer-consumer whose producers hold the mutex across
 * loop requests, a ping-pong over one stream conversation between
 * two fibers, and one fiber cancelling another's request. KTEST lines.
 */
#include <fiber/fiber.h>
#include <fiber/loop.h>
#include <fiber/sync.h>
#include <keel/stream.h>
#include <rt/ktest.h>
#include <rt/rt.h>

#define MS 1000000ul
#define TIMER_FIBERS 16
#define NOP_FIBERS 8
#define NOP_ROUNDS 40

int main(void);

static struct loop loop;

/* --- timers: submitted in one order, completing in another --- */

static uint64_t t0;
static int wake_order[TIMER_FIBERS];
static int woken;
static bool woke_early;

static uint64_t timer_deadline(int i)
{
	/* A permutation of 0..15, 3 ms apart, from 100 ms on. */
	return t0 + 100 * MS + (uint64_t)((i * 7) % TIMER_FIBERS) * 3 * MS;
}

static void timer_fiber(void *arg)
{
	int i = (int)(intptr_t)arg;
	uint64_t deadline = timer_deadline(i);

	if (loop_sleep_until(&loop, deadline) == 0 && woken < TIMER_FIBERS) {
		woke_early |= rt_clock_ns() < deadline;
		wake_order[woken++] = i;
	}
}

static void test_timers(void)
{
	bool created = true;
	bool ordered = true;
	struct fiber *f = NULL;

	for (int i = 0; i < TIMER_FIBERS; i++) {
		created &= fiber_create(&f, timer_fiber, (void *)(intptr_t)i,
					0) == ERR_OK;
	}
	/* After the fibers exist and well ahead: a deadline already past
	 * when its timer is submitted completes at once, in submission
	 * order (slow fiber creation on a loaded host did that). */
	t0 = rt_clock_ns();
	ktest_check("fiber/timer_create", created, "fiber_create failed");
	/* The page below a stack is the guard: the kernel will not write
	 * there for us either (a stream's two handles, here). */
	ktest_expect("fiber/guard_page_not_writable",
		     rt_syscall2(SYS_STREAM_CREATE,
				 (uint64_t)(uintptr_t)f->stack - 4096, 0),
		     -ERR_FAULT);
	ktest_expect("fiber/timer_run", loop_run(&loop), ERR_OK);
	ktest_expect("fiber/timer_all_woke", woken, TIMER_FIBERS);
	for (int k = 1; k < woken; k++) {
		ordered &= timer_deadline(wake_order[k - 1]) <
			   timer_deadline(wake_order[k]);
	}
	ktest_check("fiber/timer_deadline_order", ordered,
		    "woke out of deadline order");
	ktest_check("fiber/timer_not_early", !woke_early,
		    "woke before the deadline");
	ktest_expect("fiber/timer_stacks_freed", (int64_t)fiber_count(), 0);
}

/* --- NOP round trips from many fibers at once --- */

static int nop_trace[NOP_FIBERS * NOP_ROUNDS];
static int nop_done;
static int nop_wrong;

static void nop_fiber(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (int i = 0; i < NOP_ROUNDS; i++) {
		uint64_t v = (uint64_t)id << 32 | (uint64_t)i;

		if (loop_nop(&loop, v) != (int64_t)v) {
			nop_wrong++;
		}
		nop_trace[nop_done++] = id;
	}
}

static void test_nops(void)
{
	int switches = 0;

	for (int i = 0; i < NOP_FIBERS; i++) {
		fiber_create(NULL, nop_fiber, (void *)(intptr_t)i, 0);
	}
	ktest_expect("fiber/nop_run", loop_run(&loop), ERR_OK);
	ktest_expect("fiber/nop_all_done", nop_done, NOP_FIBERS * NOP_ROUNDS);
	ktest_expect("fiber/nop_results", nop_wrong, 0);
	for (int i = 1; i < nop_done; i++) {
		switches += nop_trace[i] != nop_trace[i - 1];
	}
	/* Round trips overlap: each batch of completions wakes every fiber. */
	ktest_check("fiber/nop_interleaved",
		    switches >= NOP_FIBERS * (NOP_ROUNDS - 1),
		    "fibers did not interleave");
}

/* --- more requests than the submission ring holds --- */

static struct loop small;
static int small_done;

static void small_fiber(void *arg)
{
	int64_t v = (int64_t)(intptr_t)arg;

	for (int i = 0; i < 4; i++) {
		if (loop_nop(&small, (uint64_t)(v + i)) == v + i) {
			small_done++;
		}
	}
}

static void test_ring_full(void)
{
	ktest_expect("fiber/small_loop_init", loop_init(&small, 4), ERR_OK);
	for (int i = 0; i < 24; i++) {
		fiber_create(NULL, small_fiber, (void *)(intptr_t)(i * 100), 0);
	}
	ktest_expect("fiber/ring_full_run", loop_run(&small), ERR_OK);
	ktest_expect("fiber/ring_full_all_done", small_done, 24 * 4);
	loop_fini(&small);
}

/* --- mutex and condvar across loop requests --- */

#define PC_ITEMS 30
#define PC_SLOTS 3

static struct fiber_mutex pc_lock = FIBER_MUTEX_INIT(pc_lock);
static struct fiber_cond pc_not_full = FIBER_COND_INIT(pc_not_full);
static struct fiber_cond pc_not_empty = FIBER_COND_INIT(pc_not_empty);
static int pc_buf[PC_SLOTS];
static int pc_head, pc_count, pc_consumed, pc_sum, pc_inside_max, pc_inside;
static int pc_producers = 2;

static void pc_producer(void *arg)
{
	int base = (int)(intptr_t)arg;

	for (int i = 1; i <= PC_ITEMS; i++) {
		fiber_mutex_lock(&pc_lock);
		while (pc_count == PC_SLOTS) {
			fiber_cond_wait(&pc_not_full, &pc_lock);
		}
		if (++pc_inside > pc_inside_max) {
			pc_inside_max = pc_inside;
		}
		/* Holds the mutex across a park in the loop. */
		loop_nop(&loop, 1);
		pc_buf[(pc_head + pc_count) % PC_SLOTS] = base + i;
		pc_count++;
		pc_inside--;
		fiber_cond_signal(&pc_not_empty);
		fiber_mutex_unlock(&pc_lock);
	}
	fiber_mutex_lock(&pc_lock);
	pc_producers--;
	fiber_cond_broadcast(&pc_not_empty);
	fiber_mutex_unlock(&pc_lock);
}

static void pc_consumer(void *arg)
{
	for (;;) {
		fiber_mutex_lock(&pc_lock);
		while (pc_count == 0 && pc_producers > 0) {
			fiber_cond_wait(&pc_not_empty, &pc_lock);
		}
		if (pc_count == 0) {
			fiber_mutex_unlock(&pc_lock);
			return;
		}
		pc_sum += pc_buf[pc_head];
		pc_head = (pc_head + 1) % PC_SLOTS;
		pc_count--;
		pc_consumed++;
		fiber_cond_signal(&pc_not_full);
		fiber_mutex_unlock(&pc_lock);
		loop_sleep_until(&loop, rt_clock_ns() + MS / 4);
	}
}

static void test_producer_consumer(void)
{
	fiber_create(NULL, pc_consumer, NULL, 0);
	fiber_create(NULL, pc_consumer, NULL, 0);
	fiber_create(NULL, pc_producer, (void *)0, 0);
	fiber_create(NULL, pc_producer, (void *)1000, 0);
	ktest_expect("fiber/pc_run", loop_run(&loop), ERR_OK);
	ktest_expect("fiber/pc_consumed", pc_consumed, 2 * PC_ITEMS);
	ktest_expect("fiber/pc_sum", pc_sum,
		     1000 * PC_ITEMS + PC_ITEMS * (PC_ITEMS + 1));
	ktest_expect("fiber/pc_exclusive", pc_inside_max, 1);
	ktest_expect("fiber/pc_all_ended", (int64_t)fiber_count(), 0);
}

/* --- stream ping-pong between two fibers --- */

#define PINGS 20

static uint32_t ep[2];
static int pongs_ok;
static int pings_ok;

static void ping_fiber(void *arg)
{
	uint64_t conv = 0;
	char msg[16];
	char reply[16];

	for (int i = 0; i < PINGS; i++) {
		uint64_t value = 0;

		msg[0] = 'p';
		msg[1] = (char)i;
		if (loop_stream_send(&loop, ep[0], conv, msg, 2, 0, &conv) !=
		    2) {
			return;
		}
		if (loop_stream_recv(&loop, ep[0], conv, reply, sizeof(reply),
				     NULL, &value) == 2 &&
		    value == conv && reply[0] == 'q' && reply[1] == (char)i) {
			pongs_ok++;
		}
	}
}

static void pong_fiber(void *arg)
{
	uint64_t conv = 0;
	char buf[16];

	for (int i = 0; i < PINGS; i++) {
		struct stream_recv_info info = { 0 };
		uint64_t value = 0;

		/* The first receive takes the opening of the conversation. */
		if (loop_stream_recv(&loop, ep[1], conv, buf, sizeof(buf),
				     &info, &value) != 2) {
			return;
		}
		conv = value;
		if (buf[0] == 'p' && buf[1] == (char)i &&
		    info.conversation == conv && info.length == 2) {
			pings_ok++;
		}
		buf[0] = 'q';
		if (loop_stream_send(&loop, ep[1], conv, buf, 2, 0, NULL) !=
		    2) {
			return;
		}
	}
}

static void test_stream_ping_pong(void)
{
	ktest_expect("fiber/stream_create",
		     rt_syscall2(SYS_STREAM_CREATE, (uint64_t)ep, 0), 0);
	/* The receiver starts first and parks on its receive. */
	fiber_create(NULL, pong_fiber, NULL, 0);
	fiber_create(NULL, ping_fiber, NULL, 0);
	ktest_expect("fiber/stream_run", loop_run(&loop), ERR_OK);
	ktest_expect("fiber/stream_pings", pings_ok, PINGS);
	ktest_expect("fiber/stream_pongs", pongs_ok, PINGS);
	rt_syscall2(SYS_HANDLE_CLOSE, ep[0], 0);
	rt_syscall2(SYS_HANDLE_CLOSE, ep[1], 0);
}

/* --- cancelling another fiber's request --- */

static uint64_t sleeper_ctx;
static int64_t sleeper_result = 1;
static int64_t cancel_result = 1;

static void sleeper_fiber(void *arg)
{
	struct queue_sqe sqe = {
		.op = QUEUE_OP_TIMER,
		.arg = { rt_clock_ns() + 3600ul * 1000 * MS }, /* an hour */
	};

	sleeper_result = loop_submit_ctx(&loop, &sqe, NULL, &sleeper_ctx);
}

static void canceller_fiber(void *arg)
{
	loop_nop(&loop, 0); /* the sleeper's timer is in the kernel now */
	cancel_result = loop_cancel(&loop, sleeper_ctx);
}

static void test_cancel(void)
{
	fiber_create(NULL, sleeper_fiber, NULL, 0);
	fiber_create(NULL, canceller_fiber, NULL, 0);
	ktest_expect("fiber/cancel_run", loop_run(&loop), ERR_OK);
	ktest_expect("fiber/cancel_submitted", cancel_result, 0);
	ktest_expect("fiber/cancelled_request_result", sleeper_result,
		     -ERR_CANCELLED);
	ktest_expect("fiber/cancel_context_cleared", (int64_t)sleeper_ctx, 0);
}

int main(void)
{
	ktest_expect("fiber/loop_init", loop_init(&loop, 16), ERR_OK);
	ktest_expect("fiber/submit_outside_fiber", loop_nop(&loop, 1),
		     -ERR_INVALID);
	test_timers();
	test_nops();
	test_ring_full();
	test_producer_consumer();
	test_stream_ping_pong();
	test_cancel();
	ktest_expect("fiber/all_ended", (int64_t)fiber_count(), 0);
	loop_fini(&loop);
	rt_printf("fiber_test: %d failed", ktest_failures());
	return ktest_failures();
}
