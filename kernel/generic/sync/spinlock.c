/*
 * Ticket spinlocks (see spinlock.h). Fair: CPUs get the lock in the order
 * they asked for it.
 */
#include <arch/x86_64/cpu.h>
#include <smp/percpu.h>
#include <sync/spinlock.h>

void spin_lock(struct spinlock *lock)
{
	bool was = cpu_irq_save();
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket) {
		cpu_pause();
	}
	lock->irq_was_enabled = was;
	lock->holder_cpu = (int32_t)percpu_id();
}

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

void spin_unlock(struct spinlock *lock)
{
	bool was = lock->irq_was_enabled;

	lock->holder_cpu = -1;
	__atomic_store_n(&lock->owner, lock->owner + 1, __ATOMIC_RELEASE);
	cpu_irq_restore(was);
}

bool spin_is_held(const struct spinlock *lock)
{
	return lock->holder_cpu == (int32_t)percpu_id() &&
	       lock->owner != lock->next;
}
