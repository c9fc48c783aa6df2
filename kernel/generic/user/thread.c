/*
 * System calls that tune how the threads of a process are scheduled:
 * SYS_THREAD_PRIORITY and SYS_THREAD_AFFINITY (abi/keel/syscall.h). A
 * thread is named by a process (0: the caller's own; else a handle with
 * RIGHT_SUPERVISE) and a thread id (0: the calling thread).
 *
 * Affinity: the calling thread moves itself at once (sched_set_affinity).
 * Another thread's mask is left in affinity_pending for the thread to
 * apply itself before it next runs user code (THREAD_WORK_AFFINITY), so
 * that a thread's mask only ever changes while it runs, or before it
 * first starts: the scheduler relies on a blocked or ready thread's CPU
 * staying inside its mask.
 */
#include <handle/handle.h>
#include <keel/syscall.h>
#include <sched/runqueue.h>
#include <sched/sched.h>
#include <syscall/syscall.h>
#include <user/process.h>

_Static_assert(THREAD_PRIORITY_DEFAULT == SCHED_PRIORITY_DEFAULT,
	       "user and scheduler default priorities agree");
_Static_assert(THREAD_PRIORITY_MIN > SCHED_PRIORITY_IDLE &&
		       THREAD_PRIORITY_MAX < SCHED_PRIORITIES,
	       "user priorities within the scheduler's");

/* Finds thread @tid of the process named by @h (see above); both
 * referenced. ERR_INVALID (tid 0 of another process), ERR_NOT_FOUND,
 * handle errors. */
static err_t target_thread(uint64_t h, uint64_t tid, struct process **pp,
			   struct thread **out)
{
	struct process *self = process_current();
	struct kobject *obj;
	struct process *p;
	err_t err;

	if (h == 0) {
		p = self;
		process_get(p);
	} else {
		if (h > UINT32_MAX) {
			return ERR_BAD_HANDLE;
		}
		err = handle_get(&self->handles, (handle_t)h, OBJECT_PROCESS,
				 RIGHT_SUPERVISE, &obj, NULL);
		if (err) {
			return err;
		}
		p = container_of(obj, struct process, obj);
	}
	if (tid == 0) {
		if (p != self) {
			process_put(p);
			return ERR_INVALID;
		}
		*out = sched_current();
		thread_get(*out);
	} else {
		err = process_find_thread(p, tid, out);
		if (err) {
			process_put(p);
			return err;
		}
	}
	*pp = p;
	return ERR_OK;
}

int64_t sys_thread_priority(SYSCALL_ARGS)
{
	struct process *p;
	struct thread *t;
	int64_t old;
	err_t err;

	if (a2 < THREAD_PRIORITY_MIN || a2 > THREAD_PRIORITY_MAX) {
		return -(int64_t)ERR_INVALID;
	}
	/* A plain process could starve everybody else's default-priority
	 * threads from above; drivers may need to. */
	if (a2 > THREAD_PRIORITY_DEFAULT && !process_current()->hw_access) {
		return -(int64_t)ERR_ACCESS;
	}
	err = target_thread(a0, a1, &p, &t);
	if (err) {
		return -(int64_t)err;
	}
	old = t->priority;
	sched_set_priority(t, (unsigned)a2);
	thread_put(t);
	process_put(p);
	return old;
}

int64_t sys_thread_affinity(SYSCALL_ARGS)
{
	struct process *p;
	struct thread *t;
	bool kick = false;
	err_t err;

	if (a2 == 0 || (a2 & ~sched_online_mask())) {
		return -(int64_t)ERR_INVALID;
	}
	err = target_thread(a0, a1, &p, &t);
	if (err) {
		return -(int64_t)err;
	}
	if (t == sched_current()) {
		err = sched_set_affinity(a2);
	} else {
		/* p->lock orders this against process_start_thread. */
		spin_lock(&p->lock);
		if (!t->started) {
			t->affinity = a2; /* sched_start places it */
		} else {
			__atomic_store_n(&t->affinity_pending, a2,
					 __ATOMIC_RELEASE);
			__atomic_or_fetch(&t->user_work, THREAD_WORK_AFFINITY,
					  __ATOMIC_ACQ_REL);
			kick = true;
		}
		spin_unlock(&p->lock);
		if (kick) {
			sched_interrupt(t); /* a running thread moves now */
		}
	}
	thread_put(t);
	process_put(p);
	return -(int64_t)err;
}
