/*
 * Wait queues: threads sleep on a queue until another thread or an
 * interrupt handler wakes them. The protocol avoids lost wake-ups: the
 * waiter checks its condition with wq->lock held and calls
 * waitq_wait_locked, which gives the lock up only once the thread is
 * committed to sleeping; wakers take wq->lock.
 *
 *	spin_lock(&wq->lock);
 *	while (!cond) {
 *		waitq_wait_locked(wq);
 *		spin_lock(&wq->lock);
 *	}
 *	spin_unlock(&wq->lock);
 */
#pragma once

#include <stdbool.h>

#include <base/list.h>
#include <sync/spinlock.h>

struct waitq {
	struct spinlock lock;
	struct list_node waiters;
};

void waitq_init(struct waitq *wq);
/* Sleeps on @wq; the caller holds wq->lock, which is released (and not
 * re-taken) by the time this returns. */
void waitq_wait_locked(struct waitq *wq);
/* As waitq_wait_locked, for a wait that a stop request or a kill cuts
 * short (THREAD_WORK_INTERRUPT, sched_interrupt): returns true, without
 * having slept or off @wq's list again, when the thread was interrupted;
 * the caller then checks its condition once more (under wq->lock) and
 * gives up the wait if it still does not hold. */
bool waitq_wait_interruptible_locked(struct waitq *wq);
/* Wakes the longest waiter; returns whether there was one. */
bool waitq_wake_one(struct waitq *wq);
/* Wakes every waiter; returns how many. */
unsigned waitq_wake_all(struct waitq *wq);
/* As waitq_wake_all, with wq->lock held by the caller. */
unsigned waitq_wake_all_locked(struct waitq *wq);
