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
	uint8_t *cqes;
	uint32_t cq_entry_size;	/* 32, or 128 for a wide queue */
	uint32_t sq_tail;	/* private copy; published by rt_queue_commit */
};

/* Binds @q to the rings at @header (as SYS_QUEUE_CREATE mapped them). */
static inline void rt_queue_bind(struct rt_queue *q, handle_t handle,
				 struct queue_header *header)
{
	q->handle = handle;
	q->header = header;
	q->sqes = (struct queue_sqe *)((uint8_t *)header + header->sq_offset);
	q->cqes = (uint8_t *)header + header->cq_offset;
	/* 0 from a kernel that predates wide queues */
	q->cq_entry_size = header->cq_entry_size ? header->cq_entry_size
						 : sizeof(struct queue_cqe);
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

/* The next completion, left in the ring (with its inline data, in a
 * wide queue: ((const struct queue_cqe_wide *)cqe)->data), or NULL when
 * none is ready. rt_queue_advance gives its slot back. */
static inline const struct queue_cqe *rt_queue_peek(const struct rt_queue *q)
{
	uint32_t head = q->header->cq_head;

	if (rt_queue_ready(q) == 0) {
		return 0;
	}
	return (const struct queue_cqe *)(q->cqes +
					  (head & (q->header->cq_entries - 1)) *
						  q->cq_entry_size);
}

static inline void rt_queue_advance(struct rt_queue *q)
{
	__atomic_store_n(&q->header->cq_head, q->header->cq_head + 1,
			 __ATOMIC_RELEASE);
}

/* Takes the next completion into @out (its header only: see
 * rt_queue_reap_data for inline payloads); false when none is ready. */
static inline bool rt_queue_reap(struct rt_queue *q, struct queue_cqe *out)
{
	const struct queue_cqe *cqe = rt_queue_peek(q);

	if (!cqe) {
		return false;
	}
	*out = *cqe;
	rt_queue_advance(q);
	return true;
}

/* As rt_queue_reap; an inline payload (QUEUE_CQE_INLINE, wide queues)
 * is copied to @data, at most @cap bytes, the rest cut off. */
static inline bool rt_queue_reap_data(struct rt_queue *q,
				      struct queue_cqe *out, void *data,
				      uint32_t cap)
{
	const struct queue_cqe *cqe = rt_queue_peek(q);

	if (!cqe) {
		return false;
	}
	*out = *cqe;
	if (cqe->flags & QUEUE_CQE_INLINE) {
		const uint8_t *src = ((const struct queue_cqe_wide *)cqe)->data;
		uint8_t *dst = data;

		for (uint32_t i = 0; i < cap && i < QUEUE_INLINE_MAX; i++) {
			dst[i] = src[i];
		}
	}
	rt_queue_advance(q);
	return true;
}

#ifndef HOST_TEST
/* Creates a queue (SYS_QUEUE_CREATE) and binds @q to it. */
err_t rt_queue_create(struct rt_queue *q, uint32_t sq_entries,
		      uint32_t cq_entries);
/* The same with QUEUE_CREATE_* @flags (QUEUE_CREATE_WIDE). */
err_t rt_queue_create_flags(struct rt_queue *q, uint32_t sq_entries,
			    uint32_t cq_entries, uint32_t flags);
/* SYS_QUEUE_ENTER: returns entries consumed, or a negated err_t. */
int64_t rt_queue_enter(struct rt_queue *q, uint32_t to_submit,
		       uint32_t min_complete, uint64_t timeout_ns);
#endif
