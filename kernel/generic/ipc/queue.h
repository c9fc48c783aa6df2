/*
 * Completion queues (abi/keel/queue.h): the kernel side. A queue owns a
 * physically contiguous block holding the header and both rings, mapped
 * into its creator; the kernel reaches it through the direct map, so a
 * completion can be posted from any context (timer and IRQ callbacks).
 *
 * Submission: queue_enter copies each entry out of the ring and hands it
 * to the op's handler (queue.c's table), in the submitting thread's
 * context, with no lock held. A handler either completes the entry at
 * once or starts a request: a struct queue_request embedded in the op's
 * own state, which sits on the queue's pending list until its
 * completion is posted, exactly once, by queue_request_complete (the
 * event), by cancellation or by the queue's teardown.
 *
 * Locking: q->lock guards the rings, the kernel's indices and the lists.
 * queue_request_complete takes it, so it must not be called with q->lock
 * held; a request's cancel hook is called with q->lock held and may take
 * its own subsystem's lock (order: q->lock, then the subsystem's), which
 * is why a subsystem drops its lock before completing a request.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <base/list.h>
#include <keel/queue.h>
#include <mm/addr.h>
#include <object/kobject.h>
#include <sync/spinlock.h>
#include <sync/waitq.h>

struct process;
struct queue_request;

struct queue {
	struct kobject obj;
	struct spinlock lock;		/* everything below */
	struct queue_header *header;	/* direct-map view of the rings */
	struct queue_sqe *sqes;
	struct queue_cqe *cqes;
	paddr_t ring_phys;
	unsigned ring_order;
	uint32_t sq_entries, cq_entries;
	uint32_t sq_head;		/* the kernel's own copies: the ones */
	uint32_t cq_tail;		/* in shared memory are advisory */
	struct list_node pending;	/* requests in flight */
	struct list_node overflow;	/* completed, no room in the ring */
	uint32_t overflow_count;
	struct waitq waiters;		/* threads in queue_enter */
	bool dead;			/* last handle closed */
};

struct queue_request_ops {
	/* Takes the request out of what it waits on, so that it will not
	 * complete by itself; false if it is completing already. q->lock
	 * held. */
	bool (*cancel)(struct queue_request *req);
	/* Frees the request once its completion is posted or dropped. Any
	 * context, no lock held. */
	void (*release)(struct queue_request *req);
};

struct queue_request {
	struct list_node link;		/* pending or overflow, q->lock */
	struct queue *queue;		/* holds a reference */
	const struct queue_request_ops *ops;
	struct queue_cqe cqe;
	bool completed;			/* q->lock */
};

/* What an op handler did with an entry. */
enum queue_submit {
	QUEUE_SUBMIT_DONE,	/* *cqe filled: post it now */
	QUEUE_SUBMIT_PENDING,	/* a request was started */
};

/* Creates a queue with the given ring sizes (powers of two up to
 * QUEUE_MAX_ENTRIES) and maps it into @proc; returns the queue (one
 * reference) and the user address of its header. */
err_t queue_create(struct process *proc, uint32_t sq_entries,
		   uint32_t cq_entries, struct queue **out, uaddr_t *addr);
/* Consumes up to @to_submit SQEs, then waits for @min_complete
 * completions or @timeout_ns. Returns the number consumed in @submitted. */
err_t queue_enter(struct queue *q, uint32_t to_submit, uint32_t min_complete,
		  uint64_t timeout_ns, uint32_t *submitted);
/* Starts request @req for entry @sqe on @q (takes a queue reference and
 * puts it on the pending list). */
void queue_request_start(struct queue *q, struct queue_request *req,
			 const struct queue_sqe *sqe,
			 const struct queue_request_ops *ops);
/* Posts the completion of @req (see the locking rule above). Returns
 * false, doing nothing, if the request was already completed (by a
 * racing cancellation). */
bool queue_request_complete(struct queue_request *req, int64_t result,
			    uint64_t value);
