/*
 * Blocking inside the posix server. Each Linux system call runs on a
 * fiber; a call that must wait (a read with no data, poll, wait4, a
 * pipe with no room) parks its fiber on one or more wait heads and is
 * resumed when an object's state changes, a deadline passes, or a signal
 * arrives for the calling thread (then the call ends with EINTR or is
 * restarted, as Linux does).
 *
 * Objects (pipes, ttys, sockets, processes) own a wait head and call
 * pwait_wake() whenever their readiness may have changed; waiters then
 * re-check the condition themselves (wake-ups may be spurious).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <base/list.h>

struct fiber;
struct lthread;

struct pwait_head {
	struct list_node waiters;	/* struct pwaiter.link */
};

struct pwaiter {
	struct list_node link;
	struct fiber *fiber;
	bool woken;
};

void pwait_head_init(struct pwait_head *head);
/* Wakes every fiber waiting on @head. Safe to call with no waiters. */
void pwait_wake(struct pwait_head *head);
/* Parks the calling fiber until one of @heads[0..n) is woken, the
 * monotonic clock reaches @deadline_ns (~0: never), or a signal is
 * pending for the thread the fiber serves. Returns 0 (woken),
 * -LINUX_ETIMEDOUT or -LINUX_EINTR. */
int pwait_any(struct pwait_head *const *heads, unsigned n,
	      uint64_t deadline_ns);
/* A signal arrived for @t: ends its pwait_any with -LINUX_EINTR. */
void pwait_interrupt(struct lthread *t);

/* A one-shot timer of the server: @fire runs on the timer fiber (it must
 * not park) once the monotonic clock reaches the deadline. */
struct ptimer {
	struct list_node link;		/* on the timer list while armed */
	uint64_t deadline;
	void (*fire)(struct ptimer *pt);
};

static inline void ptimer_init(struct ptimer *pt,
			       void (*fire)(struct ptimer *pt))
{
	list_init(&pt->link);
	pt->fire = fire;
}

static inline bool ptimer_is_armed(const struct ptimer *pt)
{
	return list_is_linked(&pt->link);
}

/* (Re)arms @pt for @deadline (monotonic ns). */
void ptimer_arm(struct ptimer *pt, uint64_t deadline);
void ptimer_cancel(struct ptimer *pt);
