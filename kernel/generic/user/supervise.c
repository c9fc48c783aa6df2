/*
 * Supervision (see supervise.h and abi/keel/supervise.h), and the system
 * calls that create, start, inspect and resume supervised programs.
 *
 * The fast path of a supervised Linux call: the thread stops and hands
 * its event to the supervisor's waiting QUEUE_OP_SUPERVISE (inline in the
 * completion on a wide queue: no copy into the supervisor's memory),
 * then blocks and hands its CPU straight to the supervisor (sched.h);
 * the supervisor answers with QUEUE_OP_THREAD_RESUME and waits for the
 * next event in the same SYS_QUEUE_ENTER, which hands the CPU back. A
 * stopped thread's event lives on its own kernel stack (one per stopped
 * thread), so stopping allocates nothing.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/trap.h>
#include <base/string.h>
#include <handle/handle.h>
#include <keel/syscall.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/vm.h>
#include <sched/sched.h>
#include <syscall/syscall.h>
#include <user/process.h>
#include <user/supervise.h>
#include <user/uaccess.h>

#define LOG_SUBSYS "supervise"

struct supervise_channel {
	struct spinlock lock;
	struct list_node events;	/* struct channel_event, oldest first */
	struct list_node waiters;	/* struct supervise_request */
	bool ended;			/* the process is gone */
	struct waitq resume;		/* stopped threads wait here */
};

struct channel_event {
	struct list_node link;		/* ch->events, ch->lock */
	struct supervise_event ev;
	bool allocated;			/* kmalloc'd (EXIT); else on the
					 * stopped thread's stack */
};

struct supervise_request {
	struct queue_request req;
	struct list_node link;
	bool linked;
	struct supervise_channel *ch;
	struct process *target;		/* referenced: keeps ch alive */
	struct process *supervisor;	/* referenced */
	uaddr_t buf;
	struct supervise_event ev;	/* the inline payload (wide queue) */
};

_Static_assert(sizeof(struct supervise_request) <= QUEUE_REQUEST_BLOCK,
	       "supervise request record");

err_t supervise_channel_create(struct process *p)
{
	struct supervise_channel *ch = kzalloc(sizeof(*ch));

	if (!ch) {
		return ERR_NO_MEMORY;
	}
	spin_init(&ch->lock);
	list_init(&ch->events);
	list_init(&ch->waiters);
	waitq_init(&ch->resume);
	p->supervision = ch;
	return ERR_OK;
}

void supervise_channel_destroy(struct supervise_channel *ch)
{
	struct list_node *n;

	if (!ch) {
		return;
	}
	/* Only EXIT events are left: stopped threads take theirs back. */
	while ((n = list_pop_head(&ch->events))) {
		struct channel_event *ce =
			container_of(n, struct channel_event, link);

		if (ce->allocated) {
			kfree(ce);
		}
	}
	kfree(ch);
}

/* Completes @r with @ev: inline on a wide queue, else written to @r's
 * buffer in the supervisor's memory. No lock held. */
static void deliver(struct supervise_request *r,
		    const struct supervise_event *ev)
{
	err_t err;

	if (queue_is_wide(r->req.queue)) {
		r->ev = *ev;
		queue_request_complete_data(&r->req, 0, ev->thread, &r->ev,
					    sizeof(r->ev));
		return;
	}
	err = vm_copy_to(&r->supervisor->vm, r->buf, ev, sizeof(*ev));
	queue_request_complete(&r->req, err ? -(int64_t)err : 0, ev->thread);
}

/* Hands @ce's event to a waiting supervisor request, or queues @ce.
 * Returns true when it was handed over (@ce is free again). */
static bool post_event(struct supervise_channel *ch,
		       struct channel_event *ce)
{
	for (;;) {
		struct supervise_request *r;

		spin_lock(&ch->lock);
		if (list_is_empty(&ch->waiters)) {
			list_add_tail(&ch->events, &ce->link);
			spin_unlock(&ch->lock);
			return false;
		}
		r = container_of(ch->waiters.next, struct supervise_request,
				 link);
		if (!r->req.multishot) {
			list_remove(&r->link);
			r->linked = false;
			spin_unlock(&ch->lock);
			deliver(r, &ce->ev);
			return true;
		}
		/* A multishot wait stays armed: posted to, not taken off. */
		queue_request_get(&r->req);
		spin_unlock(&ch->lock);
		if (queue_request_post(&r->req, 0, ce->ev.thread, &ce->ev,
				       sizeof(ce->ev),
				       &r->ev) != QUEUE_POST_GONE) {
			queue_request_put(&r->req);
			return true;
		}
		queue_request_put(&r->req); /* it ended meanwhile: again */
	}
}

/* Puts a copy of @ev back first in @ch's events (a multishot wait that
 * took it was cancelled meanwhile). */
static void requeue_event(struct supervise_channel *ch,
			  const struct supervise_event *ev)
{
	struct channel_event *ce = kmalloc(sizeof(*ce));

	if (!ce) {
		LOG("event of thread %lu lost: out of memory", ev->thread);
		return;
	}
	*ce = (struct channel_event){ .ev = *ev, .allocated = true };
	spin_lock(&ch->lock);
	list_add_head(&ch->events, &ce->link);
	spin_unlock(&ch->lock);
}

/* Stops the current thread with the event in @ce (on its stack, filled
 * in but for the thread id) until resumed or killed. The supervisor, if
 * it waits for the event, gets the CPU at once. */
static void stop(struct channel_event *ce)
{
	struct thread *self = sched_current();
	struct process *p = self->process;
	struct supervise_channel *ch = p->supervision;

	ce->ev.thread = self->id;
	ce->allocated = false;
	list_init(&ce->link);
	spin_lock(&ch->lock);
	self->stopped = true;
	spin_unlock(&ch->lock);
	sched_handoff_arm();
	post_event(ch, ce);
	spin_lock(&ch->resume.lock);
	while (__atomic_load_n(&self->stopped, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&p->killed, __ATOMIC_ACQUIRE)) {
		waitq_wait_locked(&ch->resume);
		spin_lock(&ch->resume.lock);
	}
	spin_unlock(&ch->resume.lock);
	sched_handoff_flush(); /* when it never blocked */
	/* An event nobody took (killed first) goes with its stack. Taken
	 * ones were unlinked before the resume we saw. */
	if (list_is_linked(&ce->link)) {
		spin_lock(&ch->lock);
		list_remove(&ce->link);
		spin_unlock(&ch->lock);
	}
	self->stopped = false;
	process_check_killed();
}

void supervise_syscall(struct trap_frame *f)
{
	struct channel_event ce;

	/* Every field set: no zeroing of the whole event first. */
	ce.ev.kind = SUPERVISE_EVENT_SYSCALL;
	ce.ev.reserved = 0;
	ce.ev.nr = f->rax;
	ce.ev.args[0] = f->rdi;
	ce.ev.args[1] = f->rsi;
	ce.ev.args[2] = f->rdx;
	ce.ev.args[3] = f->r10;
	ce.ev.args[4] = f->r8;
	ce.ev.args[5] = f->r9;
	ce.ev.rip = f->rip;
	ce.ev.rsp = f->rsp;
	f->rax = (uint64_t)-(int64_t)SYS_LINUX_ENOSYS; /* unless answered */
	stop(&ce);
}

void supervise_fault(struct trap_frame *f, uint64_t address)
{
	struct channel_event ce = {
		.ev = { .kind = SUPERVISE_EVENT_FAULT,
			.nr = f->vector,
			.args = { f->error, address },
			.rip = f->rip,
			.rsp = f->rsp },
	};

	stop(&ce);
}

void supervise_process_ended(struct process *p, int code)
{
	struct supervise_channel *ch = p->supervision;
	struct channel_event *ce;
	struct list_node rest, *n;

	if (!ch) {
		return;
	}
	ce = kmalloc(sizeof(*ce));
	if (ce) {
		*ce = (struct channel_event){
			.ev = { .kind = SUPERVISE_EVENT_EXIT,
				.args = { (uint64_t)(int64_t)code } },
			.allocated = true,
		};
		list_init(&ce->link);
		if (post_event(ch, ce)) {
			kfree(ce);
		}
	} else {
		LOG("exit event lost: out of memory");
	}
	/* Requests beyond the EXIT event will never get one. */
	list_init(&rest);
	spin_lock(&ch->lock);
	ch->ended = true;
	if (list_is_empty(&ch->events)) {
		while ((n = list_pop_head(&ch->waiters))) {
			container_of(n, struct supervise_request, link)
				->linked = false;
			list_add_tail(&rest, n);
		}
	}
	spin_unlock(&ch->lock);
	while ((n = list_pop_head(&rest))) {
		queue_request_complete(
			&container_of(n, struct supervise_request, link)->req,
			-(int64_t)ERR_PEER_CLOSED, 0);
	}
}

void supervise_wake_all(struct process *p)
{
	if (p->supervision) {
		waitq_wake_all(&p->supervision->resume);
	}
}

static bool request_cancel(struct queue_request *req)
{
	struct supervise_request *r =
		container_of(req, struct supervise_request, req);
	bool cancelled = false;

	spin_lock(&r->ch->lock);
	if (r->linked) {
		list_remove(&r->link);
		r->linked = false;
		cancelled = true;
	}
	spin_unlock(&r->ch->lock);
	return cancelled;
}

static void request_release(struct queue_request *req)
{
	struct supervise_request *r =
		container_of(req, struct supervise_request, req);

	process_put(r->target);
	process_put(r->supervisor);
	queue_request_free(req->queue, r);
}

static const struct queue_request_ops supervise_request_ops = {
	.cancel = request_cancel,
	.release = request_release,
};

/* The process named by @h with RIGHT_SUPERVISE (referenced). */
static err_t supervised_process(uint64_t h, struct process **out)
{
	struct kobject *obj;
	err_t err;

	if (h > UINT32_MAX) {
		return ERR_BAD_HANDLE;
	}
	err = handle_get_own((handle_t)h, OBJECT_PROCESS, RIGHT_SUPERVISE,
			     &obj);
	if (!err) {
		*out = container_of(obj, struct process, obj);
	}
	return err;
}

/* Completes the current thread's own QUEUE_OP_SUPERVISE with @ev: the
 * request @r if it started one, else the immediate completion @cqe
 * (inline on a wide queue, else copied out to @buf, in its own memory). */
static enum queue_submit deliver_to_self(struct queue *q,
					 struct supervise_request *r,
					 struct queue_cqe *cqe, uaddr_t buf,
					 const struct supervise_event *ev)
{
	bool wide = queue_is_wide(q);
	err_t err = wide ? ERR_OK : uaccess_copy_out(buf, ev, sizeof(*ev));

	if (r) {
		r->ev = *ev;
		if (!err && wide) {
			queue_request_complete_data(&r->req, 0, ev->thread,
						    &r->ev, sizeof(r->ev));
		} else {
			queue_request_complete(&r->req,
					       err ? -(int64_t)err : 0,
					       ev->thread);
		}
		return QUEUE_SUBMIT_PENDING;
	}
	cqe->result = err ? -(int64_t)err : 0;
	cqe->value = ev->thread;
	if (!err && wide) {
		memcpy(queue_cqe_data(cqe), ev, sizeof(*ev));
		queue_cqe_set_data(cqe, sizeof(*ev));
	}
	return QUEUE_SUBMIT_DONE;
}

/* Makes and starts the request of a QUEUE_OP_SUPERVISE that will wait
 * for an event of @target. NULL when out of memory. No lock held. */
static struct supervise_request *wait_start(struct queue *q,
					    const struct queue_sqe *sqe,
					    struct process *target)
{
	struct supervise_request *r = queue_request_alloc(q);

	if (!r) {
		return NULL;
	}
	r->ch = target->supervision;
	r->target = target;
	process_get(target);
	r->supervisor = process_current();
	process_get(r->supervisor);
	r->buf = sqe->arg[0];
	r->linked = false;
	list_init(&r->link);
	/* Started before the channel lock is taken (lock order). */
	queue_request_start(q, &r->req, sqe, &supervise_request_ops);
	return r;
}

/* Takes the oldest event of @ch into @ev, if there is one; releases
 * ch->lock (taken by the caller) when it does. The event is copied under
 * the lock: a stopped thread's event is on its stack, gone once it is
 * resumed or killed. */
static bool take_event(struct supervise_channel *ch,
		       struct supervise_event *ev)
{
	struct channel_event *ce;

	if (list_is_empty(&ch->events)) {
		return false;
	}
	ce = container_of(list_pop_head(&ch->events), struct channel_event,
			  link);
	*ev = ce->ev;
	spin_unlock(&ch->lock);
	if (ce->allocated) {
		kfree(ce);
	}
	return true;
}

/* QUEUE_OP_SUPERVISE with QUEUE_SQE_MULTISHOT (a wide queue): posts every
 * event already there, then stays on the channel's waiters for the next
 * ones, each with QUEUE_CQE_MORE; ends with ERR_PEER_CLOSED after the
 * EXIT event. Consumes the reference to @target. */
static enum queue_submit wait_multishot(struct queue *q,
					const struct queue_sqe *sqe,
					struct queue_cqe *cqe,
					struct process *target)
{
	struct supervise_channel *ch = target->supervision;
	struct supervise_request *r = wait_start(q, sqe, target);

	process_put(target); /* r holds its own */
	if (!r) {
		cqe->result = -(int64_t)ERR_NO_MEMORY;
		return QUEUE_SUBMIT_DONE;
	}
	queue_request_get(&r->req); /* ours while we post to it here */
	for (;;) {
		struct supervise_event ev;
		enum queue_post posted;

		spin_lock(&ch->lock);
		if (take_event(ch, &ev)) {
			posted = queue_request_post(&r->req, 0, ev.thread, &ev,
						    sizeof(ev), &r->ev);
			if (posted == QUEUE_POST_GONE) {
				requeue_event(ch, &ev);
				break;
			}
			if (posted == QUEUE_POST_ENDED) {
				break;
			}
			continue;
		}
		if (ch->ended) {
			spin_unlock(&ch->lock);
			queue_request_complete(&r->req,
					       -(int64_t)ERR_PEER_CLOSED, 0);
			break;
		}
		list_add_tail(&ch->waiters, &r->link);
		r->linked = true;
		spin_unlock(&ch->lock);
		break;
	}
	queue_request_put(&r->req);
	return QUEUE_SUBMIT_PENDING;
}

enum queue_submit supervise_op_wait(struct queue *q,
				    const struct queue_sqe *sqe,
				    struct queue_cqe *cqe)
{
	struct supervise_request *r = NULL;
	struct supervise_channel *ch;
	struct process *target;
	enum queue_submit done;
	err_t err = supervised_process(sqe->handle, &target);

	if (!err && !target->supervision) {
		err = ERR_INVALID;
		process_put(target);
	}
	/* On a wide queue the event comes inline; arg[0] is not used. */
	if (!err && !queue_is_wide(q) &&
	    !uaccess_range_ok(sqe->arg[0], sizeof(struct supervise_event))) {
		err = ERR_FAULT;
		process_put(target);
	}
	if (err) {
		cqe->result = -(int64_t)err;
		return QUEUE_SUBMIT_DONE;
	}
	ch = target->supervision;
	if (sqe->flags & QUEUE_SQE_MULTISHOT) {
		return wait_multishot(q, sqe, cqe, target);
	}
	/* No event yet, at a glance (no lock): the request is started first
	 * rather than after a look under the lock; the look below decides. */
	if (list_is_empty(&ch->events)) {
		r = wait_start(q, sqe, target);
	}
	for (;;) {
		struct supervise_event ev;

		spin_lock(&ch->lock);
		if (take_event(ch, &ev)) {
			done = deliver_to_self(q, r, cqe, sqe->arg[0], &ev);
			break;
		}
		if (ch->ended) {
			spin_unlock(&ch->lock);
			if (r) {
				queue_request_complete(
					&r->req, -(int64_t)ERR_PEER_CLOSED, 0);
				done = QUEUE_SUBMIT_PENDING;
			} else {
				cqe->result = -(int64_t)ERR_PEER_CLOSED;
				done = QUEUE_SUBMIT_DONE;
			}
			break;
		}
		if (!r) {
			spin_unlock(&ch->lock);
			r = wait_start(q, sqe, target);
			if (!r) {
				process_put(target);
				cqe->result = -(int64_t)ERR_NO_MEMORY;
				return QUEUE_SUBMIT_DONE;
			}
			continue;
		}
		list_add_tail(&ch->waiters, &r->link);
		r->linked = true;
		spin_unlock(&ch->lock);
		done = QUEUE_SUBMIT_PENDING;
		break;
	}
	process_put(target);
	return done;
}

/* System calls. */

int64_t sys_process_create(SYSCALL_ARGS)
{
	struct process *self = process_current();
	char name[PROCESS_NAME_MAX];
	struct process *p;
	struct thread *t;
	uint64_t out[2];
	handle_t h;
	void *image;
	err_t err;

	if (a3 & ~(uint64_t)PROCESS_SUPERVISED) {
		return -(int64_t)ERR_INVALID;
	}
	if (a1 == 0 || a1 > (64ul << 20)) {
		return -(int64_t)ERR_INVALID;
	}
	if (!uaccess_range_ok(a4, sizeof(out))) {
		return -(int64_t)ERR_FAULT;
	}
	memset(name, 0, sizeof(name));
	err = uaccess_copy_in(name, a2, sizeof(name) - 1);
	if (err) {
		return -(int64_t)err;
	}
	if (strnlen(name, sizeof(name)) == 0) {
		return -(int64_t)ERR_INVALID;
	}
	image = kmalloc(a1);
	if (!image) {
		return -(int64_t)ERR_NO_MEMORY;
	}
	err = uaccess_copy_in(image, a0, a1);
	if (!err) {
		err = process_create_from_elf(name, image, a1, &p, &t);
	}
	kfree(image);
	if (err) {
		return -(int64_t)err;
	}
	if (a3 & PROCESS_SUPERVISED) {
		err = supervise_channel_create(p);
	}
	/* The creator's thread reference stays with the unstarted thread:
	 * SYS_THREAD_START or the last handle's close releases it. */
	if (!err) {
		err = handle_insert(&self->handles, &p->obj, RIGHTS_ALL, &h);
	}
	out[0] = h;
	out[1] = t->id;
	if (!err) {
		err = uaccess_copy_out(a4, out, sizeof(out));
		if (err) {
			handle_remove(&self->handles, h, NULL, NULL);
		}
	}
	if (err) {
		kobject_handle_opened(&p->obj); /* run the last-handle path */
		kobject_handle_closed(&p->obj);
	}
	process_put(p);
	return err ? -(int64_t)err : 0;
}

int64_t sys_thread_create(SYSCALL_ARGS)
{
	struct process *p;
	struct thread *t;
	uint64_t tid;
	err_t err;

	if (a1 >= USER_TOP || a2 >= USER_TOP ||
	    (a4 & ~(uint64_t)THREAD_CREATE_SUSPENDED)) {
		return -(int64_t)ERR_INVALID;
	}
	if (a0 == 0) {
		p = process_current();
		process_get(p);
	} else {
		err = supervised_process(a0, &p);
		if (err) {
			return -(int64_t)err;
		}
	}
	err = process_new_thread(p, a1, a2, &t);
	if (err) {
		process_put(p);
		return -(int64_t)err;
	}
	t->user_arg = a3;
	tid = t->id;
	if (!(a4 & THREAD_CREATE_SUSPENDED)) {
		process_start_thread(p, t);
		thread_put(t);
	} /* else the creator's reference waits for SYS_THREAD_START */
	process_put(p);
	return (int64_t)tid;
}

int64_t sys_process_fork(SYSCALL_ARGS)
{
	struct process *self = process_current();
	struct process *src, *p;
	handle_t h;
	err_t err;

	if (a1 & ~(uint64_t)PROCESS_SUPERVISED) {
		return -(int64_t)ERR_INVALID;
	}
	if (a0 == 0) {
		src = self;
		process_get(src);
	} else {
		err = supervised_process(a0, &src);
		if (err) {
			return -(int64_t)err;
		}
	}
	err = process_fork(src, &p);
	process_put(src);
	if (err) {
		return -(int64_t)err;
	}
	if (a1 & PROCESS_SUPERVISED) {
		err = supervise_channel_create(p);
	}
	if (!err) {
		err = handle_insert(&self->handles, &p->obj, RIGHTS_ALL, &h);
	}
	if (err) {
		kobject_handle_opened(&p->obj); /* run the last-handle path */
		kobject_handle_closed(&p->obj);
	}
	process_put(p);
	return err ? -(int64_t)err : (int64_t)h;
}

int64_t sys_thread_start(SYSCALL_ARGS)
{
	struct process *p;
	struct thread *t;
	err_t err = supervised_process(a0, &p);

	if (err) {
		return -(int64_t)err;
	}
	err = process_find_thread(p, a1, &t);
	if (!err) {
		if (!t->started) {
			t->user_arg = a2;
		}
		err = process_start_thread(p, t);
		if (!err) {
			thread_put(t); /* the creator's, kept until now */
		}
		thread_put(t);
	}
	process_put(p);
	return -(int64_t)err;
}

/* Finds stopped thread @tid of the process named by @h. */
static err_t stopped_thread(uint64_t h, uint64_t tid, struct process **pp,
			    struct thread **out)
{
	struct process *p;
	err_t err = supervised_process(h, &p);

	if (err) {
		return err;
	}
	err = process_find_thread(p, tid, out);
	/* Threads not started yet count as stopped: a supervisor sets
	 * their registers before it lets them go (clone). */
	if (!err && (*out)->started &&
	    (!p->supervision ||
	     !__atomic_load_n(&(*out)->stopped, __ATOMIC_ACQUIRE))) {
		thread_put(*out);
		err = ERR_BUSY;
	}
	if (err) {
		process_put(p);
		return err;
	}
	*pp = p;
	return ERR_OK;
}

static struct trap_frame *user_frame(struct thread *t)
{
	return (struct trap_frame *)(t->kstack + THREAD_STACK_SIZE) - 1;
}

int64_t sys_thread_regs_get(SYSCALL_ARGS)
{
	struct process *p;
	struct thread *t;
	struct thread_regs r;
	struct trap_frame *f;
	err_t err = stopped_thread(a0, a1, &p, &t);

	if (err) {
		return -(int64_t)err;
	}
	if (!t->started) {
		if (t->start_regs) {
			r = *t->start_regs;
		} else {
			r = (struct thread_regs){ .rip = (uint64_t)t->arg,
						  .rsp = t->user_rsp,
						  .rdi = t->user_arg,
						  .rflags = CPU_RFLAGS_IF | 2 };
		}
		r.fs_base = t->fs_base;
		r.gs_base = t->gs_base;
		thread_put(t);
		process_put(p);
		return -(int64_t)uaccess_copy_out(a2, &r, sizeof(r));
	}
	f = user_frame(t);
	r = (struct thread_regs){
		.rax = f->rax, .rbx = f->rbx, .rcx = f->rcx, .rdx = f->rdx,
		.rsi = f->rsi, .rdi = f->rdi, .rbp = f->rbp, .rsp = f->rsp,
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11,
		.r12 = f->r12, .r13 = f->r13, .r14 = f->r14, .r15 = f->r15,
		.rip = f->rip, .rflags = f->rflags, .fs_base = t->fs_base,
		.gs_base = t->gs_base,
	};
	thread_put(t);
	process_put(p);
	return -(int64_t)uaccess_copy_out(a2, &r, sizeof(r));
}


int64_t sys_thread_regs_set(SYSCALL_ARGS)
{
	struct process *p;
	struct thread *t;
	struct thread_regs r;
	struct trap_frame *f;
	err_t err = uaccess_copy_in(&r, a2, sizeof(r));

	if (err) {
		return -(int64_t)err;
	}
	if (r.rip >= USER_TOP || r.rsp >= USER_TOP || r.fs_base >= USER_TOP ||
	    r.gs_base >= USER_TOP) {
		return -(int64_t)ERR_INVALID;
	}
	err = stopped_thread(a0, a1, &p, &t);
	if (err) {
		return -(int64_t)err;
	}
	if (!t->started) {
		if (!t->start_regs) {
			t->start_regs = kmalloc(sizeof(*t->start_regs));
		}
		err = t->start_regs ? ERR_OK : ERR_NO_MEMORY;
		if (!err) {
			*t->start_regs = r;
			t->fs_base = r.fs_base;
			t->gs_base = r.gs_base;
		}
		thread_put(t);
		process_put(p);
		return -(int64_t)err;
	}
	f = user_frame(t);
	f->rax = r.rax, f->rbx = r.rbx, f->rcx = r.rcx, f->rdx = r.rdx;
	f->rsi = r.rsi, f->rdi = r.rdi, f->rbp = r.rbp, f->rsp = r.rsp;
	f->r8 = r.r8, f->r9 = r.r9, f->r10 = r.r10, f->r11 = r.r11;
	f->r12 = r.r12, f->r13 = r.r13, f->r14 = r.r14, f->r15 = r.r15;
	f->rip = r.rip;
	f->rflags = (f->rflags & ~PROCESS_USER_RFLAGS) | (r.rflags & PROCESS_USER_RFLAGS) |
		    CPU_RFLAGS_IF | 0x2;
	t->fs_base = r.fs_base;
	t->gs_base = r.gs_base;
	thread_put(t);
	process_put(p);
	return 0;
}

/* Lets stopped thread @tid of the process named by @h go on, with
 * @value in rax if @flags has THREAD_RESUME_RESULT. @sync: the caller
 * is about to wait (queue op), so the thread may get its CPU at once. */
static err_t resume_thread(uint64_t h, uint64_t tid, uint64_t flags,
			   uint64_t value, bool sync)
{
	struct supervise_channel *ch;
	struct process *p;
	struct thread *t;
	err_t err = stopped_thread(h, tid, &p, &t);

	if (err) {
		return err;
	}
	if (!t->started || (flags & ~(uint64_t)THREAD_RESUME_RESULT)) {
		/* SYS_THREAD_START starts a thread; unknown flags refused */
		err = t->started ? ERR_INVALID : ERR_BUSY;
		thread_put(t);
		process_put(p);
		return err;
	}
	if (flags & THREAD_RESUME_RESULT) {
		user_frame(t)->rax = value;
	}
	ch = p->supervision;
	spin_lock(&ch->resume.lock);
	__atomic_store_n(&t->stopped, false, __ATOMIC_RELEASE);
	/* Only this thread: the others stopped in the process stay. */
	if (sync) {
		waitq_wake_thread_sync_locked(&ch->resume, t);
	} else {
		waitq_wake_thread_locked(&ch->resume, t);
	}
	spin_unlock(&ch->resume.lock);
	thread_put(t);
	process_put(p);
	return ERR_OK;
}

int64_t sys_thread_resume(SYSCALL_ARGS)
{
	return -(int64_t)resume_thread(a0, a1, a2, a3, false);
}

enum queue_submit supervise_op_resume(struct queue *q,
				      const struct queue_sqe *sqe,
				      struct queue_cqe *cqe)
{
	cqe->result = -(int64_t)resume_thread(sqe->handle, sqe->arg[0],
					      sqe->arg[1], sqe->arg[2], true);
	return QUEUE_SUBMIT_DONE;
}

int64_t sys_process_kill(SYSCALL_ARGS)
{
	struct process *p;
	err_t err = supervised_process(a0, &p);

	if (err) {
		return -(int64_t)err;
	}
	spin_lock(&p->lock);
	if (!p->killed) {
		p->kill_code = (int)a1;
		__atomic_store_n(&p->killed, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&p->lock);
	if (p->supervision) {
		spin_lock(&p->supervision->resume.lock);
		waitq_wake_all_locked(&p->supervision->resume);
		spin_unlock(&p->supervision->resume.lock);
	}
	process_put(p);
	return 0;
}

/* SYS_VM_READ and SYS_VM_WRITE. */
static int64_t vm_transfer(uint64_t h, uaddr_t remote, uaddr_t local,
			   uint64_t len, bool write)
{
	struct process *p;
	uint8_t buf[512];
	err_t err;

	if (h == 0) {
		p = process_current();
		process_get(p);
	} else {
		err = supervised_process(h, &p);
		if (err) {
			return -(int64_t)err;
		}
	}
	err = (uaccess_range_ok(remote, len) && uaccess_range_ok(local, len))
		      ? ERR_OK
		      : ERR_FAULT;
	for (uint64_t done = 0; !err && done < len;) {
		size_t chunk = len - done < sizeof(buf) ? len - done : sizeof(buf);

		if (write) {
			err = uaccess_copy_in(buf, local + done, chunk);
			if (!err) {
				err = vm_copy_to(&p->vm, remote + done, buf,
						 chunk);
			}
		} else {
			err = vm_copy_from(&p->vm, buf, remote + done, chunk);
			if (!err) {
				err = uaccess_copy_out(local + done, buf, chunk);
			}
		}
		done += chunk;
	}
	process_put(p);
	return err ? -(int64_t)err : (int64_t)len;
}

int64_t sys_vm_read(SYSCALL_ARGS)
{
	return vm_transfer(a0, a1, a2, a3, false);
}

int64_t sys_vm_write(SYSCALL_ARGS)
{
	return vm_transfer(a0, a1, a2, a3, true);
}
