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
 * caller with @lock held); @lock is released once the switch is safe. */
void sched_block(struct spinlock *lock);
/* As sched_block, for a wait that a stop request or a kill cuts short
 * (THREAD_WORK_INTERRUPT bits, see sched_interrupt). Returns whether the
 * thread is interrupted, in which case it may not have slept at all and
 * must take itself off whatever list it put itself on. */
bool sched_block_interruptible(struct spinlock *lock);
/* Whether the current thread has an interruption pending. */
bool sched_interrupt_pending(void);
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
/* Cuts @t's interruptible wait short, or sends it into the kernel if it
 * runs elsewhere, so that it does its user work soon; the caller set the
 * work bits first (see sched.c). Any thread context. */
void sched_interrupt(struct thread *t);
/* Sets @t's priority (0..SCHED_PRIORITIES-1), requeueing it if ready. */
void sched_set_priority(struct thread *t, unsigned priority);
/* The CPUs online, a bit per CPU id. */
uint64_t sched_online_mask(void);
/* The running thread. */
struct thread *sched_current(void);
/* Threads ready to run on CPU @cpu (for tests and statistics). */
unsigned sched_nr_ready(unsigned cpu);
