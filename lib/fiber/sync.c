/*
 * Fiber mutex and condition variable (sync.h). A waiting fiber sits on
 * the wait queue through its own link (a parked fiber is on no other
 * list) and is unparked by whoever takes it off.
 */
#include <fiber/sync.h>

void fiber_mutex_init(struct fiber_mutex *m)
{
	m->locked = false;
	m->owner = NULL;
	list_init(&m->waiters);
}

bool fiber_mutex_trylock(struct fiber_mutex *m)
{
	if (m->locked) {
		return false;
	}
	m->locked = true;
	m->owner = fiber_self();
	return true;
}

void fiber_mutex_lock(struct fiber_mutex *m)
{
	struct fiber *self = fiber_self();

	if (!m->locked) {
		m->locked = true;
		m->owner = self;
		return;
	}
	list_add_tail(&m->waiters, &self->link);
	/* unlock makes us the owner before it unparks us. */
	while (m->owner != self) {
		fiber_park();
	}
}

void fiber_mutex_unlock(struct fiber_mutex *m)
{
	struct list_node *n = list_pop_head(&m->waiters);
	struct fiber *next;

	if (!n) {
		m->locked = false;
		m->owner = NULL;
		return;
	}
	next = container_of(n, struct fiber, link);
	m->owner = next;
	fiber_unpark(next);
}

void fiber_cond_init(struct fiber_cond *c)
{
	list_init(&c->waiters);
}

void fiber_cond_wait(struct fiber_cond *c, struct fiber_mutex *m)
{
	struct fiber *self = fiber_self();

	list_add_tail(&c->waiters, &self->link);
	fiber_mutex_unlock(m);
	fiber_park();
	fiber_mutex_lock(m);
}

static bool cond_wake_one(struct fiber_cond *c)
{
	struct list_node *n = list_pop_head(&c->waiters);

	if (!n) {
		return false;
	}
	fiber_unpark(container_of(n, struct fiber, link));
	return true;
}

void fiber_cond_signal(struct fiber_cond *c)
{
	cond_wake_one(c);
}

void fiber_cond_broadcast(struct fiber_cond *c)
{
	while (cond_wake_one(c)) {
	}
}
