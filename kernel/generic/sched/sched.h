/*
 * The scheduler: preemptive, priority-based round robin on per-CPU run
 * queues, with a time slice of one timer tick, wake-ups placed on the
 * least loaded allowed CPU, and idle CPUs stealing work from busy ones
 * before they halt.
 *
 * Context: sched_wakeup and sched_tick may run in interrupt context;
 * everything that blocks needs thread context with no spinlock held
 * (except the one handed to sched_block).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <sched/thread.h>
#include <smp/percpu.h>
#include <sync/spinlock.h>

/* Makes the boot context the boot CPU's idle thread. */
void sched_init(void);
/* Same for an application processor; then runs its idle loop forever. */
_Noreturn void sched_run_ap(void);
/* Makes a NEW thread runnable. */
void sched_start(struct thread *thread);
/* Makes a BLOCKED thread runnable (no-op for other states). Any context. */
void sched_wakeup(struct thread *thread);
/* Blocks the current thread (its state already set to BLOCKED by the
 * caller with @lock held); @lock is released once the switch is safe.
 * With a hand-off pending (below), switches straight to that thread. */
void sched_block(struct spinlock *lock);

/*
 * Direct hand-off. A thread that is about to wait for an answer (a
 * request submitted on its queue, a supervised Linux call) arms it; the
 * first thread it then wakes with sched_wakeup_sync is not put on a run
 * queue but remembered, and when the current thread blocks, the CPU goes
 * straight to it: no run-queue trip, no IPI to the CPU it last ran on
 * (it is taken over to this CPU if its affinity allows), and it runs on
 * the rest of the waker's time slice. It only happens when that thread
 * is still blocked and nothing of a higher priority is ready here;
 * otherwise it is made ready as usual. sched_handoff_flush ends the
 * window without blocking (the remembered thread is made ready then);
 * blocking, preemption and exit end it too, so a wake-up is never lost,
 * only postponed to the end of the waker's system call.
 */
static inline void sched_handoff_arm(void)
{
	percpu_current()->handoff_armed = true;
}
/* Wakes @thread like sched_wakeup, or remembers it for the hand-off.
 * Any context; locks of the waker's own may be held. */
void sched_wakeup_sync(struct thread *thread);
void sched_handoff_release(struct thread *self);
static inline void sched_handoff_flush(void)
{
	struct thread *self = percpu_current();

	self->handoff_armed = false;
	if (self->handoff) {
		sched_handoff_release(self);
	}
}
void sched_yield(void);
/* Sleeps for @ns. */
void sched_sleep_ns(uint64_t ns);
/* The current thread dies with @code. */
_Noreturn void sched_exit(int code);
/* Timer tick on this CPU (interrupt context). */
void sched_tick(void);
/* Switches threads if this CPU was asked to; interrupt exit path. */
void sched_preempt_point(void);
/* Lets threads on this CPU be scheduled (boot CPU, after init). */
void sched_idle_loop(void) __attribute__((noreturn));
/* Restricts the current thread to the CPUs in @mask (bit per CPU id) and
 * moves it to one of them if needed. ERR_INVALID if no online CPU is in
 * @mask. */
err_t sched_set_affinity(uint64_t mask);
/* The running thread (one GS-relative load, see smp/percpu.h). */
static inline struct thread *sched_current(void)
{
	return percpu_current();
}
/* Threads ready to run on CPU @cpu (for tests and statistics). */
unsigned sched_nr_ready(unsigned cpu);
