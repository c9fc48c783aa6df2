/*
 * The event loop: one completion queue (struct rt_queue) driven on behalf
 * of the fibers of one OS thread. A fiber calls loop_submit (or a helper)
 * and parks; the SQE's context points at a request record on that fiber's
 * stack, so when the completion comes back, in whatever order, the loop
 * knows whom to wake and where to put the result. Many fibers can have
 * requests in flight at once.
 *
 * loop_run is the scheduler: it runs a round of ready fibers, hands every
 * SQE they prepared to the kernel with one SYS_QUEUE_ENTER (which waits
 * for a completion when no fiber is ready), reaps all completions and
 * unparks their fibers, and so on until nothing is ready or in flight.
 *
 *	static void worker(void *arg) { loop_sleep_until(&loop, t); ... }
 *	loop_init(&loop, 64);
 *	fiber_create(NULL, worker, NULL, 0);
 *	loop_run(&loop);
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <base/list.h>
#include <fiber/fiber.h>
#include <keel/error.h>
#include <keel/queue.h>
#include <rt/queue.h>

struct stream_recv_info;

struct loop {
	struct rt_queue q;
	uint32_t in_flight;	/* requests whose completion is not reaped */
	struct list_node sq_waiters; /* fibers waiting for a free SQE */
};

/* Creates the loop's queue with @entries submission and completion
 * entries (a power of two, at most QUEUE_MAX_ENTRIES). Errors of
 * SYS_QUEUE_CREATE. */
err_t loop_init(struct loop *l, uint32_t entries);

/* Closes the loop's queue; operations still pending in the kernel are
 * dropped. Call it with nothing in flight. */
void loop_fini(struct loop *l);

/* Runs fibers and completions until no fiber is ready and no request is
 * in flight (fibers parked on something else, say a fiber_cond nobody
 * will signal, stay parked). Called outside any fiber. Returns ERR_OK, or
 * what SYS_QUEUE_ENTER failed with. */
err_t loop_run(struct loop *l);

/* From a fiber: submits a copy of @sqe (its context is replaced) and
 * parks until its completion arrives. Returns the completion's result (>=
 * 0, or a negated err_t) and copies the completion to @cqe if not NULL.
 * -ERR_INVALID outside a fiber. */
/* As loop_submit, and while the operation is pending *@ctx holds its
 * context (0 once it completed), for loop_cancel from another fiber. */
int64_t loop_submit_ctx(struct loop *l, const struct queue_sqe *sqe,
			struct queue_cqe *cqe, uint64_t *ctx);
/* Asks the kernel to cancel the pending operation with context @ctx (as
 * loop_submit_ctx published it); it then completes, usually with
 * -ERR_CANCELLED. Does not wait. Returns -ERR_NO_SPACE when the
 * submission ring is full (try again later), else 0. */
int64_t loop_cancel(struct loop *l, uint64_t ctx);
int64_t loop_submit(struct loop *l, const struct queue_sqe *sqe,
		    struct queue_cqe *cqe);

/* QUEUE_OP_NOP round trip: returns @value (63 bits). */
int64_t loop_nop(struct loop *l, uint64_t value);

/* Parks the calling fiber until monotonic time @deadline_ns
 * (QUEUE_OP_TIMER). Returns 0 or a negated err_t. */
int64_t loop_sleep_until(struct loop *l, uint64_t deadline_ns);

/* QUEUE_OP_STREAM_SEND on endpoint @ep (abi/keel/stream.h): returns the
 * length sent or a negated err_t; the conversation id goes to @conv_out
 * if not NULL. */
int64_t loop_stream_send(struct loop *l, uint32_t ep, uint64_t conv,
			 const void *buf, size_t len, uint32_t handle,
			 uint64_t *conv_out);

/* QUEUE_OP_STREAM_RECV on endpoint @ep: returns the message's length or a
 * negated err_t; the completion's value (the conversation id) goes to
 * @value if not NULL, and the details to @info if not NULL. */
int64_t loop_stream_recv(struct loop *l, uint32_t ep, uint64_t conv,
			 void *buf, size_t cap, struct stream_recv_info *info,
			 uint64_t *value);
