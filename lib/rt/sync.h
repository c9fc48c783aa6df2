/*
 * Futex wrappers and a mutex for native programs with several threads.
 * The mutex is the classic three-state futex lock: 0 free, 1 locked,
 * 2 locked with (possible) waiters; an uncontended lock and unlock make
 * no system call.
 */
#pragma once

#include <stdint.h>

#include <rt/rt.h>

static inline int64_t rt_futex_wait(volatile uint32_t *word, uint32_t expected,
				    uint64_t timeout_ns)
{
	return rt_syscall6(SYS_FUTEX_WAIT, (uint64_t)word, expected,
			   timeout_ns, 0, 0, 0);
}

static inline int64_t rt_futex_wake(volatile uint32_t *word, uint64_t count)
{
	return rt_syscall6(SYS_FUTEX_WAKE, (uint64_t)word, count, 0, 0, 0, 0);
}

struct rt_mutex {
	volatile uint32_t state;
};

static inline void rt_mutex_lock(struct rt_mutex *m)
{
	uint32_t c = 0;

	if (__atomic_compare_exchange_n(&m->state, &c, 1, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		return;
	}
	if (c != 2) {
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	}
	while (c != 0) {
		rt_futex_wait(&m->state, 2, ~0ul);
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	}
}

static inline void rt_mutex_unlock(struct rt_mutex *m)
{
	if (__atomic_exchange_n(&m->state, 0, __ATOMIC_RELEASE) == 2) {
		rt_futex_wake(&m->state, 1);
	}
}
