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

bool waitq_wake_thread_locked(struct waitq *wq, struct thread *t)
{
	if (!list_is_linked(&t->wait_link)) {
		return false;
	}
	list_remove(&t->wait_link);
	sched_wakeup(t);
	return true;
}

bool waitq_wake_thread_sync_locked(struct waitq *wq, struct thread *t)
{
	if (!list_is_linked(&t->wait_link)) {
		return false;
	}
	list_remove(&t->wait_link);
	sched_wakeup_sync(t);
	return true;
}
