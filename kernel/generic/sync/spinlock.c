/*
 * Ticket spinlocks (see spinlock.h). Fair: CPUs get the lock in the order
 * they asked for it.
 */
#include <arch/x86_64/cpu.h>
#include <smp/percpu.h>
#include <sync/spinlock.h>

_Static_assert(SPIN_PERCPU_OFF_ID == PERCPU_OFF_ID, "spinlock.h's CPU id");

bool spin_trylock(struct spinlock *lock)
{
	bool was = cpu_irq_save();
	uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
	uint32_t expected = owner;

	if (__atomic_compare_exchange_n(&lock->next, &expected, owner + 1,
					false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED)) {
		lock->irq_was_enabled = was;
		lock->holder_cpu = (int32_t)percpu_id();
		return true;
	}
	cpu_irq_restore(was);
	return false;
}

bool spin_is_held(const struct spinlock *lock)
{
	return lock->holder_cpu == (int32_t)percpu_id() &&
	       lock->owner != lock->next;
}
