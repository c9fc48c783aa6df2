/*
 * Supervision (see supervise.h and abi/keel/supervise.h), and the system
 * calls that create, start, inspect and resume supervised programs.
 */
#include <arch/x86_64/fpu.h>
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
	struct list_node link;
	struct supervise_event ev;
};

struct supervise_request {
	struct queue_request req;
	struct list_node link;
	bool linked;
	struct supervise_channel *ch;
	struct process *target;		/* referenced: keeps ch alive */
	struct process *supervisor;	/* referenced */
	uaddr_t buf;
};

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
	while ((n = list_pop_head(&ch->events))) {
		kfree(container_of(n, struct channel_event, link));
	}
	kfree(ch);
}

/* Writes @ev to @r's buffer and completes @r. No lock held. */
static void deliver(struct supervise_request *r,
		    const struct supervise_event *ev)
{
	err_t err = vm_copy_to(&r->supervisor->vm, r->buf, ev, sizeof(*ev));

	queue_request_complete(&r->req, err ? -(int64_t)err : 0, ev->thread);
}

/* Hands @ev to a waiting supervisor request or queues a copy. */
static void post_event(struct supervise_channel *ch,
		       const struct supervise_event *ev)
{
	struct channel_event *ce = kmalloc(sizeof(*ce));
	struct supervise_request *r = NULL;

	spin_lock(&ch->lock);
	if (!list_is_empty(&ch->waiters)) {
		r = container_of(list_pop_head(&ch->waiters),
				 struct supervise_request, link);
		r->linked = false;
	} else if (ce) {
		ce->ev = *ev;
		list_add_tail(&ch->events, &ce->link);
		ce = NULL;
	} else {
		LOG("event lost: out of memory");
	}
	spin_unlock(&ch->lock);
	kfree(ce);
	if (r) {
		deliver(r, ev);
	}
}

/* Stops the current thread with event @ev until resumed or killed. */
static void stop(struct supervise_event *ev)
{
	struct thread *self = sched_current();
	struct process *p = self->process;
	struct supervise_channel *ch = p->supervision;

	ev->thread = self->id;
	spin_lock(&ch->lock);
	self->stopped = true;
	/* Any stop answers a SYS_THREAD_SUSPEND request. */
	__atomic_and_fetch(&self->user_work, ~THREAD_WORK_STOP,
			   __ATOMIC_ACQ_REL);
	spin_unlock(&ch->lock);
	post_event(ch, ev);
	spin_lock(&ch->resume.lock);
	while (__atomic_load_n(&self->stopped, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&p->killed, __ATOMIC_ACQUIRE)) {
		waitq_wait_locked(&ch->resume);
		spin_lock(&ch->resume.lock);
	}
	spin_unlock(&ch->resume.lock);
	self->stopped = false;
	process_check_killed();
}

void supervise_syscall(struct trap_frame *f)
{
	struct supervise_event ev = {
		.kind = SUPERVISE_EVENT_SYSCALL,
		.nr = f->rax,
		.args = { f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9 },
		.rip = f->rip,
		.rsp = f->rsp,
	};

	f->rax = (uint64_t)-(int64_t)SYS_LINUX_ENOSYS; /* unless answered */
	stop(&ev);
}

void supervise_fault(struct trap_frame *f, uint64_t address)
{
	struct supervise_event ev = {
		.kind = SUPERVISE_EVENT_FAULT,
		.nr = f->vector,
		.args = { f->error, address },
		.rip = f->rip,
		.rsp = f->rsp,
	};

	stop(&ev);
}

void supervise_stop_requested(struct trap_frame *f, uint64_t nr)
{
	struct supervise_event ev = {
		.kind = SUPERVISE_EVENT_STOP,
		.nr = nr,
		.rip = f->rip,
		.rsp = f->rsp,
	};

	if (nr != SUPERVISE_STOP_NO_CALL) {
		ev.args[0] = f->rdi, ev.args[1] = f->rsi, ev.args[2] = f->rdx;
		ev.args[3] = f->r10, ev.args[4] = f->r8, ev.args[5] = f->r9;
	}
	stop(&ev);
}

void supervise_process_ended(struct process *p, int code)
{
	struct supervise_channel *ch = p->supervision;
	struct supervise_event ev = {
		.kind = SUPERVISE_EVENT_EXIT,
		.args = { (uint64_t)(int64_t)code },
	};
	struct list_node rest, *n;

	if (!ch) {
		return;
	}
	post_event(ch, &ev);
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
	kfree(r);
}

static const struct queue_request_ops supervise_request_ops = {
	.cancel = request_cancel,
	.release = request_release,
};

/* The process named by @h with RIGHT_SUPERVISE (referenced). */
err_t supervise_process_get(uint64_t h, struct process **out)
{
	struct kobject *obj;
	err_t err;

	if (h > UINT32_MAX) {
		return ERR_BAD_HANDLE;
	}
	err = handle_get(&process_current()->handles, (handle_t)h,
			 OBJECT_PROCESS, RIGHT_SUPERVISE, &obj, NULL);
	if (!err) {
		*out = container_of(obj, struct process, obj);
	}
	return err;
}

enum queue_submit supervise_op_wait(struct queue *q,
				    const struct queue_sqe *sqe,
				    struct queue_cqe *cqe)
{
	struct supervise_request *r;
	struct channel_event *ce = NULL;
	struct process *target;
	err_t err = supervise_process_get(sqe->handle, &target);

	if (!err && !target->supervision) {
		err = ERR_INVALID;
		process_put(target);
	}
	if (!err && !uaccess_range_ok(sqe->arg[0],
				      sizeof(struct supervise_event))) {
		err = ERR_FAULT;
		process_put(target);
	}
	if (err) {
		cqe->result = -(int64_t)err;
		return QUEUE_SUBMIT_DONE;
	}
	r = kzalloc(sizeof(*r));
	if (!r) {
		process_put(target);
		cqe->result = -(int64_t)ERR_NO_MEMORY;
		return QUEUE_SUBMIT_DONE;
	}
	r->ch = target->supervision;
	r->target = target;
	r->supervisor = process_current();
	process_get(r->supervisor);
	r->buf = sqe->arg[0];
	queue_request_start(q, &r->req, sqe, &supervise_request_ops);

	spin_lock(&r->ch->lock);
	if (!list_is_empty(&r->ch->events)) {
		ce = container_of(list_pop_head(&r->ch->events),
				  struct channel_event, link);
	} else if (r->ch->ended) {
		spin_unlock(&r->ch->lock);
		queue_request_complete(&r->req, -(int64_t)ERR_PEER_CLOSED, 0);
		return QUEUE_SUBMIT_PENDING;
	} else {
		list_add_tail(&r->ch->waiters, &r->link);
		r->linked = true;
	}
	spin_unlock(&r->ch->lock);
	if (ce) {
		deliver(r, &ce->ev);
		kfree(ce);
	}
	return QUEUE_SUBMIT_PENDING;
}

/* System calls. */

int64_t sys_process_create(SYSCALL_ARGS)
{
	struct process *self = process_current();
	char name[PROCESS_NAME_MAX];
	struct process *p;
	struct thread *t = NULL;
	uint64_t out[2];
	handle_t h;
	void *image;
	err_t err;


	if (a3 & ~(uint64_t)(PROCESS_SUPERVISED | PROCESS_EMPTY)) {
		return -(int64_t)ERR_INVALID;
	}
	if (!(a3 & PROCESS_EMPTY) && (a1 == 0 || a1 > (64ul << 20))) {
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
	if (a3 & PROCESS_EMPTY) {
		err = process_create_empty(name, &p);
	} else {
		image = kmalloc(a1);
		if (!image) {
			return -(int64_t)ERR_NO_MEMORY;
		}
		err = uaccess_copy_in(image, a0, a1);
		if (!err) {
			err = process_create_from_elf(name, image, a1, &p,
						      &t);
		}
		kfree(image);
	}
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
	out[1] = t ? t->id : 0;
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
		err = supervise_process_get(a0, &p);
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
		err = supervise_process_get(a0, &src);
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
	err_t err = supervise_process_get(a0, &p);

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
	err_t err = supervise_process_get(h, &p);

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

int64_t sys_thread_fpu_get(SYSCALL_ARGS)
{
	size_t size = fpu_state_size();
	struct process *p;
	struct thread *t;
	err_t err;

	if (a3 < size) {
		return -(int64_t)ERR_TOO_BIG;
	}
	err = stopped_thread(a0, a1, &p, &t);
	if (err) {
		return -(int64_t)err;
	}
	/* A stopped thread is switched out: its state is in t->fpu. */
	err = uaccess_copy_out(a2, t->fpu, size);
	thread_put(t);
	process_put(p);
	return err ? -(int64_t)err : (int64_t)size;
}

int64_t sys_thread_fpu_set(SYSCALL_ARGS)
{
	size_t size = fpu_state_size();
	struct process *p;
	struct thread *t;
	void *area;
	err_t err;

	if (a3 != size) {
		return -(int64_t)ERR_INVALID;
	}
	area = kmalloc(size);
	if (!area) {
		return -(int64_t)ERR_NO_MEMORY;
	}
	err = uaccess_copy_in(area, a2, size);
	if (!err) {
		err = fpu_state_check(area);
	}
	if (!err) {
		err = stopped_thread(a0, a1, &p, &t);
	}
	if (!err) {
		memcpy(t->fpu, area, size);
		thread_put(t);
		process_put(p);
	}
	kfree(area);
	return -(int64_t)err;
}

int64_t sys_thread_resume(SYSCALL_ARGS)
{
	struct process *p;
	struct thread *t;
	err_t err = stopped_thread(a0, a1, &p, &t);

	if (err) {
		return -(int64_t)err;
	}
	if (!t->started || (a2 & ~(uint64_t)THREAD_RESUME_RESULT)) {
		/* SYS_THREAD_START starts a thread; unknown flags refused */
		err = t->started ? ERR_INVALID : ERR_BUSY;
		thread_put(t);
		process_put(p);
		return -(int64_t)err;
	}
	if (a2 & THREAD_RESUME_RESULT) {
		user_frame(t)->rax = a3;
	}
	spin_lock(&p->supervision->resume.lock);
	__atomic_store_n(&t->stopped, false, __ATOMIC_RELEASE);
	waitq_wake_all_locked(&p->supervision->resume);
	spin_unlock(&p->supervision->resume.lock);
	thread_put(t);
	process_put(p);
	return 0;
}

int64_t sys_process_kill(SYSCALL_ARGS)
{
	struct process *p;
	err_t err = supervise_process_get(a0, &p);

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
	/* Threads in queue or futex waits, or running elsewhere, too. */
	process_interrupt_threads(p, THREAD_WORK_KILL);
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
		err = supervise_process_get(h, &p);
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

int64_t sys_thread_suspend(SYSCALL_ARGS)
{
	struct process *p;
	struct thread *t;
	int64_t ret = 0;
	err_t err = supervise_process_get(a0, &p);

	if (err) {
		return -(int64_t)err;
	}
	if (!p->supervision) {
		process_put(p);
		return -(int64_t)ERR_INVALID; /* no channel for the event */
	}
	if (__atomic_load_n(&p->killed, __ATOMIC_ACQUIRE)) {
		process_put(p);
		return -(int64_t)ERR_PEER_CLOSED;
	}
	err = process_find_thread(p, a1, &t);
	if (err) {
		process_put(p);
		return -(int64_t)err;
	}
	/* Under the channel lock, against stop(): either the thread is
	 * stopped now, or it sees the request before it next runs user
	 * code. Unstarted threads count as stopped (SYS_THREAD_START). */
	spin_lock(&p->supervision->lock);
	if (!t->started || __atomic_load_n(&t->stopped, __ATOMIC_ACQUIRE)) {
		ret = 1;
	} else {
		__atomic_or_fetch(&t->user_work, THREAD_WORK_STOP,
				  __ATOMIC_ACQ_REL);
	}
	spin_unlock(&p->supervision->lock);
	if (ret == 0) {
		sched_interrupt(t);
	}
	thread_put(t);
	process_put(p);
	return ret;
}
