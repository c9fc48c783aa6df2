/*
 * A CPU's run queue: one FIFO list per priority and a bitmap of the
 * non-empty ones, so picking the next thread is a bit scan. Locked by
 * rq->lock; the scheduler (sched.c) owns all of it.
 */
#pragma once

#include <stdint.h>

#include <base/list.h>
#include <sync/spinlock.h>

#define SCHED_PRIORITIES 32
#define SCHED_PRIORITY_DEFAULT 16
#define SCHED_PRIORITY_IDLE 0

struct runqueue {
	struct spinlock lock;
	struct list_node queues[SCHED_PRIORITIES];
	uint32_t bitmap;
	unsigned nr_ready;
	bool need_resched;
};

static inline void runqueue_init(struct runqueue *rq)
{
	spin_init(&rq->lock);
	for (unsigned i = 0; i < SCHED_PRIORITIES; i++) {
		list_init(&rq->queues[i]);
	}
	rq->bitmap = 0;
	rq->nr_ready = 0;
	rq->need_resched = false;
}
