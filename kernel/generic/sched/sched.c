/*
 * The scheduler (see sched.h).
 *
 * Locking: each CPU's run queue lock protects its queues and the state of
 * the threads on them. A context switch happens with the lock of the
 * switching CPU's run queue held; the thread switched to releases it
 * (sched_finish_switch). So a waker, which takes the run queue lock of the
 * CPU a blocked thread last ran on, only sees that thread once its
 * registers are saved. A thread's cpu field changes only while it is
 * READY (stolen by another CPU, under both run queue locks).
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/fpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/paging.h>
#include <arch/x86_64/trap.h>
#include <base/string.h>
#include <log/log.h>
#include <sched/sched.h>
#include <smp/percpu.h>
#include <time/clock.h>
#include <time/timer.h>
#include <user/process.h>

#define LOG_SUBSYS "sched"

struct thread *sched_switch(struct thread *prev, struct thread *next);
void sched_thread_start(struct thread *prev);

static struct thread boot_idle_thread;

unsigned sched_nr_ready(unsigned cpu)
{
	return cpu < percpu_count && percpu_all[cpu]
		       ? __atomic_load_n(&percpu_all[cpu]->rq.nr_ready,
					 __ATOMIC_RELAXED)
		       : 0;
}

/* Run queue operations; rq->lock held. */
static void rq_enqueue(struct runqueue *rq, struct thread *t)
{
	list_add_tail(&rq->queues[t->priority], &t->rq_link);
	rq->bitmap |= 1u << t->priority;
	rq->nr_ready++;
}

static void rq_remove(struct runqueue *rq, struct thread *t)
{
	list_remove(&t->rq_link);
	if (list_is_empty(&rq->queues[t->priority])) {
		rq->bitmap &= ~(1u << t->priority);
	}
	rq->nr_ready--;
}

static struct thread *rq_pick(struct runqueue *rq)
{
	unsigned prio;
	struct thread *t;

	if (!rq->bitmap) {
		return NULL;
	}
	prio = 31 - (unsigned)__builtin_clz(rq->bitmap);
	t = container_of(rq->queues[prio].next, struct thread, rq_link);
	rq_remove(rq, t);
	return t;
}

static void idle_thread_init(struct thread *idle, struct percpu *cpu)
{
	memset(idle, 0, sizeof(*idle));
	strlcpy(idle->name, "idle", sizeof(idle->name));
	idle->state = THREAD_STATE_RUNNING;
	idle->priority = SCHED_PRIORITY_IDLE;
	idle->cpu = cpu->id;
	idle->affinity = 1ul << cpu->id;
	idle->refcount = 1;
	list_init(&idle->rq_link);
	list_init(&idle->wait_link);
	waitq_init(&idle->exit_wait);
	cpu->idle = idle;
	cpu->current = idle;
}

static void resched_ipi(struct trap_frame *frame);

void sched_init(void)
{
	idle_thread_init(&boot_idle_thread, percpu_this());
	trap_set_handler(TRAP_IPI_RESCHED, resched_ipi);
}

/* Second half of a switch, in the thread switched to: release the run
 * queue lock taken by the switching thread, and drop the scheduler's
 * reference to a thread that died. */
static void make_ready(struct thread *t, unsigned target);
static unsigned pick_cpu(uint64_t affinity, unsigned hint);

static void sched_finish_switch(struct thread *prev)
{
	struct percpu *cpu = percpu_this();

	spin_unlock(&cpu->rq.lock);
	if (prev->state == THREAD_STATE_DEAD) {
		thread_put(prev);
	} else if (prev->state == THREAD_STATE_MIGRATING) {
		/* Its registers are saved now: it may run elsewhere. */
		unsigned target = pick_cpu(prev->affinity, prev->cpu);
		struct percpu *c = percpu_all[target];

		spin_lock(&c->rq.lock);
		make_ready(prev, target);
		spin_unlock(&c->rq.lock);
	}
}

/* Switches from the current thread to @next; cpu->rq.lock held.
 * @slice_end: the end of @next's time slice, 0 for a fresh one. */
static void switch_to(struct percpu *cpu, struct thread *next,
		      uint64_t slice_end)
{
	struct thread *prev = cpu->current;
	uint64_t stack_top = next->kstack + THREAD_STACK_SIZE;

	if (!(next->affinity & (1ul << cpu->id))) {
		panic("switch_to: thread %lu (%s) on cpu %u outside affinity "
		      "%#lx", next->id, next->name, cpu->id, next->affinity);
	}
	next->state = THREAD_STATE_RUNNING;
	next->cpu = cpu->id;
	next->slice_end_ns = slice_end ? slice_end : clock_ns() + TIMER_TICK_NS;
	next->switches++;
	cpu->current = next;
	if (next->kstack) {
		cpu->kernel_rsp = stack_top;
		gdt_set_kernel_stack(stack_top);
	}
	if (prev->fpu) {
		fpu_save(prev->fpu);
	}
	if (next->process) {
		process_switch_to(next);
		cpu_wrmsr(MSR_FS_BASE, next->fs_base);
		/* The user's GS base waits in KERNEL_GS_BASE until swapgs. */
		cpu_wrmsr(MSR_KERNEL_GS_BASE, next->gs_base);
	} else {
		paging_switch(paging_kernel_root());
	}
	if (next->fpu) {
		fpu_restore(next->fpu);
	}
	prev = sched_switch(prev, next);
	sched_finish_switch(prev);
}

/* Picks and switches to the next thread. @requeue: put the current thread
 * back on the run queue. Interrupts disabled, cpu->rq.lock held. */
static void schedule_locked(struct percpu *cpu)
{
	struct thread *prev = cpu->current;
	struct thread *next;

	cpu->rq.need_resched = false;
	if (prev->state == THREAD_STATE_RUNNING && prev != cpu->idle) {
		if (prev->affinity & (1ul << cpu->id)) {
			prev->state = THREAD_STATE_READY;
			rq_enqueue(&cpu->rq, prev);
		} else {
			prev->state = THREAD_STATE_MIGRATING;
		}
	}
	next = rq_pick(&cpu->rq);
	if (!next) {
		next = cpu->idle;
	}
	if (next == prev) {
		prev->state = THREAD_STATE_RUNNING;
		prev->slice_end_ns = clock_ns() + TIMER_TICK_NS;
		spin_unlock(&cpu->rq.lock);
		return;
	}
	switch_to(cpu, next, 0);
}

static void schedule(void)
{
	bool was = cpu_irq_save();
	struct percpu *cpu;

	sched_handoff_release(percpu_current()); /* preempted: wake it now */
	cpu = percpu_this();
	spin_lock(&cpu->rq.lock);
	schedule_locked(cpu);
	cpu_irq_restore(was);
}

void sched_yield(void)
{
	schedule();
}

static void block_handoff(struct percpu *cpu, struct spinlock *lock,
			  struct thread *next);

void sched_block(struct spinlock *lock)
{
	bool was = lock->irq_was_enabled;
	struct thread *self = percpu_current();
	struct thread *next = self->handoff;
	struct percpu *cpu = percpu_this();

	self->handoff_armed = false;
	if (next) {
		self->handoff = NULL;
		block_handoff(cpu, lock, next);
		thread_put(next); /* the hand-off's reference */
		cpu_irq_restore(was);
		return;
	}
	spin_lock(&cpu->rq.lock);
	/* Interrupts stay off until the switch is over; restore them after. */
	lock->irq_was_enabled = false;
	spin_unlock(lock);
	schedule_locked(cpu);
	cpu_irq_restore(was);
}

struct sleeper {
	struct waitq wq;
	bool done;
};

/* Timer callback: the sleeper's stack frame is valid until done is seen,
 * so everything happens under its lock. */
static void sleep_timer_fired(struct timer *timer)
{
	struct sleeper *s = timer->ctx;

	spin_lock(&s->wq.lock);
	s->done = true;
	waitq_wake_all_locked(&s->wq);
	spin_unlock(&s->wq.lock);
}

void sched_sleep_ns(uint64_t ns)
{
	struct sleeper s = { .done = false };
	struct timer timer;

	waitq_init(&s.wq);
	timer_init(&timer, sleep_timer_fired, &s);
	timer_arm(&timer, clock_ns() + ns);
	spin_lock(&s.wq.lock);
	while (!s.done) {
		waitq_wait_locked(&s.wq);
		spin_lock(&s.wq.lock);
	}
	spin_unlock(&s.wq.lock);
}

/* The least loaded online CPU in @affinity, preferring @hint on ties. */
static unsigned pick_cpu(uint64_t affinity, unsigned hint)
{
	unsigned best = hint;
	unsigned best_load = ~0u;

	for (unsigned i = 0; i < percpu_count; i++) {
		struct percpu *c = percpu_all[i];
		unsigned load;

		if (!c || !c->online || !(affinity & (1ul << i))) {
			continue;
		}
		load = c->rq.nr_ready + (c->current != c->idle);
		if (load < best_load || (load == best_load && i == hint)) {
			best = i;
			best_load = load;
		}
	}
	return best;
}

/* Puts @t (BLOCKED or NEW) on CPU @target's run queue and pokes it. */
static void make_ready(struct thread *t, unsigned target)
{
	struct percpu *c = percpu_all[target];
	struct thread *running;

	if (!(t->affinity & (1ul << target))) {
		panic("make_ready: thread %lu (%s) to cpu %u outside affinity "
		      "%#lx (state %d)", t->id, t->name, target, t->affinity,
		      t->state);
	}
	t->cpu = target;
	t->state = THREAD_STATE_READY;
	rq_enqueue(&c->rq, t);
	running = c->current;
	if (running == c->idle || t->priority > running->priority) {
		c->rq.need_resched = true;
		if (c != percpu_this()) {
			apic_send_ipi(c->apic_id, TRAP_IPI_RESCHED);
		}
	}
}

void sched_start(struct thread *t)
{
	unsigned target = pick_cpu(t->affinity, percpu_id());
	struct percpu *c = percpu_all[target];

	spin_lock(&c->rq.lock);
	KASSERT(t->state == THREAD_STATE_NEW);
	make_ready(t, target);
	spin_unlock(&c->rq.lock);
}

void sched_wakeup(struct thread *t)
{
	for (;;) {
		unsigned cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		struct percpu *c = percpu_all[cpu];

		spin_lock(&c->rq.lock);
		if (t->cpu != cpu) { /* stolen meanwhile */
			spin_unlock(&c->rq.lock);
			continue;
		}
		if (t->state == THREAD_STATE_BLOCKED) {
			make_ready(t, cpu);
		}
		spin_unlock(&c->rq.lock);
		return;
	}
}

void sched_wakeup_sync(struct thread *t)
{
	struct thread *self = percpu_current();

	if (self->handoff_armed && !self->handoff && t != self) {
		thread_get(t);
		self->handoff = t;
		return;
	}
	sched_wakeup(t);
}

/* Makes @self's remembered thread ready the usual way. */
void sched_handoff_release(struct thread *self)
{
	struct thread *t = self->handoff;

	if (t) {
		self->handoff = NULL;
		sched_wakeup(t);
		thread_put(t);
	}
}

/* Takes this CPU's run queue lock and, when @t last ran on another CPU,
 * that CPU's too (lower CPU id first, as steal_work); returns the other
 * CPU (locked) or NULL. Interrupts disabled. */
static struct percpu *lock_for_handoff(struct percpu *cpu, struct thread *t)
{
	for (;;) {
		unsigned id = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		struct percpu *c = percpu_all[id];

		if (c == cpu) {
			spin_lock(&cpu->rq.lock);
			if (t->cpu == id) {
				return NULL;
			}
			spin_unlock(&cpu->rq.lock);
			continue;
		}
		if (c->id < cpu->id) {
			spin_lock(&c->rq.lock);
			spin_lock(&cpu->rq.lock);
		} else {
			spin_lock(&cpu->rq.lock);
			spin_lock(&c->rq.lock);
		}
		if (t->cpu == id) {
			return c;
		}
		spin_unlock(&c->rq.lock);
		spin_unlock(&cpu->rq.lock);
	}
}

/* sched_block with a hand-off to @next: the current thread is BLOCKED,
 * @lock held (interrupts off). Switches to @next if it is still blocked
 * (so its registers are saved: its CPU's run queue lock is held), may
 * run here and nothing more urgent is ready here; otherwise wakes it as
 * usual and schedules. */
static void block_handoff(struct percpu *cpu, struct spinlock *lock,
			  struct thread *next)
{
	struct thread *self = cpu->current;
	struct percpu *other = lock_for_handoff(cpu, next);
	uint32_t ready = cpu->rq.bitmap;
	bool take;

	lock->irq_was_enabled = false;
	spin_unlock(lock);
	take = next->state == THREAD_STATE_BLOCKED &&
	       (next->affinity & (1ul << cpu->id)) &&
	       (!ready ||
		31 - (unsigned)__builtin_clz(ready) <= next->priority);
	if (take) {
		next->cpu = cpu->id;
		if (other) {
			spin_unlock(&other->rq.lock);
		}
		switch_to(cpu, next, self->slice_end_ns);
		return;
	}
	if (next->state == THREAD_STATE_BLOCKED) {
		make_ready(next, next->cpu); /* its CPU's lock is held */
	}
	if (other) {
		spin_unlock(&other->rq.lock);
	}
	schedule_locked(cpu);
}

/* Moves one ready thread that may run here from the busiest other CPU to
 * this one. Interrupts disabled, no run queue lock held. */
static bool steal_work(struct percpu *self)
{
	struct percpu *victim = NULL;
	unsigned most = 0;
	bool moved = false;

	for (unsigned i = 0; i < percpu_count; i++) {
		struct percpu *c = percpu_all[i];

		if (c && c != self && c->online && c->rq.nr_ready > most) {
			most = c->rq.nr_ready;
			victim = c;
		}
	}
	if (!victim) {
		return false;
	}
	/* Lock order: lower CPU id first. */
	struct spinlock *first = victim->id < self->id ? &victim->rq.lock
						       : &self->rq.lock;
	struct spinlock *second = victim->id < self->id ? &self->rq.lock
							: &victim->rq.lock;
	spin_lock(first);
	spin_lock(second);
	for (int prio = SCHED_PRIORITIES - 1; prio >= 0 && !moved; prio--) {
		struct list_node *pos;

		list_for_each(pos, &victim->rq.queues[prio]) {
			struct thread *t =
				container_of(pos, struct thread, rq_link);

			if (t->affinity & (1ul << self->id)) {
				rq_remove(&victim->rq, t);
				t->cpu = self->id;
				rq_enqueue(&self->rq, t);
				moved = true;
				break;
			}
		}
	}
	spin_unlock(second);
	spin_unlock(first);
	return moved;
}

void sched_idle_loop(void)
{
	struct percpu *cpu = percpu_this();

	for (;;) {
		cpu_irq_disable();
		if (cpu->rq.nr_ready == 0) {
			steal_work(cpu);
		}
		if (cpu->rq.nr_ready > 0) {
			spin_lock(&cpu->rq.lock);
			schedule_locked(cpu);
			continue;
		}
		/* sti takes effect after hlt starts: no lost wake-up. */
		__asm__ volatile("sti; hlt" : : : "memory");
	}
}

void sched_tick(void)
{
	struct percpu *cpu = percpu_this();
	struct thread *cur = cpu->current;

	if (cpu->rq.nr_ready == 0) {
		return;
	}
	if (cur == cpu->idle || clock_ns() >= cur->slice_end_ns) {
		cpu->rq.need_resched = true;
	}
}

void sched_preempt_point(void)
{
	struct percpu *cpu = percpu_this();

	if (cpu->rq.need_resched && cpu->current != cpu->idle) {
		schedule();
	}
}

err_t sched_set_affinity(uint64_t mask)
{
	struct thread *self = sched_current();
	bool any = false;

	for (unsigned i = 0; i < percpu_count && i < 64; i++) {
		any |= percpu_all[i] && percpu_all[i]->online &&
		       (mask & (1ul << i));
	}
	if (!any) {
		return ERR_INVALID;
	}
	self->affinity = mask;
	if (!(mask & (1ul << percpu_id()))) {
		schedule(); /* switches out as MIGRATING, see above */
	}
	return ERR_OK;
}

static void resched_ipi(struct trap_frame *frame)
{
	percpu_this()->rq.need_resched = true;
}

_Noreturn void sched_run_ap(void)
{
	static struct thread idle_threads[PERCPU_MAX];
	struct percpu *cpu = percpu_this();

	idle_thread_init(&idle_threads[cpu->id], cpu);
	sched_idle_loop();
}

void sched_thread_start(struct thread *prev)
{
	struct thread *self;

	sched_finish_switch(prev);
	cpu_irq_enable();
	self = sched_current();
	if (!self->entry) {
		panic("thread %lu (%s, state %d, refs %u) started without entry",
		      self->id, self->name, self->state, self->refcount);
	}
	self->entry(self->arg);
	sched_exit(0);
}

_Noreturn void sched_exit(int code)
{
	struct thread *self = sched_current();
	struct percpu *cpu;

	sched_handoff_flush();
	handle_cache_flush(&self->handle_cache);
	self->exit_code = code;
	if (self->process) {
		process_thread_exit(self);
	}
	spin_lock(&self->exit_wait.lock);
	self->exited = true;
	spin_unlock(&self->exit_wait.lock);
	waitq_wake_all(&self->exit_wait);

	cpu_irq_disable();
	cpu = percpu_this();
	spin_lock(&cpu->rq.lock);
	self->state = THREAD_STATE_DEAD;
	schedule_locked(cpu);
	panic("dead thread %s ran again", self->name);
}
