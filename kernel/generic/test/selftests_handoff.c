/*
 * Self-tests of the direct hand-off (sched.h): a thread that wakes a
 * waiter with sched_wakeup_sync and then blocks gives it its CPU, taking
 * it over from the CPU it last ran on; a waiter pinned elsewhere is woken
 * there instead; a window ended without blocking still wakes it.
 */
#include <sched/sched.h>
#include <smp/percpu.h>
#include <smp/smp.h>
#include <sync/waitq.h>
#include <test/selftest.h>
#include <time/clock.h>

struct handoff_test {
	struct waitq go;	/* the waiter sleeps here */
	struct waitq back;	/* the test sleeps here */
	volatile bool go_flag, back_flag, waiting;
	unsigned park_cpu;	/* where the waiter blocks */
	uint64_t affinity;	/* the waiter's while it blocks */
	volatile unsigned ran_on;
	struct thread *waiter;
};

static void wait_flag(struct waitq *wq, volatile bool *flag)
{
	spin_lock(&wq->lock);
	while (!*flag) {
		waitq_wait_locked(wq);
		spin_lock(&wq->lock);
	}
	spin_unlock(&wq->lock);
}

static void waiter_thread(void *arg)
{
	struct handoff_test *t = arg;

	sched_set_affinity(1ul << t->park_cpu);
	sched_set_affinity(t->affinity); /* last ran on park_cpu */
	spin_lock(&t->go.lock);
	t->waiting = true;
	while (!t->go_flag) {
		waitq_wait_locked(&t->go);
		spin_lock(&t->go.lock);
	}
	spin_unlock(&t->go.lock);
	t->ran_on = percpu_id();
	spin_lock(&t->back.lock);
	t->back_flag = true;
	waitq_wake_all_locked(&t->back);
	spin_unlock(&t->back.lock);
}

/* Starts a waiter that blocks on CPU @park with @affinity, then wakes it
 * from CPU 0 for a hand-off (@block) or without one; returns the CPU it
 * ran on after the wake-up, ~0u on a setup failure. */
static unsigned run_handoff(unsigned park, uint64_t affinity, bool block)
{
	static struct handoff_test t;
	uint64_t deadline;

	t = (struct handoff_test){ .park_cpu = park, .affinity = affinity,
				   .ran_on = ~0u };
	waitq_init(&t.go);
	waitq_init(&t.back);
	if (sched_set_affinity(1ul) != ERR_OK ||
	    thread_create_kernel("handoff", waiter_thread, &t, &t.waiter) !=
		    ERR_OK) {
		return ~0u;
	}
	sched_start(t.waiter);
	/* Until it sleeps for good (its registers saved). */
	deadline = clock_ns() + 2000000000ul;
	while ((!t.waiting || t.waiter->state != THREAD_STATE_BLOCKED) &&
	       clock_ns() < deadline) {
		sched_sleep_ns(1000000);
	}
	sched_handoff_arm();
	spin_lock(&t.go.lock);
	t.go_flag = true;
	waitq_wake_thread_sync_locked(&t.go, t.waiter);
	spin_unlock(&t.go.lock);
	if (!block) {
		sched_handoff_flush();
	}
	wait_flag(&t.back, &t.back_flag);
	thread_join(t.waiter);
	thread_put(t.waiter);
	sched_set_affinity(~0ul);
	return t.ran_on;
}

SELFTEST(handoff_takes_the_waiter_over)
{
	unsigned other = smp_online_count() > 1 ? 1 : 0;

	/* It blocked on the other CPU and may run anywhere: the CPU goes
	 * straight to it, here. */
	ST_CHECK(run_handoff(other, ~0ul, true) == 0);
}

SELFTEST(handoff_respects_affinity)
{
	unsigned other = smp_online_count() > 1 ? 1 : 0;

	/* Pinned to the other CPU: woken there the usual way. */
	ST_CHECK(run_handoff(other, 1ul << other, true) == other);
}

SELFTEST(handoff_flushed_without_blocking)
{
	unsigned other = smp_online_count() > 1 ? 1 : 0;
	unsigned ran = run_handoff(other, ~0ul, false);

	/* Not blocked on: an ordinary wake-up, on any CPU, never lost. */
	ST_CHECK(ran != ~0u);
}
