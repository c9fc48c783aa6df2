/*
 * Spinlocks: ticket locks that also disable interrupts on the local CPU
 * while held (so an interrupt handler can never spin on a lock its own CPU
 * holds, and a thread holding one is never preempted). The interrupt state
 * is saved in the lock by its owner and restored on unlock, so nested
 * locks must be released in reverse order.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t next;
	volatile uint32_t owner;
	bool irq_was_enabled;
	int32_t holder_cpu; /* for diagnostics; -1 when free */
};

#define SPINLOCK_INIT { 0, 0, false, -1 }

static inline void spin_init(struct spinlock *lock)
{
	*lock = (struct spinlock)SPINLOCK_INIT;
}

/* Acquires @lock with interrupts disabled. */
void spin_lock(struct spinlock *lock);
/* Releases @lock and restores the interrupt state saved by spin_lock. */
void spin_unlock(struct spinlock *lock);
/* Acquires @lock if free; returns whether it did. */
bool spin_trylock(struct spinlock *lock);
/* Whether the current CPU holds @lock (for assertions). */
bool spin_is_held(const struct spinlock *lock);
