/*
 * Client side of completion queues (abi/keel/queue.h) for native
 * programs: create a queue, fill submission entries, enter the kernel,
 * reap completions. The ring index logic is plain inline code with no
 * system calls, so host tests run it against a ring in ordinary memory.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <keel/error.h>
#include <keel/handle.h>
#include <keel/queue.h>

struct rt_queue {
	handle_t handle;
	struct queue_header *header;
	struct queue_sqe *sqes;
	struct queue_cqe *cqes;
	uint32_t sq_tail;	/* private copy; published by rt_queue_commit */
};

/* Binds @q to the rings at @header (as SYS_QUEUE_CREATE mapped them). */
static inline void rt_queue_bind(struct rt_queue *q, handle_t handle,
				 struct queue_header *header)
{
	q->handle = handle;
	q->header = header;
	q->sqes = (struct queue_sqe *)((uint8_t *)header + header->sq_offset);
	q->cqes = (struct queue_cqe *)((uint8_t *)header + header->cq_offset);
	q->sq_tail = header->sq_tail;
}

/* The next free submission entry, zeroed, or NULL when the ring is full
 * (the kernel has not consumed enough yet). */
static inline struct queue_sqe *rt_queue_sqe(struct rt_queue *q)
{
	uint32_t head = __atomic_load_n(&q->header->sq_head, __ATOMIC_ACQUIRE);
	struct queue_sqe *sqe;

	if (q->sq_tail - head >= q->header->sq_entries) {
		return 0;
	}
	sqe = &q->sqes[q->sq_tail & (q->header->sq_entries - 1)];
	*sqe = (struct queue_sqe){ 0 };
	q->sq_tail++;
	return sqe;
}

/* Publishes the entries taken with rt_queue_sqe; returns how many are
 * waiting for the kernel. */
static inline uint32_t rt_queue_commit(struct rt_queue *q)
{
	__atomic_store_n(&q->header->sq_tail, q->sq_tail, __ATOMIC_RELEASE);
	return q->sq_tail - q->header->sq_head;
}

/* Completions ready to be read. */
static inline uint32_t rt_queue_ready(const struct rt_queue *q)
{
	return __atomic_load_n(&q->header->cq_tail, __ATOMIC_ACQUIRE) -
	       q->header->cq_head;
}

/* Takes the next completion into @out; false when none is ready. */
static inline bool rt_queue_reap(struct rt_queue *q, struct queue_cqe *out)
{
	uint32_t head = q->header->cq_head;

	if (rt_queue_ready(q) == 0) {
		return false;
	}
	*out = q->cqes[head & (q->header->cq_entries - 1)];
	__atomic_store_n(&q->header->cq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

#ifndef HOST_TEST
/* Creates a queue (SYS_QUEUE_CREATE) and binds @q to it. */
err_t rt_queue_create(struct rt_queue *q, uint32_t sq_entries,
		      uint32_t cq_entries);
/* SYS_QUEUE_ENTER: returns entries consumed, or a negated err_t. */
int64_t rt_queue_enter(struct rt_queue *q, uint32_t to_submit,
		       uint32_t min_complete, uint64_t timeout_ns);
#endif
