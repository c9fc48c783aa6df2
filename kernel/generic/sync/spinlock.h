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

#include <arch/x86_64/cpu.h>

/* The CPU id, as percpu_id() reads it; smp/percpu.h cannot be included
 * here (its struct embeds locks), so its offset is repeated (checked in
 * spinlock.c). */
#define SPIN_PERCPU_OFF_ID 32

static inline int32_t spin_cpu_id(void)
{
	int32_t id;

	__asm__ volatile("movl %%gs:%c1, %0"
			 : "=r"(id)
			 : "i"(SPIN_PERCPU_OFF_ID));
	return id;
}

/* Acquires @lock with interrupts disabled. Inline: the IPC paths take a
 * dozen locks per message, uncontended. */
static inline void spin_lock(struct spinlock *lock)
{
	bool was = cpu_irq_save();
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket) {
		cpu_pause();
	}
	lock->irq_was_enabled = was;
	lock->holder_cpu = spin_cpu_id();
}

/* Releases @lock and restores the interrupt state saved by spin_lock. */
static inline void spin_unlock(struct spinlock *lock)
{
	bool was = lock->irq_was_enabled;

	lock->holder_cpu = -1;
	__atomic_store_n(&lock->owner, lock->owner + 1, __ATOMIC_RELEASE);
	cpu_irq_restore(was);
}
/* Acquires @lock if free; returns whether it did. */
bool spin_trylock(struct spinlock *lock);
/* Whether the current CPU holds @lock (for assertions). */
bool spin_is_held(const struct spinlock *lock);
