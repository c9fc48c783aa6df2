/*
 * Mutex and condition variable for fibers of one OS thread. Fibers switch
 * only where they choose to, so these need no atomics: they exist to hold
 * something across a park (a request in flight, a yield). Waiters queue
 * in FIFO order; unlock hands the mutex straight to the first waiter, so
 * nobody can overtake a fiber that waited.
 *
 * Locking and waiting must happen in a fiber (the scheduler cannot park);
 * unlocking and signalling may happen anywhere.
 */
#pragma once

#include <stdbool.h>

#include <base/list.h>
#include <fiber/fiber.h>

struct fiber_mutex {
	bool locked;
	struct fiber *owner;	/* NULL when the scheduler holds it */
	struct list_node waiters;
};

struct fiber_cond {
	struct list_node waiters;
};

#define FIBER_MUTEX_INIT(name) { false, NULL, LIST_INIT((name).waiters) }
#define FIBER_COND_INIT(name) { LIST_INIT((name).waiters) }

void fiber_mutex_init(struct fiber_mutex *m);
/* Takes @m, parking until its holder hands it over. */
void fiber_mutex_lock(struct fiber_mutex *m);
/* Takes @m if it is free; returns whether it did. */
bool fiber_mutex_trylock(struct fiber_mutex *m);
/* Releases @m (held by the caller) to the first waiter, if any. */
void fiber_mutex_unlock(struct fiber_mutex *m);

void fiber_cond_init(struct fiber_cond *c);
/* Releases @m, parks until signalled, then takes @m again. Callers
 * re-check their condition in a loop, as with any condition variable. */
void fiber_cond_wait(struct fiber_cond *c, struct fiber_mutex *m);
/* Wakes the longest waiter of @c, if any. */
void fiber_cond_signal(struct fiber_cond *c);
/* Wakes every waiter of @c. */
void fiber_cond_broadcast(struct fiber_cond *c);
