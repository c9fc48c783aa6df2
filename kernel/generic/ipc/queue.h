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
 * A request is released (ops->release) when its completion is done with
 * and no other holder is left: a multishot request stays where its
 * events find it after each completion, so whoever posts to it takes a
 * reference first (queue_request_get, under the lock of the list it
 * found it on) and drops it after.
 *
 * Every entry consumed holds a completion slot in the ring until its
 * handler returns (q->cq_reserved), so an immediate completion always
 * fits and needs no record of its own; completions of requests that find
 * the ring full wait on the overflow list in their request.
 *
 * Waiting: threads in queue_enter wait on q->waiters (struct
 * queue_waiter, on their stack), each for its own number of completions;
 * a post wakes only the waiters it satisfies, with sched_wakeup_sync, so
 * that a thread which completes a request and then blocks on its own
 * queue hands its CPU straight to the waiter (sched.h, hand-off).
 *
 * Locking: q->lock guards the rings, the kernel's indices, the lists and
 * the waiters. queue_request_complete takes it, so it must not be called
 * with q->lock held; a request's cancel hook is called with q->lock held
 * and may take its own subsystem's lock (order: q->lock, then the
 * subsystem's), which is why a subsystem drops its lock before completing
 * a request.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <base/list.h>
#include <keel/queue.h>
#include <mm/addr.h>
#include <object/kobject.h>
#include <sync/spinlock.h>

struct process;
struct queue_request;
struct thread;

struct queue {
	struct kobject obj;
	struct spinlock lock;		/* everything below */
	struct queue_header *header;	/* direct-map view of the rings */
	struct queue_sqe *sqes;
	uint8_t *cqes;			/* cq_entry_size bytes each */
	paddr_t ring_phys;
	unsigned ring_order;
	uint32_t sq_entries, cq_entries;
	uint32_t cq_entry_size;		/* 32, or 128 (wide) */
	uint32_t sq_head;		/* the kernel's own copies: the ones */
	uint32_t cq_tail;		/* in shared memory are advisory */
	uint32_t cq_reserved;		/* slots held by entries in flight */
	struct list_node pending;	/* requests in flight */
	struct list_node overflow;	/* completed, no room in the ring */
	uint32_t overflow_count;
	struct list_node waiters;	/* struct queue_waiter */
	bool dead;			/* last handle closed */
	void *spare_block;		/* queue_request_alloc (atomic) */
};

/* A thread in queue_enter waiting for @min completions (its stack). */
struct queue_waiter {
	struct list_node link;		/* q->waiters, q->lock */
	struct thread *thread;
	uint32_t min;
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
	const void *data;		/* inline payload (wide queues), in */
	uint32_t data_len;		/* the request's own memory */
	uint32_t refs;			/* atomic: released at 0 */
	bool skip_success;		/* QUEUE_SQE_SKIP_SUCCESS */
	bool multishot;			/* QUEUE_SQE_MULTISHOT */
	bool completed;			/* q->lock */
};

/* An immediate completion, as an op handler fills it in (queue_enter's
 * stack): the handlers get &c->cqe and may add an inline payload with
 * queue_cqe_set_data. */
struct queue_completion {
	struct queue_cqe cqe;
	uint32_t data_len;
	uint8_t data[QUEUE_INLINE_MAX];
};

/* What an op handler did with an entry. */
enum queue_submit {
	QUEUE_SUBMIT_DONE,	/* *cqe filled: post it now */
	QUEUE_SUBMIT_PENDING,	/* a request was started */
};

/* Creates a queue with the given ring sizes (powers of two up to
 * QUEUE_MAX_ENTRIES) and QUEUE_CREATE_* @flags and maps it into @proc;
 * returns the queue (one reference) and the user address of its header. */
err_t queue_create(struct process *proc, uint32_t sq_entries,
		   uint32_t cq_entries, uint32_t flags, struct queue **out,
		   uaddr_t *addr);
/* Consumes up to @to_submit SQEs, then waits for @min_complete
 * completions or @timeout_ns. Returns the number consumed in @submitted. */
err_t queue_enter(struct queue *q, uint32_t to_submit, uint32_t min_complete,
		  uint64_t timeout_ns, uint32_t *submitted);
/* Whether completions of @q carry inline payloads. */
static inline bool queue_is_wide(const struct queue *q)
{
	return q->cq_entry_size > sizeof(struct queue_cqe);
}
/* The space for an inline payload of the immediate completion @cqe (a
 * handler's argument): at most QUEUE_INLINE_MAX bytes; the handler
 * writes them there and calls queue_cqe_set_data with their number. */
static inline void *queue_cqe_data(struct queue_cqe *cqe)
{
	return container_of(cqe, struct queue_completion, cqe)->data;
}
static inline void queue_cqe_set_data(struct queue_cqe *cqe, uint32_t len)
{
	container_of(cqe, struct queue_completion, cqe)->data_len = len;
	cqe->flags |= QUEUE_CQE_INLINE;
}
/* Memory for an op's request record (at most QUEUE_REQUEST_BLOCK bytes):
 * each queue keeps one freed block, so that an op submitted over and
 * over (a receive in a server's loop) does not allocate each time. NULL
 * when memory is exhausted. queue_request_free gives it back (in the
 * release hook, any context). */
#define QUEUE_REQUEST_BLOCK 320
void *queue_request_alloc(struct queue *q);
void queue_request_free(struct queue *q, void *block);
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
/* Reference counting of a request (see above). */
static inline void queue_request_get(struct queue_request *req)
{
	__atomic_fetch_add(&req->refs, 1, __ATOMIC_RELAXED);
}
void queue_request_put(struct queue_request *req);

/* What queue_request_post did. */
enum queue_post {
	QUEUE_POST_MORE,	/* posted; the request stays armed */
	QUEUE_POST_ENDED,	/* no room: this was its last completion; it
				 * is off its subsystem's list (cancel hook) */
	QUEUE_POST_GONE,	/* it had ended already: nothing posted, the
				 * event is still the caller's */
};
/* Posts one completion of multishot request @req (QUEUE_CQE_MORE) with
 * @len bytes of inline payload at @data (copied now; NULL: none), the
 * request staying armed. When the ring has no room, the request ends
 * with this completion instead: the payload is copied to @keep (the
 * request's own memory) and the request is taken off its subsystem's
 * list with its cancel hook. The caller holds a reference to @req and
 * no lock. */
enum queue_post queue_request_post(struct queue_request *req, int64_t result,
				   uint64_t value, const void *data,
				   uint32_t len, void *keep);
/* As queue_request_complete, with @len bytes of inline payload at @data
 * (QUEUE_CQE_INLINE; @data must live until the request is released, it
 * is copied when the entry is written, which may be later when the ring
 * is full). Only for wide queues. */
bool queue_request_complete_data(struct queue_request *req, int64_t result,
				 uint64_t value, const void *data,
				 uint32_t len);
