/*
 * Blocking of the server's fibers (wait.h). A waiting fiber puts one
 * pwaiter on each head it waits on, and its group on the timer list when
 * it has a deadline. One timer fiber sleeps on a kernel timer until the
 * earliest deadline of every ptimer (waits, alarms, interval timers); an
 * earlier new deadline cancels that sleep so the timer fiber re-arms.
 *
 * Everything here runs on the server's single OS thread: no locks.
 */
#include <base/string.h>
#include <fiber/fiber.h>
#include <fiber/loop.h>
#include <linux_abi/errno.h>
#include <rt/malloc.h>
#include <rt/rt.h>

#include "proc.h"
#include "server.h"
#include "signal.h"
#include "wait.h"

#define PWAIT_INLINE 4

struct pwait_group {
	struct ptimer timer;		/* armed when the wait has a deadline */
	struct fiber *fiber;
	bool timed_out;
	bool interrupted;
};

static struct list_node timers = LIST_INIT(timers);
static struct fiber *timer_fiber;
static bool timer_idle;			/* parked with nothing to time */
static uint64_t timer_armed = ~0ull;	/* deadline of the pending sleep */
static uint64_t timer_ctx;		/* its context, for loop_cancel */

void pwait_head_init(struct pwait_head *head)
{
	list_init(&head->waiters);
}

void pwait_wake(struct pwait_head *head)
{
	struct list_node *pos;

	list_for_each(pos, &head->waiters) {
		struct pwaiter *w = container_of(pos, struct pwaiter, link);

		if (!w->woken) {
			w->woken = true;
			fiber_unpark(w->fiber);
		}
	}
}

static void timer_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct list_node *first = list_first(&timers);
		struct ptimer *pt;
		uint64_t now;

		if (!first) {
			timer_idle = true;
			fiber_park();
			timer_idle = false;
			continue;
		}
		pt = container_of(first, struct ptimer, link);
		now = rt_clock_ns();
		if (pt->deadline <= now) {
			list_remove(&pt->link);
			pt->fire(pt);
			continue;
		}
		timer_armed = pt->deadline;
		struct queue_sqe sqe = { .op = QUEUE_OP_TIMER,
					 .arg = { pt->deadline } };
		loop_submit_ctx(&posix_loop, &sqe, NULL, &timer_ctx);
		timer_armed = ~0ull;
	}
}

void ptimer_arm(struct ptimer *pt, uint64_t deadline)
{
	struct list_node *pos;

	if (list_is_linked(&pt->link)) {
		list_remove(&pt->link);
	}
	pt->deadline = deadline;
	if (!timer_fiber &&
	    fiber_create(&timer_fiber, timer_main, NULL, 0) != ERR_OK) {
		timer_fiber = NULL;
	}
	list_for_each(pos, &timers) {
		struct ptimer *o = container_of(pos, struct ptimer, link);

		if (o->deadline > deadline) {
			break;
		}
	}
	list_add_tail(pos, &pt->link); /* before pos */
	if (timer_idle) {
		fiber_unpark(timer_fiber);
	} else if (deadline < timer_armed && timer_ctx) {
		loop_cancel(&posix_loop, timer_ctx);
	}
}

void ptimer_cancel(struct ptimer *pt)
{
	if (!list_is_linked(&pt->link)) {
		return;
	}
	list_remove(&pt->link);
	/* The kernel timer was set for this one: let the timer fiber re-arm
	 * for the next, or rest (an armed kernel timer keeps the event loop
	 * busy, and a oneshot server from ending). */
	if (pt->deadline == timer_armed && timer_ctx) {
		loop_cancel(&posix_loop, timer_ctx);
	}
}

static void group_timed_out(struct ptimer *pt)
{
	struct pwait_group *g = container_of(pt, struct pwait_group, timer);

	g->timed_out = true;
	fiber_unpark(g->fiber);
}

void pwait_interrupt(struct lthread *t)
{
	if (t->waiting && !t->waiting->interrupted) {
		t->waiting->interrupted = true;
		fiber_unpark(t->waiting->fiber);
	}
}

int pwait_any(struct pwait_head *const *heads, unsigned n,
	      uint64_t deadline_ns)
{
	struct pwaiter inline_waiters[PWAIT_INLINE];
	struct pwaiter *w = inline_waiters;
	struct pwait_group g = { .fiber = fiber_self() };
	struct lthread *t = proc_current();
	bool woken = false;
	int ret = 0;

	if (t && signal_is_pending(t)) {
		return -LINUX_EINTR;
	}
	if (deadline_ns != ~0ull && deadline_ns <= rt_clock_ns()) {
		return -LINUX_ETIMEDOUT;
	}
	if (n > PWAIT_INLINE) {
		w = calloc(n, sizeof(*w));
		if (!w) {
			return -LINUX_ENOMEM;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		w[i].fiber = g.fiber;
		w[i].woken = false;
		list_add_tail(&heads[i]->waiters, &w[i].link);
	}
	ptimer_init(&g.timer, group_timed_out);
	if (deadline_ns != ~0ull) {
		ptimer_arm(&g.timer, deadline_ns);
	}
	if (t) {
		t->waiting = &g;
	}
	for (;;) {
		for (unsigned i = 0; i < n && !woken; i++) {
			woken = w[i].woken;
		}
		if (woken || g.timed_out || g.interrupted) {
			break;
		}
		fiber_park();
	}
	if (t) {
		t->waiting = NULL;
	}
	ptimer_cancel(&g.timer);
	for (unsigned i = 0; i < n; i++) {
		list_remove(&w[i].link);
	}
	if (w != inline_waiters) {
		free(w);
	}
	if (!woken) {
		ret = g.interrupted ? -LINUX_EINTR : -LINUX_ETIMEDOUT;
	}
	return ret;
}
