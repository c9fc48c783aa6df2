/*
 * Linux futexes for the programs the server runs. A waiter is keyed by
 * its process and address: threads of one process share it (private and
 * shared futexes alike, until MAP_SHARED memory between processes needs
 * keys by memory object, as the kernel's own futexes have).
 */
#pragma once

#include <stdint.h>

struct lproc;

/* Wakes up to @n waiters on @uaddr of @p (any bitset); returns how many. */
int futex_wake(struct lproc *p, uint64_t uaddr, int n);
