/*
 * Completion queues (abi/keel/queue.h): the kernel side. A queue owns a
 * physically contiguous block holding the header and both rings, mapped
 * into its creator; the kernel reaches it through the direct map, so a
 * completion can be posted from any context (timer and IRQ callbacks).
 *
 * Operations that cannot complete at once become a struct queue_request
 * record, kept on the queue's pending list (found by context for
 * cancellation). A record's completion is posted exactly once: by the
 * event, by cancellation, or by the queue's teardown.
 */
#pragma once

#include <stdint.h>

#include <base/list.h>
#include <keel/queue.h>
#include <mm/addr.h>
#include <object/kobject.h>
#include <sync/spinlock.h>
#include <sync/waitq.h>
#include <time/timer.h>

struct process;

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
	struct list_node pending;	/* struct queue_request, in flight */
	struct list_node overflow;	/* completed, no room in the ring */
	uint32_t overflow_count;
	struct waitq waiters;		/* threads in queue_enter */
	bool dead;			/* last handle closed */
};

struct queue_request {
	struct list_node link;		/* pending or overflow list */
	struct queue *queue;		/* holds a reference */
	uint64_t context;
	uint32_t op;
	struct timer timer;		/* QUEUE_OP_TIMER */
	struct queue_cqe cqe;		/* for the overflow list */
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
