/*
 * Futexes (futex.h): one list of waiters; each parks its fiber on its own
 * wait head until woken, timed out or interrupted by a signal.
 */
#include <base/list.h>
#include <linux_abi/errno.h>
#include <rt/rt.h>

#include "futex.h"
#include "proc.h"
#include "sys.h"
#include "ltime.h"
#include "umem.h"
#include "wait.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_ANY 0xffffffffu

struct futex_waiter {
	struct list_node link;
	struct lproc *p;
	uint64_t uaddr;
	uint32_t bitset;
	bool woken;
	struct pwait_head head;
};

static struct list_node waiters = LIST_INIT(waiters);

static int wake(struct lproc *p, uint64_t uaddr, int n, uint32_t bitset)
{
	struct list_node *pos, *tmp;
	int woken = 0;

	list_for_each_safe(pos, tmp, &waiters) {
		struct futex_waiter *w =
			container_of(pos, struct futex_waiter, link);

		if (woken >= n) {
			break;
		}
		if (w->p == p && w->uaddr == uaddr && (w->bitset & bitset)) {
			list_remove(&w->link);
			w->woken = true;
			pwait_wake(&w->head);
			woken++;
		}
	}
	return woken;
}

int futex_wake(struct lproc *p, uint64_t uaddr, int n)
{
	return wake(p, uaddr, n, FUTEX_BITSET_ANY);
}

static int64_t wait(struct lthread *t, uint64_t uaddr, uint32_t val,
		    uint64_t deadline, uint32_t bitset)
{
	struct futex_waiter w = { .p = t->proc, .uaddr = uaddr,
				  .bitset = bitset };
	struct pwait_head *h = &w.head;
	uint32_t cur;
	int r;

	if (uaddr & 3) {
		return -LINUX_EINVAL;
	}
	if (umem_read(t->proc, uaddr, &cur, 4)) {
		return -LINUX_EFAULT;
	}
	if (cur != val) {
		return -LINUX_EAGAIN;
	}
	pwait_head_init(&w.head);
	list_add_tail(&waiters, &w.link);
	do {
		r = pwait_any(&h, 1, deadline);
	} while (r == 0 && !w.woken);
	list_remove(&w.link);
	if (w.woken) {
		return 0;
	}
	return r == -LINUX_ETIMEDOUT ? -LINUX_ETIMEDOUT : -LINUX_ERESTARTSYS;
}

static int requeue(struct lproc *p, uint64_t from, uint64_t to, int n_wake,
		   int n_move)
{
	struct list_node *pos, *tmp;
	int done = wake(p, from, n_wake, FUTEX_BITSET_ANY);

	list_for_each_safe(pos, tmp, &waiters) {
		struct futex_waiter *w =
			container_of(pos, struct futex_waiter, link);

		if (n_move <= 0) {
			break;
		}
		if (w->p == p && w->uaddr == from) {
			w->uaddr = to;
			n_move--;
			done++;
		}
	}
	return done;
}

int64_t sys_futex(struct lthread *t, const uint64_t *a)
{
	uint64_t uaddr = a[0], deadline = ~0ull;
	int op = (int)(a[1] & ~(uint64_t)(FUTEX_PRIVATE_FLAG |
					  FUTEX_CLOCK_REALTIME));
	bool realtime = a[1] & FUTEX_CLOCK_REALTIME;
	uint32_t val = (uint32_t)a[2];
	int64_t err;

	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (op == FUTEX_WAIT_BITSET && (uint32_t)a[5] == 0) {
			return -LINUX_EINVAL;
		}
		if (a[3]) {
			/* FUTEX_WAIT: relative; the bitset form: absolute
			 * on the chosen clock. */
			err = op == FUTEX_WAIT
				      ? ltime_user_deadline_rel(t->proc, a[3],
							       &deadline)
				      : ltime_user_deadline_abs(t->proc, a[3],
							       realtime,
							       &deadline);
			if (err) {
				return err;
			}
		}
		return wait(t, uaddr, val, deadline,
			    op == FUTEX_WAIT ? FUTEX_BITSET_ANY : (uint32_t)a[5]);
	case FUTEX_WAKE:
		return wake(t->proc, uaddr, (int)(val > 0x7fffffff ? 0x7fffffff
								   : val),
			    FUTEX_BITSET_ANY);
	case FUTEX_WAKE_BITSET:
		if ((uint32_t)a[5] == 0) {
			return -LINUX_EINVAL;
		}
		return wake(t->proc, uaddr, (int)val, (uint32_t)a[5]);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE: {
		if (op == FUTEX_CMP_REQUEUE) {
			uint32_t cur;

			if (umem_read(t->proc, uaddr, &cur, 4)) {
				return -LINUX_EFAULT;
			}
			if (cur != (uint32_t)a[5]) {
				return -LINUX_EAGAIN;
			}
		}
		return requeue(t->proc, uaddr, a[4], (int)val, (int)a[3]);
	}
	default:
		return -LINUX_ENOSYS;
	}
}
