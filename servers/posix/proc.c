/*
 * Processes and threads (proc.h).
 *
 * Lifetimes: a struct lproc is referenced by the process table (until it
 * is reaped), by the fiber that takes its kernel process's events, and by
 * each thread fiber; the last reference frees it. A struct lthread
 * belongs to its fiber, which frees it when the thread is dead and its
 * last call has been answered.
 *
 * Everything runs on the server's one OS thread, between fiber switches:
 * no locks, but any call that parks (loop_submit, pwait_any) lets other
 * fibers change the world, so state is re-checked after each.
 */
#include <base/string.h>
#include <fiber/fiber.h>
#include <keel/error.h>
#include <keel/queue.h>
#include <keel/syscall.h>
#include <linux_abi/errno.h>
#include <rt/malloc.h>
#include <rt/rt.h>

#include "console.h"
#include "exec.h"
#include "execinfo.h"
#include "ltime.h"
#include "rootfs.h"
#include "fd.h"
#include "proc.h"
#include "server.h"
#include "signal.h"
#include "sys.h"
#include "tty.h"

#define PID_MAX 32768

static struct list_node all_procs = LIST_INIT(all_procs);
static int last_pid;
int proc_init_exit_code = -1;

struct lthread *proc_current(void)
{
	struct fiber *f = fiber_self();

	return f ? f->local : NULL;
}

struct list_node *proc_all(void)
{
	return &all_procs;
}

struct lproc *proc_find(int pid)
{
	struct list_node *pos;

	list_for_each(pos, &all_procs) {
		struct lproc *p = container_of(pos, struct lproc, all_link);

		if (p->pid == pid) {
			return p;
		}
	}
	return NULL;
}

bool proc_is_alive(const struct lproc *p)
{
	return p && !p->zombie;
}

/* The next free pid, wrapping as Linux does; 0 when all are taken. */
static int alloc_pid(void)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		int pid = last_pid + 1 >= PID_MAX ? 2 : last_pid + 1;
		bool used = proc_find(pid) != NULL;
		struct list_node *pos;

		last_pid = pid;
		/* Thread ids share the space with pids. */
		list_for_each(pos, &all_procs) {
			struct lproc *p =
				container_of(pos, struct lproc, all_link);
			struct list_node *tp;

			list_for_each(tp, &p->threads) {
				if (container_of(tp, struct lthread, link)
					    ->tid == pid) {
					used = true;
				}
			}
		}
		if (!used) {
			return pid;
		}
	}
	return 0;
}

void proc_get(struct lproc *p)
{
	p->refs++;
}

void proc_put(struct lproc *p)
{
	if (--p->refs) {
		return;
	}
	if (p->fds) {
		fd_table_put(p->fds);
	}
	vma_map_fini(&p->vmas);
	vfs_path_put(&p->root);
	vfs_path_put(&p->cwd);
	execinfo_put(p->exec_info);
	free(p);
}

static void proc_alarm_fired(struct ptimer *pt)
{
	struct lproc *p = container_of(pt, struct lproc, alarm);

	if (p->alarm_interval) {
		ptimer_arm(&p->alarm, pt->deadline + p->alarm_interval);
	}
	signal_send_proc(p, LINUX_SIGALRM);
}

static struct lproc *proc_alloc(void)
{
	struct lproc *p = calloc(1, sizeof(*p));

	if (!p) {
		return NULL;
	}
	p->pid = alloc_pid();
	if (!p->pid) {
		free(p);
		return NULL;
	}
	p->refs = 1;
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	vma_map_init(&p->vmas);
	pwait_head_init(&p->child_wait);
	pwait_head_init(&p->vfork_wait);
	pwait_head_init(&p->cont_wait);
	ptimer_init(&p->alarm, proc_alarm_fired);
	p->umask = 022;
	p->start_ns = ltime_monotonic_ns();
	list_add_tail(&all_procs, &p->all_link);
	return p;
}

static void thread_main(void *arg)
{
	struct lthread *t = arg;
	struct lproc *p = t->proc;

	fiber_self()->local = t;
	for (;;) {
		while (!t->has_event && !t->dead) {
			fiber_park();
		}
		if (t->dead) {
			break;
		}
		t->has_event = false;
		t->in_call = true;
		sys_handle_event(t);
		t->in_call = false;
	}
	list_remove(&t->link);
	free(t);
	proc_put(p);
}

struct lthread *proc_thread_add(struct lproc *p, uint64_t ktid)
{
	struct lthread *t = calloc(1, sizeof(*t));

	if (!t) {
		return NULL;
	}
	t->tid = list_is_empty(&p->threads) ? p->pid : alloc_pid();
	t->ktid = ktid;
	t->proc = p;
	if (!t->tid || fiber_create(&t->fiber, thread_main, t, 0) != ERR_OK) {
		free(t);
		return NULL;
	}
	proc_get(p);
	list_add_tail(&p->threads, &t->link);
	return t;
}

static struct lthread *find_thread(struct lproc *p, uint64_t ktid)
{
	struct list_node *pos;

	list_for_each(pos, &p->threads) {
		struct lthread *t = container_of(pos, struct lthread, link);

		if (t->ktid == ktid && !t->dead) {
			return t;
		}
	}
	return NULL;
}

void proc_kill_threads(struct lproc *p, struct lthread *keep)
{
	struct list_node *pos;

	list_for_each(pos, &p->threads) {
		struct lthread *t = container_of(pos, struct lthread, link);

		if (t != keep && !t->dead) {
			t->dead = true;
			pwait_interrupt(t);
			fiber_unpark(t->fiber);
		}
	}
}

void proc_vfork_release(struct lproc *p)
{
	if (p->vfork_parent_waits) {
		p->vfork_parent_waits = false;
		pwait_wake(&p->vfork_wait);
	}
}

static void exit_code_of_init(int status)
{
	int sig = status & 0x7f;

	proc_init_exit_code = sig ? 128 + sig : (status >> 8) & 0xff;
}

/* The kernel process of @p ended: @p becomes a zombie for its parent. */
static void proc_ended(struct lproc *p, int64_t code)
{
	struct lproc *init = proc_find(1);
	struct list_node *pos, *tmp;

	if (!p->exiting) { /* its last thread left: exit(2) */
		p->exit_status = (int)((code & 0xff) << 8);
	}
	p->exiting = true;
	p->zombie = true;
	ptimer_cancel(&p->alarm);
	proc_kill_threads(p, NULL);
	proc_vfork_release(p);
	/* A session leader's exit hangs up its terminal. */
	if (p->ctty && p->sid == p->pid) {
		tty_disassociate(p->ctty, true);
	}
	if (p->fds) {
		fd_table_put(p->fds);
		p->fds = NULL;
	}
	/* Orphans go to init, which reaps them. */
	list_for_each_safe(pos, tmp, &p->children) {
		struct lproc *c = container_of(pos, struct lproc, sibling);

		list_remove(&c->sibling);
		c->parent = init != p ? init : NULL;
		if (c->parent) {
			list_add_tail(&init->children, &c->sibling);
			if (c->zombie) {
				pwait_wake(&init->child_wait);
			}
		}
	}
	if (p->parent) {
		struct lsigaction *chld =
			&p->parent->actions[LINUX_SIGCHLD - 1];

		if (chld->handler == LINUX_SIG_IGN ||
		    (chld->flags & LINUX_SA_NOCLDWAIT)) {
			proc_reap(p); /* nobody will wait for it */
			return;
		}
		signal_send_proc(p->parent, LINUX_SIGCHLD);
		pwait_wake(&p->parent->child_wait);
	} else if (p->pid == 1) {
		exit_code_of_init(p->exit_status);
		rt_printf("posix: init exited with status %#x", p->exit_status);
		if (posix_opts.oneshot) {
			console_fini();
			/* End everything so that the server's loop ends. */
			list_for_each(pos, &all_procs) {
				struct lproc *o = container_of(
					pos, struct lproc, all_link);

				if (o != p && o->kproc && !o->zombie) {
					proc_exit(o, LINUX_SIGKILL);
				}
			}
		}
	}
}

struct events_ctx {
	struct lproc *p;
	handle_t kproc;
};

/* Takes the supervision events of one kernel process of @p and hands
 * them to the threads' fibers. Ends when the kernel process is gone. */
static void events_main(void *arg)
{
	struct events_ctx *c = arg;
	struct lproc *p = c->p;
	struct supervise_event ev;

	for (;;) {
		struct queue_sqe sqe = {
			.op = QUEUE_OP_SUPERVISE,
			.handle = c->kproc,
			.arg = { (uint64_t)&ev },
		};
		struct lthread *t;

		if (loop_submit(&posix_loop, &sqe, NULL) < 0) {
			break;
		}
		if (p->kproc != c->kproc) {
			continue; /* a process image execve replaced */
		}
		if (ev.kind == SUPERVISE_EVENT_EXIT) {
			proc_ended(p, (int64_t)ev.args[0]);
			continue;
		}
		t = find_thread(p, ev.thread);
		if (!t) {
			rt_printf("posix: event for unknown thread %lu of %d",
				  ev.thread, p->pid);
			continue;
		}
		t->ev = ev;
		t->has_event = true;
		fiber_unpark(t->fiber);
	}
	if (p->kproc == c->kproc) {
		p->kproc = 0;
	}
	rt_syscall2(SYS_HANDLE_CLOSE, c->kproc, 0);
	free(c);
	proc_put(p);
}

int proc_attach(struct lproc *p, handle_t kproc)
{
	struct events_ctx *c = malloc(sizeof(*c));
	struct fiber *f;

	if (!c) {
		return -LINUX_ENOMEM;
	}
	c->p = p;
	c->kproc = kproc;
	if (fiber_create(&f, events_main, c, 0) != ERR_OK) {
		free(c);
		return -LINUX_ENOMEM;
	}
	p->kproc = kproc;
	proc_get(p);
	return 0;
}

void proc_exit(struct lproc *p, int status)
{
	int sig = status & 0x7f;

	if (p->exiting) {
		return;
	}
	p->exiting = true;
	p->exit_status = status;
	if (p->kproc) {
		rt_syscall2(SYS_PROCESS_KILL, p->kproc,
			    sig ? 128 + (unsigned)sig : (status >> 8) & 0xff);
	}
}

struct lproc *proc_create_child(struct lproc *parent)
{
	struct lproc *p = proc_alloc();

	if (!p) {
		return NULL;
	}
	p->fds = fd_table_clone(parent->fds);
	if (!p->fds || vma_map_clone(&p->vmas, &parent->vmas)) {
		if (p->fds) {
			fd_table_put(p->fds);
		}
		list_remove(&p->all_link);
		free(p);
		return NULL;
	}
	p->parent = parent;
	list_add_tail(&parent->children, &p->sibling);
	p->pgid = parent->pgid;
	p->sid = parent->sid;
	p->uid = parent->uid, p->euid = parent->euid, p->suid = parent->suid;
	p->gid = parent->gid, p->egid = parent->egid, p->sgid = parent->sgid;
	p->umask = parent->umask;
	p->ctty = parent->ctty;
	p->brk_start = parent->brk_start;
	p->brk_cur = parent->brk_cur;
	p->brk_mapped = parent->brk_mapped;
	memcpy(p->actions, parent->actions, sizeof(p->actions));
	memcpy(p->rlimits, parent->rlimits, sizeof(p->rlimits));
	memcpy(p->comm, parent->comm, sizeof(p->comm));
	vfs_path_copy(&p->root, &parent->root);
	vfs_path_copy(&p->cwd, &parent->cwd);
	p->exec_info = execinfo_get(parent->exec_info);
	p->trace = parent->trace;
	return p;
}

void proc_reap(struct lproc *p)
{
	list_remove(&p->sibling);
	list_remove(&p->all_link);
	p->pid = 0;
	proc_put(p);
}

int proc_spawn_init(const char *path, char *const argv[], char *const envp[])
{
	struct exec_result res;
	struct lproc *p = proc_alloc();
	struct lthread *t;
	int err;

	if (!p) {
		return -LINUX_ENOMEM;
	}
	p->pgid = p->sid = p->pid;
	for (int i = 0; i < PROC_RLIMITS; i++) {
		p->rlimits[i].cur = p->rlimits[i].max = ~0ull;
	}
	p->rlimits[3].cur = EXEC_STACK_SIZE;	/* RLIMIT_STACK */
	p->rlimits[7].cur = p->rlimits[7].max = FD_MAX; /* RLIMIT_NOFILE */
	p->fds = fd_table_create();
	if (!p->fds) {
		return -LINUX_ENOMEM;
	}
	rootfs_root(&p->root);
	vfs_path_copy(&p->cwd, &p->root);
	sys_setup_console(p);
	err = exec_load(p, path, argv, envp, &res);
	if (err) {
		return err;
	}
	p->brk_start = p->brk_cur = p->brk_mapped = res.brk;
	p->vmas = res.vmas;
	p->exec_info = res.info;
	strlcpy(p->comm, strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
		sizeof(p->comm));
	t = proc_thread_add(p, res.ktid);
	if (!t || proc_attach(p, res.kproc)) {
		return -LINUX_ENOMEM;
	}
	rt_syscall6(SYS_THREAD_START, res.kproc, res.ktid, 0, 0, 0, 0);
	return 0;
}
