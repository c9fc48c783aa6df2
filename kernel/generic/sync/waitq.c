/*
 * Wait queues (see waitq.h). Waiters are woken in FIFO order.
 */
#include <sched/sched.h>
#include <smp/percpu.h>
#include <sync/waitq.h>

void waitq_init(struct waitq *wq)
{
	spin_init(&wq->lock);
	list_init(&wq->waiters);
}

void waitq_wait_locked(struct waitq *wq)
{
	struct thread *self = sched_current();

	self->state = THREAD_STATE_BLOCKED;
	list_add_tail(&wq->waiters, &self->wait_link);
	sched_block(&wq->lock);
}

bool waitq_wait_interruptible_locked(struct waitq *wq)
{
	struct thread *self = sched_current();

	if (sched_interrupt_pending()) {
		spin_unlock(&wq->lock);
		return true;
	}
	self->state = THREAD_STATE_BLOCKED;
	list_add_tail(&wq->waiters, &self->wait_link);
	if (!sched_block_interruptible(&wq->lock)) {
		return false;
	}
	/* Woken by sched_interrupt rather than by a waker (or both): off
	 * the list, so that a later wait can link the node again. A waker
	 * that popped it already left it pointing to itself. */
	spin_lock(&wq->lock);
	list_remove(&self->wait_link);
	spin_unlock(&wq->lock);
	return true;
}

static bool wake_first_locked(struct waitq *wq)
{
	struct list_node *n = list_pop_head(&wq->waiters);

	if (!n) {
		return false;
	}
	sched_wakeup(container_of(n, struct thread, wait_link));
	return true;
}

bool waitq_wake_one(struct waitq *wq)
{
	bool woke;

	spin_lock(&wq->lock);
	woke = wake_first_locked(wq);
	spin_unlock(&wq->lock);
	return woke;
}

unsigned waitq_wake_all_locked(struct waitq *wq)
{
	unsigned n = 0;

	while (wake_first_locked(wq)) {
		n++;
	}
	return n;
}

unsigned waitq_wake_all(struct waitq *wq)
{
	unsigned n;

	spin_lock(&wq->lock);
	n = waitq_wake_all_locked(wq);
	spin_unlock(&wq->lock);
	return n;
}
