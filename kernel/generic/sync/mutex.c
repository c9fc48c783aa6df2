/*
 * Sleeping mutexes (see mutex.h), built on a wait queue whose lock also
 * guards the owner field. Unlock hands over by waking one waiter, which
 * then competes for the mutex again (no strict hand-off: simpler, and
 * fair enough with FIFO wake-ups).
 */
#include <log/log.h>
#include <sched/sched.h>
#include <sync/mutex.h>

void mutex_init(struct mutex *m)
{
	waitq_init(&m->wq);
	m->owner = NULL;
	m->contentions = 0;
}

void mutex_lock(struct mutex *m)
{
	struct thread *self = sched_current();

	spin_lock(&m->wq.lock);
	KASSERT(m->owner != self);
	while (m->owner) {
		m->contentions++;
		waitq_wait_locked(&m->wq);
		spin_lock(&m->wq.lock);
	}
	m->owner = self;
	spin_unlock(&m->wq.lock);
}

bool mutex_trylock(struct mutex *m)
{
	bool got = false;

	spin_lock(&m->wq.lock);
	if (!m->owner) {
		m->owner = sched_current();
		got = true;
	}
	spin_unlock(&m->wq.lock);
	return got;
}

void mutex_unlock(struct mutex *m)
{
	spin_lock(&m->wq.lock);
	KASSERT(m->owner == sched_current());
	m->owner = NULL;
	spin_unlock(&m->wq.lock);
	waitq_wake_one(&m->wq);
}
