/*
 * Sleeping mutexes for thread context (never in interrupt handlers). Not
 * recursive; unlocking a mutex one does not own is a kernel bug.
 */
#pragma once

#include <stdbool.h>

#include <sync/waitq.h>

struct thread;

struct mutex {
	struct waitq wq;
	struct thread *owner;
	uint64_t contentions;	/* times a locker had to sleep */
};

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
