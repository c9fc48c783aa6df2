/*
 * Futexes: wait until a 32-bit word changes, wake waiters on a word.
 * The key of a word is what the memory behind it is (vm_futex_key): a
 * memory object and an offset, or an address space and an address for
 * private memory, so processes that map the same object share futexes.
 *
 * Waiters sit in one of FUTEX_BUCKETS hashed buckets. The value is read
 * with the bucket lock held (through the page tables, never by faulting),
 * so a waker that changes the word and then wakes cannot be missed. A
 * stop request or a kill cuts a wait short (ERR_INTERRUPTED).
 */
#include <arch/x86_64/cpu.h>
#include <base/list.h>
#include <keel/syscall.h>
#include <log/log.h>
#include <mm/vm.h>
#include <sched/sched.h>
#include <sync/waitq.h>
#include <syscall/syscall.h>
#include <time/clock.h>
#include <time/timer.h>
#include <user/process.h>

#define FUTEX_BUCKETS 64

struct futex_waiter {
	struct list_node link;
	uintptr_t key_a;
	uint64_t key_b;
	bool woken;
	bool timed_out;
	bool timer_done;	/* the timeout callback is finished with us */
	struct waitq *wq;
};

static struct {
	struct waitq wq;		/* its lock guards waiters */
	struct list_node waiters;
	bool ready;
} buckets[FUTEX_BUCKETS];
static struct spinlock buckets_init_lock = SPINLOCK_INIT;

static unsigned bucket_of(uintptr_t a, uint64_t b)
{
	uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ul)) * 0xff51afd7ed558ccdul;

	return (unsigned)(h >> 58) % FUTEX_BUCKETS;
}

static void buckets_init(void)
{
	if (__atomic_load_n(&buckets[FUTEX_BUCKETS - 1].ready,
			    __ATOMIC_ACQUIRE)) {
		return;
	}
	spin_lock(&buckets_init_lock);
	if (!buckets[FUTEX_BUCKETS - 1].ready) {
		for (unsigned i = 0; i < FUTEX_BUCKETS; i++) {
			waitq_init(&buckets[i].wq);
			list_init(&buckets[i].waiters);
			__atomic_store_n(&buckets[i].ready, true,
					 __ATOMIC_RELEASE);
		}
	}
	spin_unlock(&buckets_init_lock);
}

static void futex_timeout(struct timer *timer)
{
	struct futex_waiter *w = timer->ctx;

	struct waitq *wq = w->wq;

	spin_lock(&wq->lock);
	if (!w->woken) {
		w->timed_out = true;
		list_remove(&w->link);
	}
	waitq_wake_all_locked(wq);
	w->timer_done = true; /* last touch of w: it lives on a stack */
	spin_unlock(&wq->lock);
}

static err_t futex_wait(struct process *p, uaddr_t addr, uint32_t expected,
			uint64_t timeout_ns)
{
	struct futex_waiter w = { .woken = false, .timed_out = false };
	bool interrupted = false;
	struct timer timer;
	uint32_t value;
	unsigned b;
	err_t err;

	if (addr & 3) {
		return ERR_INVALID;
	}
	err = vm_futex_key(&p->vm, addr, &w.key_a, &w.key_b);
	if (err) {
		return err;
	}
	b = bucket_of(w.key_a, w.key_b);
	w.wq = &buckets[b].wq;
	spin_lock(&w.wq->lock);
	err = vm_copy_from(&p->vm, &value, addr, sizeof(value));
	if (!err && value != expected) {
		err = ERR_WOULD_BLOCK;
	}
	if (err) {
		spin_unlock(&w.wq->lock);
		return err;
	}
	list_add_tail(&buckets[b].waiters, &w.link);
	if (timeout_ns != UINT64_MAX) {
		timer_init(&timer, futex_timeout, &w);
		timer_arm(&timer, clock_ns() + timeout_ns);
	}
	while (!w.woken && !w.timed_out) {
		if (waitq_wait_interruptible_locked(w.wq)) {
			/* A stop request or a kill: give up unless woken. */
			spin_lock(&w.wq->lock);
			if (!w.woken && !w.timed_out) {
				list_remove(&w.link);
				interrupted = true;
				break;
			}
		} else {
			spin_lock(&w.wq->lock);
		}
	}
	spin_unlock(&w.wq->lock);
	if (timeout_ns != UINT64_MAX && !timer_cancel(&timer)) {
		/* It fired: wait until its callback is done with w. */
		spin_lock(&w.wq->lock);
		while (!w.timer_done) {
			spin_unlock(&w.wq->lock);
			cpu_pause();
			spin_lock(&w.wq->lock);
		}
		spin_unlock(&w.wq->lock);
	}
	if (interrupted) {
		return ERR_INTERRUPTED;
	}
	return w.woken ? ERR_OK : ERR_TIMED_OUT;
}

static unsigned futex_wake(struct process *p, uaddr_t addr, uint64_t count,
			   err_t *err)
{
	uintptr_t key_a;
	uint64_t key_b;
	struct list_node *pos, *tmp;
	unsigned b, woken = 0;

	*err = addr & 3 ? ERR_INVALID : vm_futex_key(&p->vm, addr, &key_a,
						      &key_b);
	if (*err) {
		return 0;
	}
	b = bucket_of(key_a, key_b);
	spin_lock(&buckets[b].wq.lock);
	list_for_each_safe(pos, tmp, &buckets[b].waiters) {
		struct futex_waiter *w =
			container_of(pos, struct futex_waiter, link);

		if (woken >= count) {
			break;
		}
		if (w->key_a == key_a && w->key_b == key_b) {
			list_remove(&w->link);
			w->woken = true;
			woken++;
		}
	}
	if (woken) {
		waitq_wake_all_locked(&buckets[b].wq);
	}
	spin_unlock(&buckets[b].wq.lock);
	return woken;
}

int64_t sys_futex_wait(SYSCALL_ARGS)
{
	buckets_init();
	return -(int64_t)futex_wait(process_current(), a0, (uint32_t)a1, a2);
}

int64_t sys_futex_wake(SYSCALL_ARGS)
{
	err_t err;
	unsigned n;

	buckets_init();
	n = futex_wake(process_current(), a0, a1, &err);
	return err ? -(int64_t)err : (int64_t)n;
}
