/*
 * The event loop (loop.h). A request lives on the stack of the fiber that
 * waits for it, which stays parked (so the record stays put) until the
 * loop has copied the completion into it; the SQE's context is the
 * record's address. When the submission ring is full the fiber waits in
 * sq_waiters until the next round has handed entries to the kernel.
 */
#include <fiber/loop.h>
#include <keel/stream.h>
#include <rt/rt.h>

struct loop_request {
	struct fiber *fiber;
	struct queue_cqe cqe;
	bool done;
};

err_t loop_init(struct loop *l, uint32_t entries)
{
	l->in_flight = 0;
	list_init(&l->sq_waiters);
	return rt_queue_create(&l->q, entries, entries);
}

void loop_fini(struct loop *l)
{
	rt_syscall2(SYS_HANDLE_CLOSE, l->q.handle, 0);
}

/* Entries committed but not yet consumed by the kernel. */
static uint32_t loop_unsubmitted(const struct loop *l)
{
	return l->q.sq_tail -
	       __atomic_load_n(&l->q.header->sq_head, __ATOMIC_ACQUIRE);
}

int64_t loop_submit(struct loop *l, const struct queue_sqe *sqe,
		    struct queue_cqe *cqe)
{
	return loop_submit_ctx(l, sqe, cqe, NULL);
}

int64_t loop_cancel(struct loop *l, uint64_t ctx)
{
	struct queue_sqe *slot = rt_queue_sqe(&l->q);

	if (!slot) {
		return -(int64_t)ERR_NO_SPACE;
	}
	*slot = (struct queue_sqe){ .op = QUEUE_OP_CANCEL, .arg = { ctx } };
	slot->context = 0; /* nobody waits for the cancel's own completion */
	rt_queue_commit(&l->q);
	l->in_flight++;
	return 0;
}

int64_t loop_submit_ctx(struct loop *l, const struct queue_sqe *sqe,
			struct queue_cqe *cqe, uint64_t *ctx)
{
	struct loop_request req = { .fiber = fiber_self() };
	struct queue_sqe *slot;

	if (!req.fiber) {
		return -(int64_t)ERR_INVALID;
	}
	while (!(slot = rt_queue_sqe(&l->q))) {
		list_add_tail(&l->sq_waiters, &req.fiber->link);
		fiber_park();
	}
	*slot = *sqe;
	slot->context = (uint64_t)(uintptr_t)&req;
	rt_queue_commit(&l->q);
	l->in_flight++;
	if (ctx) {
		*ctx = slot->context;
	}
	while (!req.done) {
		fiber_park();
	}
	if (ctx) {
		*ctx = 0;
	}
	if (cqe) {
		*cqe = req.cqe;
	}
	return req.cqe.result;
}

int64_t loop_nop(struct loop *l, uint64_t value)
{
	struct queue_sqe sqe = { .op = QUEUE_OP_NOP, .arg = { value } };

	return loop_submit(l, &sqe, NULL);
}

int64_t loop_sleep_until(struct loop *l, uint64_t deadline_ns)
{
	struct queue_sqe sqe = { .op = QUEUE_OP_TIMER, .arg = { deadline_ns } };

	return loop_submit(l, &sqe, NULL);
}

int64_t loop_stream_send(struct loop *l, uint32_t ep, uint64_t conv,
			 const void *buf, size_t len, uint32_t handle,
			 uint64_t *conv_out)
{
	struct queue_sqe sqe = {
		.op = QUEUE_OP_STREAM_SEND,
		.handle = ep,
		.arg = { conv, (uint64_t)(uintptr_t)buf, len, handle },
	};
	struct queue_cqe cqe;
	int64_t r = loop_submit(l, &sqe, &cqe);

	if (conv_out) {
		*conv_out = cqe.value;
	}
	return r;
}

int64_t loop_stream_recv(struct loop *l, uint32_t ep, uint64_t conv,
			 void *buf, size_t cap, struct stream_recv_info *info,
			 uint64_t *value)
{
	struct queue_sqe sqe = {
		.op = QUEUE_OP_STREAM_RECV,
		.handle = ep,
		.arg = { conv, (uint64_t)(uintptr_t)buf, cap,
			 (uint64_t)(uintptr_t)info },
	};
	struct queue_cqe cqe;
	int64_t r = loop_submit(l, &sqe, &cqe);

	if (value) {
		*value = cqe.value;
	}
	return r;
}

/* Takes every completion in the ring and wakes its fiber. */
static void loop_reap(struct loop *l)
{
	struct queue_cqe cqe;

	while (rt_queue_reap(&l->q, &cqe)) {
		struct loop_request *req =
			(struct loop_request *)(uintptr_t)cqe.context;

		l->in_flight--;
		if (!req) {
			continue; /* a loop_cancel's own completion */
		}
		req->cqe = cqe;
		req->done = true;
		fiber_unpark(req->fiber);
	}
}

/* Fibers that found the submission ring full try again. */
static void loop_wake_sq_waiters(struct loop *l)
{
	struct list_node *n;

	while ((n = list_pop_head(&l->sq_waiters))) {
		fiber_unpark(container_of(n, struct fiber, link));
	}
}

err_t loop_run(struct loop *l)
{
	for (;;) {
		uint32_t pending;
		bool wait;

		fiber_run_round();
		pending = loop_unsubmitted(l);
		wait = !fiber_has_ready() && rt_queue_ready(&l->q) == 0;
		if (wait && l->in_flight == 0) {
			return ERR_OK;
		}
		if (pending || wait) {
			int64_t r = rt_queue_enter(&l->q, pending, wait ? 1 : 0,
						   ~0ul);

			if (r < 0) {
				return (err_t)-r;
			}
		}
		loop_reap(l);
		loop_wake_sq_waiters(l);
	}
}
