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
/* Wakes the longest waiter; returns whether there was one. */
bool waitq_wake_one(struct waitq *wq);
/* Wakes every waiter; returns how many. */
unsigned waitq_wake_all(struct waitq *wq);
/* As waitq_wake_all, with wq->lock held by the caller. */
unsigned waitq_wake_all_locked(struct waitq *wq);
/* Wakes @thread only, if it sleeps on @wq (wq->lock held, and @thread can
 * sleep on no other queue meanwhile); returns whether it did. The _sync
 * form wakes it with sched_wakeup_sync (hand-off, sched.h). */
struct thread;
bool waitq_wake_thread_locked(struct waitq *wq, struct thread *thread);
bool waitq_wake_thread_sync_locked(struct waitq *wq, struct thread *thread);
