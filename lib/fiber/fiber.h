/*
 * Fibers: cooperative user-level threads, each with its own stack, all
 * run by one OS thread. A fiber runs until it yields, parks or ends;
 * nothing preempts it, so fibers of one OS thread share data without
 * atomics or locks (fiber_mutex in fiber/sync.h is for holding something
 * across a park).
 *
 * The context that calls fiber_run (the OS thread's own stack, "the
 * scheduler") is not a fiber: every fiber switches back to it when it
 * yields, parks or ends, and it picks the next one from the ready queue,
 * in FIFO order. Keeping one place that regains control between fibers
 * is what lets the event loop (fiber/loop.h) look at its completion ring
 * between rounds even while some fibers only yield.
 *
 * The scheduler state is per process for now (one OS thread runs
 * fibers); fibers of other OS threads will need it per thread.
 *
 * A fiber's stack comes from a pluggable allocator; struct fiber itself
 * lives at the top of that allocation, so creating a fiber allocates
 * once. When a fiber ends, the scheduler gives its stack back.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <base/list.h>
#include <keel/error.h>

#define FIBER_STACK_DEFAULT (64u * 1024)
#define FIBER_STACK_MIN (8u * 1024)

enum fiber_state {
	FIBER_STATE_READY,	/* on the ready queue */
	FIBER_STATE_RUNNING,
	FIBER_STATE_PARKED,	/* waits for fiber_unpark */
	FIBER_STATE_DONE,	/* ended; stack freed at the next switch */
};

/* Private to lib/fiber; shown so that sync.c and loop.c can embed it. */
struct fiber {
	void *sp;		/* saved stack pointer while switched out */
	struct list_node link;	/* ready queue, or one wait queue */
	enum fiber_state state;
	void (*fn)(void *arg);
	void *arg;
	void *stack;		/* lowest usable byte (allocator's address) */
	size_t stack_size;	/* bytes at @stack, this struct included */
	const void *asan_bottom; /* host ASan builds: the stack's bounds */
	size_t asan_size;
	void *local;		/* its owner's data (fiber-local), NULL at
				 * creation */
};

/*
 * Where fiber stacks come from. alloc returns the lowest address of @size
 * writable bytes, page-aligned, or NULL; it should leave an inaccessible
 * guard page just below so that an overflow faults instead of corrupting
 * the neighbour. free gets back what alloc handed out.
 */
struct fiber_stack_allocator {
	void *(*alloc)(size_t size);
	void (*free)(void *stack, size_t size);
};

/* Installs @a for stacks created from now on (stacks already handed out
 * go back to the allocator that made them). In the guest the default maps
 * fresh memory objects (SYS_MEMORY_CREATE + SYS_VM_MAP) with a guard
 * page; host builds have no default. */
void fiber_set_stack_allocator(const struct fiber_stack_allocator *a);

/* Creates a fiber that will run fn(arg) on a stack of @stack_size bytes
 * (rounded up to pages; 0: FIBER_STACK_DEFAULT) and makes it ready; it
 * first runs when the scheduler reaches it. Returning from @fn ends the
 * fiber. Stores it in *@out (may be NULL); the pointer is valid until the
 * fiber ends. ERR_INVALID (stack smaller than FIBER_STACK_MIN),
 * ERR_NO_MEMORY, ERR_NOT_SUPPORTED (no allocator). */
err_t fiber_create(struct fiber **out, void (*fn)(void *arg), void *arg,
		   size_t stack_size);

/* The running fiber, or NULL in the scheduler (outside any fiber). */
struct fiber *fiber_self(void);

/* Puts the running fiber at the end of the ready queue and lets the
 * others run. Outside a fiber it does nothing. */
void fiber_yield(void);

/* Stops the running fiber until someone calls fiber_unpark on it. The
 * caller records itself somewhere first (a wait queue, a request) so that
 * it can be found. Outside a fiber it does nothing: the scheduler cannot
 * wait for itself. */
void fiber_park(void);

/* Makes parked fiber @f ready; returns false (and does nothing) when @f
 * was not parked. */
bool fiber_unpark(struct fiber *f);

/* Ends the running fiber (as returning from its function does). Must be
 * called in a fiber. */
_Noreturn void fiber_exit(void);

/* Scheduler side: runs each fiber that is ready now once, in order;
 * fibers made ready meanwhile wait for the next round. Returns how many
 * ran. Must be called outside any fiber. */
size_t fiber_run_round(void);

/* Scheduler side: runs fibers until none is ready. */
void fiber_run(void);

/* Whether some fiber is ready to run. */
bool fiber_has_ready(void);

/* Fibers created and not yet ended. */
size_t fiber_count(void);
