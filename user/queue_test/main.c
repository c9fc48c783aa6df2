/*
 * In-guest tests of handles and completion queues (SYS_HANDLE_*,
 * SYS_QUEUE_*): batches of no-ops, timers completing in deadline order,
 * cancellation, the completion ring overflowing, timeouts, and hostile
 * use (bad and closed handles, missing rights, corrupt ring indices, bad
 * entries, bad sizes and pointers). Reports one KTEST line per case.
 */
#include <keel/handle.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>

#define MS 1000000ul
#define KERNEL_ADDR 0xffffffff80100000ul

int main(void);

static struct queue_sqe *sqe_or_die(struct rt_queue *q)
{
	struct queue_sqe *sqe = rt_queue_sqe(q);

	if (!sqe) {
		ktest_check("queue/sqe_available", false, "submission ring full");
		rt_thread_exit(99);
	}
	return sqe;
}

static void test_nops(void)
{
	struct rt_queue q;
	struct queue_cqe cqe;
	bool ok = true;

	ktest_expect("queue/create", rt_queue_create(&q, 8, 16), ERR_OK);
	for (int i = 0; i < 8; i++) {
		struct queue_sqe *sqe = sqe_or_die(&q);

		sqe->op = QUEUE_OP_NOP;
		sqe->context = 100 + i;
		sqe->arg[0] = (uint64_t)i * 7;
	}
	ktest_check("queue/sq_full_at_8", rt_queue_sqe(&q) == 0,
		    "a ninth entry fit into 8");
	rt_queue_commit(&q);
	ktest_expect("queue/nop_batch_submitted", rt_queue_enter(&q, 8, 8, ~0ul),
		     8);
	for (int i = 0; i < 8; i++) {
		ok &= rt_queue_reap(&q, &cqe) && cqe.context == 100u + i &&
		      cqe.result == i * 7;
	}
	ktest_check("queue/nop_completions_in_order", ok,
		    "wrong context or result");
	ktest_check("queue/ring_empty_after_reap", !rt_queue_reap(&q, &cqe),
		    "extra completion");
	ktest_expect("queue/close", rt_syscall2(SYS_HANDLE_CLOSE, q.handle, 0),
		     0);
	ktest_expect("queue/enter_closed_handle",
		     rt_queue_enter(&q, 0, 0, 0), -ERR_BAD_HANDLE);
}

static void test_timers_and_cancel(void)
{
	static const unsigned delays[5] = { 40, 10, 30, 20, 50 };
	struct rt_queue q;
	struct queue_cqe cqe;
	uint64_t now = rt_clock_ns();
	uint64_t last_ctx = 0;
	bool ordered = true;
	int got = 0;

	rt_queue_create(&q, 16, 16);
	for (int i = 0; i < 5; i++) {
		struct queue_sqe *sqe = sqe_or_die(&q);

		sqe->op = QUEUE_OP_TIMER;
		sqe->context = delays[i];
		sqe->arg[0] = now + delays[i] * MS;
	}
	/* A long timer, cancelled below. */
	struct queue_sqe *sqe = sqe_or_die(&q);
	sqe->op = QUEUE_OP_TIMER;
	sqe->context = 777;
	sqe->arg[0] = now + 60000 * MS;
	rt_queue_commit(&q);
	ktest_expect("queue/timers_submitted", rt_queue_enter(&q, 6, 0, 0), 6);
	while (got < 5) {
		if (rt_queue_enter(&q, 0, 1, 2000 * MS) < 0) {
			break;
		}
		while (got < 5 && rt_queue_reap(&q, &cqe)) {
			ordered &= cqe.context > last_ctx && cqe.result == 0 &&
				   cqe.value >= now + cqe.context * MS;
			last_ctx = cqe.context;
			got++;
		}
	}
	ktest_expect("queue/timers_all_fired", got, 5);
	ktest_check("queue/timers_in_deadline_order", ordered,
		    "out of order or early");

	sqe = sqe_or_die(&q);
	sqe->op = QUEUE_OP_CANCEL;
	sqe->context = 1;
	sqe->arg[0] = 777;
	sqe = sqe_or_die(&q);
	sqe->op = QUEUE_OP_CANCEL;
	sqe->context = 2;
	sqe->arg[0] = 123456; /* nothing has this context */
	rt_queue_commit(&q);
	ktest_expect("queue/cancel_submitted", rt_queue_enter(&q, 2, 3, 1000 * MS),
		     2);
	int64_t timer_result = 1, cancel_result = 1, missing_result = 1;
	while (rt_queue_reap(&q, &cqe)) {
		if (cqe.context == 777) {
			timer_result = cqe.result;
		} else if (cqe.context == 1) {
			cancel_result = cqe.result;
		} else if (cqe.context == 2) {
			missing_result = cqe.result;
		}
	}
	ktest_expect("queue/cancelled_op_completes", timer_result,
		     -ERR_CANCELLED);
	ktest_expect("queue/cancel_result", cancel_result, 0);
	ktest_expect("queue/cancel_unknown_context", missing_result,
		     -ERR_NOT_FOUND);
	ktest_expect("queue/enter_times_out",
		     rt_queue_enter(&q, 0, 1, 20 * MS), -ERR_TIMED_OUT);
	/* Timers pending at close are dropped with the queue. */
	sqe = sqe_or_die(&q);
	sqe->op = QUEUE_OP_TIMER;
	sqe->arg[0] = rt_clock_ns() + 30000 * MS;
	rt_queue_commit(&q);
	rt_queue_enter(&q, 1, 0, 0);
	ktest_expect("queue/close_with_pending",
		     rt_syscall2(SYS_HANDLE_CLOSE, q.handle, 0), 0);
}

static void test_overflow(void)
{
	struct rt_queue q;
	struct queue_cqe cqe;
	uint64_t now = rt_clock_ns();
	int seen = 0;

	rt_queue_create(&q, 8, 2);
	for (int i = 0; i < 6; i++) {
		struct queue_sqe *sqe = sqe_or_die(&q);

		sqe->op = QUEUE_OP_TIMER;
		sqe->context = i;
		sqe->arg[0] = now + 5 * MS;
	}
	rt_queue_commit(&q);
	ktest_expect("queue/overflow_submitted", rt_queue_enter(&q, 6, 2, ~0ul),
		     6);
	/* Let all six fire; only two fit in the ring. */
	rt_queue_enter(&q, 0, 2, 50 * MS);
	for (int spin = 0; spin < 100 && q.header->cq_overflow < 4; spin++) {
		rt_queue_enter(&q, 0, 2, 5 * MS);
	}
	ktest_expect("queue/overflow_parked", q.header->cq_overflow, 4);
	while (seen < 6) {
		if (!rt_queue_reap(&q, &cqe)) {
			if (rt_queue_enter(&q, 0, 1, 500 * MS) < 0) {
				break;
			}
			continue;
		}
		seen++;
	}
	ktest_expect("queue/overflow_all_delivered", seen, 6);
	ktest_expect("queue/overflow_drained", q.header->cq_overflow, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, q.handle, 0);
}

static void test_hostile(void)
{
	struct rt_queue q;
	struct queue_cqe cqe;
	struct queue_sqe *sqe;
	uint64_t addr;
	int64_t dup, info;

	ktest_expect("queue/create_not_pow2",
		     rt_syscall6(SYS_QUEUE_CREATE, 3, 4, (uint64_t)&addr, 0, 0,
				 0),
		     -ERR_INVALID);
	ktest_expect("queue/create_zero",
		     rt_syscall6(SYS_QUEUE_CREATE, 0, 4, (uint64_t)&addr, 0, 0,
				 0),
		     -ERR_INVALID);
	ktest_expect("queue/create_huge",
		     rt_syscall6(SYS_QUEUE_CREATE, 1ul << 40, 4,
				 (uint64_t)&addr, 0, 0, 0),
		     -ERR_INVALID);
	ktest_expect("queue/create_kernel_pointer",
		     rt_syscall6(SYS_QUEUE_CREATE, 4, 4, KERNEL_ADDR, 0, 0, 0),
		     -ERR_FAULT);
	ktest_expect("queue/enter_bad_handle",
		     rt_syscall6(SYS_QUEUE_ENTER, 0x12345, 0, 0, 0, 0, 0),
		     -ERR_BAD_HANDLE);
	ktest_expect("queue/enter_handle_zero",
		     rt_syscall6(SYS_QUEUE_ENTER, 0, 0, 0, 0, 0, 0),
		     -ERR_BAD_HANDLE);
	ktest_expect("queue/enter_handle_too_wide",
		     rt_syscall6(SYS_QUEUE_ENTER, 1ul << 40, 0, 0, 0, 0, 0),
		     -ERR_BAD_HANDLE);
	ktest_expect("handle/close_bad", rt_syscall2(SYS_HANDLE_CLOSE, 77, 0),
		     -ERR_BAD_HANDLE);

	rt_queue_create(&q, 4, 4);
	info = rt_syscall2(SYS_HANDLE_INFO, q.handle, 0);
	ktest_expect("handle/info_type", info & 0xffffffff, OBJECT_QUEUE);
	ktest_check("handle/info_rights",
		    ((uint64_t)info >> 32) & RIGHT_WAIT &&
			    !(((uint64_t)info >> 32) & RIGHT_TRANSFER),
		    "rights are not all-but-transfer");
	/* A duplicate without RIGHT_WAIT cannot enter the queue. */
	dup = rt_syscall2(SYS_HANDLE_DUPLICATE, q.handle, RIGHT_READ);
	ktest_check("handle/duplicate", dup > 0 && dup != q.handle,
		    "no new handle");
	ktest_expect("handle/duplicate_lacks_right",
		     rt_syscall6(SYS_QUEUE_ENTER, (uint64_t)dup, 0, 0, 0, 0, 0),
		     -ERR_ACCESS);
	ktest_expect("handle/duplicate_more_rights",
		     rt_syscall2(SYS_HANDLE_DUPLICATE, (uint64_t)dup,
				 RIGHT_READ | RIGHT_WAIT),
		     -ERR_ACCESS);
	ktest_expect("handle/duplicate_needs_right",
		     rt_syscall2(SYS_HANDLE_DUPLICATE, (uint64_t)dup, 0),
		     -ERR_ACCESS);
	ktest_expect("handle/close_duplicate",
		     rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)dup, 0), 0);
	ktest_expect("handle/close_twice",
		     rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)dup, 0),
		     -ERR_BAD_HANDLE);
	ktest_expect("queue/min_complete_too_big",
		     rt_queue_enter(&q, 0, 5, 0), -ERR_INVALID);

	/* Entries with unknown ops or flags complete with ERR_INVALID. */
	sqe = sqe_or_die(&q);
	sqe->op = 999;
	sqe->context = 1;
	sqe = sqe_or_die(&q);
	sqe->op = QUEUE_OP_NOP;
	sqe->flags = 0x80000000u; /* no such flag */
	sqe->context = 2;
	rt_queue_commit(&q);
	ktest_expect("queue/bad_entries_consumed", rt_queue_enter(&q, 2, 2, 0),
		     2);
	ktest_check("queue/bad_op_rejected",
		    rt_queue_reap(&q, &cqe) && cqe.context == 1 &&
			    cqe.result == -ERR_INVALID,
		    "unknown op accepted");
	ktest_check("queue/bad_flags_rejected",
		    rt_queue_reap(&q, &cqe) && cqe.context == 2 &&
			    cqe.result == -ERR_INVALID,
		    "flags accepted");

	/* A process that scribbles over its ring indices gets an error. */
	q.header->sq_tail = q.header->sq_head + 1000;
	ktest_expect("queue/corrupt_sq_tail", rt_queue_enter(&q, 1, 0, 0),
		     -ERR_CORRUPT);
	q.header->sq_tail = q.header->sq_head;
	q.sq_tail = q.header->sq_tail;
	q.header->cq_head = q.header->cq_tail + 77; /* "more than full" */
	sqe = sqe_or_die(&q);
	sqe->op = QUEUE_OP_NOP;
	rt_queue_commit(&q);
	ktest_expect("queue/corrupt_cq_head_treated_as_full",
		     rt_queue_enter(&q, 1, 0, 0), 0);
	q.header->cq_head = q.header->cq_tail;
	ktest_expect("queue/recovers_after_fix", rt_queue_enter(&q, 1, 1, 0),
		     1);
	rt_queue_reap(&q, &cqe);
	/* The kernel keeps its own indices: scribbling over the ones it
	 * publishes changes nothing for the next submission. */
	q.header->sq_head = 12345;
	q.header->cq_tail = 999;
	sqe = &q.sqes[q.sq_tail & 3];
	*sqe = (struct queue_sqe){ .op = QUEUE_OP_NOP, .context = 42,
				   .arg = { 4242 } };
	q.sq_tail++;
	rt_queue_commit(&q);
	ktest_expect("queue/scribbled_header_submit",
		     rt_queue_enter(&q, 1, 1, 0), 1);
	ktest_check("queue/scribbled_header_completion",
		    rt_queue_reap(&q, &cqe) && cqe.context == 42 &&
			    cqe.result == 4242,
		    "wrong completion after scribbling");
	rt_syscall2(SYS_HANDLE_CLOSE, q.handle, 0);
}

int main(void)
{
	test_nops();
	test_timers_and_cancel();
	test_overflow();
	test_hostile();
	rt_printf("queue_test: %d failed", ktest_failures());
	return ktest_failures();
}
