/*
 * Timer queues (see timer.h). Locking: each queue has a spinlock; a
 * timer's queue pointer changes only under that queue's lock, so cancel
 * can find and lock the right queue even if another CPU armed it.
 */
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <base/list.h>
#include <log/log.h>
#include <sched/sched.h>
#include <smp/percpu.h>
#include <time/clock.h>
#include <time/timer.h>

#define LOG_SUBSYS "timer"

void timer_queue_init(struct timer_queue *queue)
{
	spin_init(&queue->lock);
	timer_heap_init(&queue->heap);
}

void timer_init(struct timer *timer, timer_fn fn, void *ctx)
{
	timer->fn = fn;
	timer->ctx = ctx;
	timer->queue = NULL;
}

bool timer_cancel(struct timer *timer)
{
	for (;;) {
		struct timer_queue *q =
			__atomic_load_n(&timer->queue, __ATOMIC_ACQUIRE);

		if (!q) {
			return false;
		}
		spin_lock(&q->lock);
		if (timer->queue == q) {
			timer_heap_remove(&q->heap, &timer->node);
			timer->queue = NULL;
			spin_unlock(&q->lock);
			return true;
		}
		spin_unlock(&q->lock); /* moved meanwhile: look again */
	}
}

void timer_arm(struct timer *timer, uint64_t deadline_ns)
{
	struct timer_queue *q;
	bool earliest, was;

	timer_cancel(timer);
	/* Interrupts off from here: the queue must stay this CPU's. */
	was = cpu_irq_save();
	q = &percpu_this()->timers;
	spin_lock(&q->lock);
	timer_heap_insert(&q->heap, &timer->node, deadline_ns);
	__atomic_store_n(&timer->queue, q, __ATOMIC_RELEASE);
	earliest = timer_heap_min(&q->heap) == &timer->node;
	if (earliest) {
		timer_program_next();
	}
	spin_unlock(&q->lock);
	cpu_irq_restore(was);
}

void timer_program_next(void)
{
	struct percpu *cpu = percpu_this();
	uint64_t now = clock_ns();
	uint64_t next = now + TIMER_TICK_NS;
	struct timer_heap_node *min = timer_heap_min(&cpu->timers.heap);

	/* Read without the lock: a racing arm reprograms after us. */
	if (min && min->key < next) {
		next = min->key;
	}
	apic_timer_oneshot(next > now ? next - now : 0);
}

void timer_interrupt(void)
{
	struct percpu *cpu = percpu_this();
	struct timer_queue *q = &cpu->timers;
	uint64_t now = clock_ns();

	for (;;) {
		struct timer_heap_node *min;
		struct timer *t;

		spin_lock(&q->lock);
		min = timer_heap_min(&q->heap);
		if (!min || min->key > now) {
			spin_unlock(&q->lock);
			break;
		}
		timer_heap_pop(&q->heap);
		t = container_of(min, struct timer, node);
		__atomic_store_n(&t->queue, NULL, __ATOMIC_RELEASE);
		spin_unlock(&q->lock);
		t->fn(t);
	}
	cpu->ticks++;
	sched_tick();
	timer_program_next();
}
