/*
 * One-shot kernel timers. Each CPU has a timer queue (a pairing heap of
 * deadlines, time/timer_heap.h) and its local APIC timer is programmed for
 * the earliest deadline or the next scheduler tick, whichever comes
 * first. A timer is armed on the queue of the CPU that arms it; its
 * callback runs there, in interrupt context, with no lock held.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <sync/spinlock.h>
#include <time/timer_heap.h>

struct timer;
typedef void (*timer_fn)(struct timer *timer);

struct timer_queue {
	struct spinlock lock;
	struct timer_heap heap;
};

struct timer {
	struct timer_heap_node node;
	timer_fn fn;
	void *ctx;
	struct timer_queue *queue; /* where armed; NULL when not armed */
};

void timer_queue_init(struct timer_queue *queue);
/* Prepares @timer to call @fn (with @timer, whose ctx is @ctx). */
void timer_init(struct timer *timer, timer_fn fn, void *ctx);
/* Arms @timer for monotonic time @deadline_ns on this CPU (re-arming an
 * armed timer moves it). A deadline in the past fires at the next tick. */
void timer_arm(struct timer *timer, uint64_t deadline_ns);
/* Disarms @timer; returns true if it was pending (so will not run). */
bool timer_cancel(struct timer *timer);
/* The scheduler tick length. */
#define TIMER_TICK_NS 10000000ul
/* Local timer interrupt: runs expired timers, ticks the scheduler and
 * programs the next interrupt. Interrupt context. */
void timer_interrupt(void);
/* Programs this CPU's next timer interrupt. */
void timer_program_next(void);
