/*
 * Process and thread calls: exit, fork/vfork/clone, execve, wait4, ids,
 * process groups and sessions, kill, limits, arch_prctl, reboot.
 */
#include <base/string.h>
#include <fiber/fiber.h>
#include <keel/syscall.h>
#include <linux_abi/errno.h>
#include <rt/malloc.h>
#include <rt/rt.h>

#include "exec.h"
#include "execinfo.h"
#include "fd.h"
#include "futex.h"
#include "proc.h"
#include "server.h"
#include "signal.h"
#include "sys.h"
#include "umem.h"

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID 0x01000000

#define WNOHANG 1
#define WUNTRACED 2
#define WEXITED 4
#define WCONTINUED 8
#define WNOWAIT 0x01000000

#define EXEC_STRINGS_MAX (2u << 20)	/* argv + envp bytes */
#define EXEC_VECTOR_MAX 65536

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

int64_t sys_getpid(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return t->proc->pid;
}

int64_t sys_getppid(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return t->proc->parent ? t->proc->parent->pid : 0;
}

int64_t sys_gettid(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return t->tid;
}

/* What a leaving thread owes: clear_child_tid (0 written, futex woken). */
static void thread_leave(struct lthread *t)
{
	uint32_t zero = 0;

	if (t->clear_child_tid &&
	    umem_write(t->proc, t->clear_child_tid, &zero, 4) == 0) {
		futex_wake(t->proc, t->clear_child_tid, 1);
	}
}

int64_t sys_exit(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct thread_regs regs;
	struct list_node *pos;
	unsigned live = 0;

	list_for_each(pos, &p->threads) {
		live += !container_of(pos, struct lthread, link)->dead;
	}
	if (live <= 1) {
		proc_exit(p, (int)((a[0] & 0xff) << 8));
		return SYS_NORESUME;
	}
	thread_leave(t);
	/* The kernel ends a thread only from inside: send it to the posix
	 * page's SYS_THREAD_EXIT. */
	if (rt_syscall6(SYS_THREAD_REGS_GET, p->kproc, t->ktid,
			(uint64_t)&regs, 0, 0, 0) == 0) {
		regs.rip = EXEC_POSIX_THREAD_EXIT;
		rt_syscall6(SYS_THREAD_REGS_SET, p->kproc, t->ktid,
			    (uint64_t)&regs, 0, 0, 0);
		rt_syscall6(SYS_THREAD_RESUME, p->kproc, t->ktid, 0, 0, 0, 0);
	}
	t->dead = true;
	return SYS_NORESUME;
}

int64_t sys_exit_group(struct lthread *t, const uint64_t *a)
{
	proc_exit(t->proc, (int)((a[0] & 0xff) << 8));
	return SYS_NORESUME;
}

static int64_t new_thread(struct lthread *t, struct thread_regs *regs,
			  uint64_t flags, uint64_t ptid, uint64_t ctid)
{
	struct lproc *p = t->proc;
	struct lthread *nt;
	int64_t ktid;

	if ((flags & (CLONE_VM | CLONE_SIGHAND)) !=
	    (CLONE_VM | CLONE_SIGHAND)) {
		return -LINUX_EINVAL;
	}
	ktid = rt_syscall6(SYS_THREAD_CREATE, p->kproc, regs->rip, regs->rsp,
			   0, THREAD_CREATE_SUSPENDED, 0);
	if (ktid < 0) {
		return -LINUX_EAGAIN;
	}
	nt = proc_thread_add(p, (uint64_t)ktid);
	if (!nt) {
		return -LINUX_ENOMEM;
	}
	nt->sigmask = t->sigmask;
	rt_syscall6(SYS_THREAD_REGS_SET, p->kproc, nt->ktid, (uint64_t)regs, 0,
		    0, 0);
	if (flags & CLONE_PARENT_SETTID) {
		umem_write(p, ptid, &nt->tid, 4);
	}
	if (flags & CLONE_CHILD_SETTID) {
		umem_write(p, ctid, &nt->tid, 4);
	}
	if (flags & CLONE_CHILD_CLEARTID) {
		nt->clear_child_tid = ctid;
	}
	rt_syscall6(SYS_THREAD_START, p->kproc, nt->ktid, 0, 0, 0, 0);
	return nt->tid;
}

static int64_t do_clone(struct lthread *t, uint64_t flags, uint64_t newsp,
			uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	struct lproc *p = t->proc, *c;
	struct thread_regs regs;
	struct lthread *ct;
	int64_t kh, ktid;
	int pid;

	if (rt_syscall6(SYS_THREAD_REGS_GET, p->kproc, t->ktid,
			(uint64_t)&regs, 0, 0, 0) < 0) {
		return -LINUX_EAGAIN;
	}
	regs.rax = 0;
	if (newsp) {
		regs.rsp = newsp;
	}
	if (flags & CLONE_SETTLS) {
		regs.fs_base = tls;
	}
	if (flags & CLONE_THREAD) {
		return new_thread(t, &regs, flags, ptid, ctid);
	}
	/* A new process. CLONE_VM without CLONE_THREAD (posix_spawn's
	 * CLONE_VM | CLONE_VFORK) gets a copy of the memory instead of a
	 * share: the parent waits as with vfork, and the child execs. */
	if ((flags & CLONE_VM) && !(flags & CLONE_VFORK)) {
		return -LINUX_EINVAL;
	}
	c = proc_create_child(p);
	if (!c) {
		return -LINUX_EAGAIN;
	}
	if ((flags & CLONE_PARENT) && p->parent) {
		list_remove(&c->sibling);
		c->parent = p->parent;
		list_add_tail(&p->parent->children, &c->sibling);
	}
	kh = rt_syscall2(SYS_PROCESS_FORK, p->kproc, PROCESS_SUPERVISED);
	if (kh < 0) {
		proc_reap(c);
		return -LINUX_ENOMEM;
	}
	ktid = rt_syscall6(SYS_THREAD_CREATE, (uint64_t)kh, regs.rip, regs.rsp,
			   0, THREAD_CREATE_SUSPENDED, 0);
	ct = ktid < 0 ? NULL : proc_thread_add(c, (uint64_t)ktid);
	if (!ct || proc_attach(c, (handle_t)kh)) {
		rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)kh, 0);
		c->zombie = true;
		proc_kill_threads(c, NULL);
		proc_reap(c);
		return -LINUX_EAGAIN;
	}
	ct->sigmask = t->sigmask;
	ct->altstack_sp = t->altstack_sp;
	ct->altstack_size = t->altstack_size;
	ct->altstack_flags = t->altstack_flags;
	rt_syscall6(SYS_THREAD_REGS_SET, (uint64_t)kh, ct->ktid,
		    (uint64_t)&regs, 0, 0, 0);
	if (flags & CLONE_PARENT_SETTID) {
		umem_write(p, ptid, &ct->tid, 4);
	}
	if (flags & CLONE_CHILD_SETTID) {
		umem_write(c, ctid, &ct->tid, 4);
	}
	if (flags & CLONE_CHILD_CLEARTID) {
		ct->clear_child_tid = ctid;
	}
	pid = c->pid;
	if (flags & CLONE_VFORK) {
		c->vfork_parent_waits = true;
	}
	rt_syscall6(SYS_THREAD_START, (uint64_t)kh, ct->ktid, 0, 0, 0, 0);
	if (flags & CLONE_VFORK) {
		proc_get(c);
		while (c->vfork_parent_waits && !t->dead) {
			struct pwait_head *h = &c->vfork_wait;

			pwait_any(&h, 1, ~0ull);
		}
		proc_put(c);
	}
	return pid;
}

int64_t sys_fork(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return do_clone(t, 17 /* SIGCHLD */, 0, 0, 0, 0);
}

int64_t sys_vfork(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return do_clone(t, CLONE_VFORK | 17, 0, 0, 0, 0);
}

int64_t sys_clone(struct lthread *t, const uint64_t *a)
{
	/* x86_64 order: flags, newsp, parent_tid, child_tid, tls. */
	return do_clone(t, a[0], a[1], a[2], a[3], a[4]);
}

static void free_strv(char **v)
{
	if (v) {
		for (size_t i = 0; v[i]; i++) {
			free(v[i]);
		}
		free(v);
	}
}

/* Copies a NULL-terminated vector of strings from the program. */
static int read_strv(struct lproc *p, uint64_t uv, char ***out,
		     size_t *budget)
{
	size_t n = 0, cap = 16;
	char **v = calloc(cap + 1, sizeof(char *));
	char *buf = malloc(4096);
	int err = 0;

	if (!v || !buf) {
		err = -LINUX_ENOMEM;
		goto out;
	}
	for (; uv; n++) {
		uint64_t ptr;
		size_t len;

		if (n == EXEC_VECTOR_MAX) {
			err = -LINUX_E2BIG;
			break;
		}
		if (umem_read(p, uv + 8 * n, &ptr, 8)) {
			err = -LINUX_EFAULT;
			break;
		}
		if (!ptr) {
			break;
		}
		err = umem_read_str(p, ptr, buf, 4096);
		if (err) {
			err = err == -LINUX_ENAMETOOLONG ? -LINUX_E2BIG : err;
			break;
		}
		len = strlen(buf) + 1;
		if (len > *budget) {
			err = -LINUX_E2BIG;
			break;
		}
		*budget -= len;
		if (n == cap) {
			char **bigger = realloc(v, (2 * cap + 1) * sizeof(char *));

			if (!bigger) {
				err = -LINUX_ENOMEM;
				break;
			}
			v = bigger;
			cap *= 2;
		}
		v[n] = malloc(len);
		if (!v[n]) {
			err = -LINUX_ENOMEM;
			break;
		}
		memcpy(v[n], buf, len);
		v[n + 1] = NULL;
	}
out:
	free(buf);
	if (err) {
		free_strv(v);
		return err;
	}
	v[n] = NULL;
	*out = v;
	return 0;
}

int64_t sys_execve(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	size_t budget = EXEC_STRINGS_MAX;
	char path[4096], **argv = NULL, **envp = NULL;
	struct exec_result res;
	handle_t old = p->kproc;
	int err;

	err = umem_read_str(p, a[0], path, sizeof(path));
	if (!err) {
		err = read_strv(p, a[1], &argv, &budget);
	}
	if (!err) {
		err = read_strv(p, a[2], &envp, &budget);
	}
	if (!err) {
		err = exec_load(p, path, argv, envp, &res);
	}
	free_strv(argv);
	free_strv(envp);
	if (err) {
		return err;
	}
	/* Point of no return: the old image goes, with its other threads. */
	proc_kill_threads(p, t);
	if (proc_attach(p, res.kproc)) {
		rt_syscall2(SYS_HANDLE_CLOSE, res.kproc, 0);
		proc_exit(p, LINUX_SIGKILL);
		return SYS_NORESUME;
	}
	t->ktid = res.ktid;
	t->clear_child_tid = 0;
	t->altstack_sp = t->altstack_size = 0;
	t->altstack_flags = 2; /* SS_DISABLE */
	rt_syscall2(SYS_PROCESS_KILL, old, 0);
	fd_close_on_exec(p->fds);
	for (int i = 0; i < LINUX_NSIG; i++) {
		if (p->actions[i].handler != LINUX_SIG_IGN) {
			p->actions[i].handler = LINUX_SIG_DFL;
		}
		p->actions[i].flags = 0;
		p->actions[i].mask = 0;
	}
	p->brk_start = p->brk_cur = p->brk_mapped = res.brk;
	vma_map_fini(&p->vmas);
	p->vmas = res.vmas;
	execinfo_put(p->exec_info);
	p->exec_info = res.info;
	strlcpy(p->comm, strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
		sizeof(p->comm));
	proc_vfork_release(p);
	rt_syscall6(SYS_THREAD_START, res.kproc, res.ktid, 0, 0, 0, 0);
	return SYS_NORESUME;
}

static bool wait_matches(const struct lproc *c, int64_t pid,
			 const struct lproc *p)
{
	if (pid > 0) {
		return c->pid == pid;
	}
	if (pid == 0) {
		return c->pgid == p->pgid;
	}
	if (pid == -1) {
		return true;
	}
	return c->pgid == -pid;
}

int64_t sys_wait4(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	int64_t pid = (int32_t)a[0];

	if (a[2] & ~(uint64_t)(WNOHANG | 2 | 8 | 0x20000000 | 0x40000000 |
			       0x80000000)) {
		return -LINUX_EINVAL;
	}
	for (;;) {
		struct pwait_head *h = &p->child_wait;
		struct list_node *pos;
		bool any = false;

		list_for_each(pos, &p->children) {
			struct lproc *c =
				container_of(pos, struct lproc, sibling);
			int status, cpid;

			if (!wait_matches(c, pid, p)) {
				continue;
			}
			any = true;
			if (!c->zombie) {
				int st = -1;

				if ((a[2] & WUNTRACED) && c->stopped &&
				    c->stop_report) {
					st = (c->stop_sig << 8) | 0x7f;
					c->stop_report = false;
				} else if ((a[2] & WCONTINUED) &&
					   c->cont_report) {
					st = 0xffff;
					c->cont_report = false;
				}
				if (st < 0) {
					continue;
				}
				if (a[1] && umem_write(p, a[1], &st, 4)) {
					return -LINUX_EFAULT;
				}
				return c->pid;
			}
			status = c->exit_status;
			cpid = c->pid;
			if (a[1] && umem_write(p, a[1], &status, 4)) {
				return -LINUX_EFAULT;
			}
			if (a[3]) {
				uint8_t zero[144] = { 0 };

				umem_write(p, a[3], zero, sizeof(zero));
			}
			proc_reap(c);
			return cpid;
		}
		if (!any) {
			return -LINUX_ECHILD;
		}
		if (a[2] & WNOHANG) {
			return 0;
		}
		if (pwait_any(&h, 1, ~0ull)) {
			return -LINUX_ERESTARTSYS;
		}
		if (t->dead) {
			return -LINUX_EINTR;
		}
	}
}

int64_t sys_set_tid_address(struct lthread *t, const uint64_t *a)
{
	t->clear_child_tid = a[0];
	return t->tid;
}

int64_t sys_set_robust_list(struct lthread *t, const uint64_t *a)
{
	(void)t;
	return a[1] == 24 ? 0 : -LINUX_EINVAL;
}

int64_t sys_arch_prctl(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct thread_regs regs;

	if (rt_syscall6(SYS_THREAD_REGS_GET, p->kproc, t->ktid,
			(uint64_t)&regs, 0, 0, 0) < 0) {
		return -LINUX_ESRCH;
	}
	switch (a[0]) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (a[1] >= 0x0000800000000000ull) {
			return -LINUX_EPERM;
		}
		if (a[0] == ARCH_SET_FS) {
			regs.fs_base = a[1];
		} else {
			regs.gs_base = a[1];
		}
		return rt_syscall6(SYS_THREAD_REGS_SET, p->kproc, t->ktid,
				   (uint64_t)&regs, 0, 0, 0) < 0
			       ? -LINUX_EPERM
			       : 0;
	case ARCH_GET_FS:
		return umem_write(p, a[1], &regs.fs_base, 8);
	case ARCH_GET_GS:
		return umem_write(p, a[1], &regs.gs_base, 8);
	default:
		return -LINUX_EINVAL;
	}
}

int64_t sys_getuid(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return t->proc->uid;
}

int64_t sys_geteuid(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return t->proc->euid;
}

int64_t sys_getgid(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return t->proc->gid;
}

int64_t sys_getegid(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return t->proc->egid;
}

int64_t sys_setuid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	uint32_t uid = (uint32_t)a[0];

	if (p->euid == 0) {
		p->uid = p->euid = p->suid = uid;
	} else if (uid == p->uid || uid == p->suid) {
		p->euid = uid;
	} else {
		return -LINUX_EPERM;
	}
	return 0;
}

int64_t sys_setgid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	uint32_t gid = (uint32_t)a[0];

	if (p->euid == 0) {
		p->gid = p->egid = p->sgid = gid;
	} else if (gid == p->gid || gid == p->sgid) {
		p->egid = gid;
	} else {
		return -LINUX_EPERM;
	}
	return 0;
}

int64_t sys_getresuid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;

	if (umem_write(p, a[0], &p->uid, 4) || umem_write(p, a[1], &p->euid, 4) ||
	    umem_write(p, a[2], &p->suid, 4)) {
		return -LINUX_EFAULT;
	}
	return 0;
}

int64_t sys_getresgid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;

	if (umem_write(p, a[0], &p->gid, 4) || umem_write(p, a[1], &p->egid, 4) ||
	    umem_write(p, a[2], &p->sgid, 4)) {
		return -LINUX_EFAULT;
	}
	return 0;
}

int64_t sys_getgroups(struct lthread *t, const uint64_t *a)
{
	(void)t, (void)a;
	return 0; /* no supplementary groups */
}

int64_t sys_setgroups(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return t->proc->euid == 0 ? 0 : -LINUX_EPERM;
}

static struct lproc *self_or_pid(struct lthread *t, uint64_t pid)
{
	return pid == 0 ? t->proc : proc_find((int)pid);
}

int64_t sys_setpgid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc, *target = self_or_pid(t, a[0]);
	int64_t pgid = (int64_t)a[1];

	if (pgid < 0) {
		return -LINUX_EINVAL;
	}
	if (!target || target->zombie ||
	    (target != p && target->parent != p)) {
		return -LINUX_ESRCH;
	}
	if (target->sid != p->sid || target->sid == target->pid) {
		return -LINUX_EPERM;
	}
	if (pgid == 0) {
		pgid = target->pid;
	}
	if (pgid != target->pid) {
		struct list_node *pos;
		bool found = false;

		list_for_each(pos, proc_all()) {
			struct lproc *o =
				container_of(pos, struct lproc, all_link);

			found |= o->pgid == pgid && o->sid == p->sid;
		}
		if (!found) {
			return -LINUX_EPERM;
		}
	}
	target->pgid = (int)pgid;
	return 0;
}

int64_t sys_getpgid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = self_or_pid(t, a[0]);

	return p ? p->pgid : -LINUX_ESRCH;
}

int64_t sys_getpgrp(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return t->proc->pgid;
}

int64_t sys_setsid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct list_node *pos;

	(void)a;
	list_for_each(pos, proc_all()) {
		if (container_of(pos, struct lproc, all_link)->pgid == p->pid) {
			return -LINUX_EPERM; /* already leads a group */
		}
	}
	p->sid = p->pgid = p->pid;
	return p->sid;
}

int64_t sys_getsid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = self_or_pid(t, a[0]);

	return p ? p->sid : -LINUX_ESRCH;
}

int64_t sys_kill(struct lthread *t, const uint64_t *a)
{
	int64_t pid = (int32_t)a[0];
	int sig = (int)a[1];
	struct list_node *pos;
	int n = 0;

	if (sig < 0 || sig > LINUX_NSIG) {
		return -LINUX_EINVAL;
	}
	if (pid > 0) {
		struct lproc *p = proc_find((int)pid);

		if (!p) {
			return -LINUX_ESRCH;
		}
		if (sig && !p->zombie) {
			signal_send_proc(p, sig);
		}
		return 0;
	}
	if (pid == 0 || pid < -1) {
		n = signal_send_group(pid == 0 ? t->proc->pgid : (int)-pid, sig);
		return n ? 0 : -LINUX_ESRCH;
	}
	list_for_each(pos, proc_all()) {
		struct lproc *p = container_of(pos, struct lproc, all_link);

		if (p->pid > 1 && p != t->proc && !p->zombie) {
			if (sig) {
				signal_send_proc(p, sig);
			}
			n++;
		}
	}
	return n ? 0 : -LINUX_ESRCH;
}

static struct lthread *find_tid(int tid)
{
	struct list_node *pos, *tp;

	list_for_each(pos, proc_all()) {
		struct lproc *p = container_of(pos, struct lproc, all_link);

		list_for_each(tp, &p->threads) {
			struct lthread *t =
				container_of(tp, struct lthread, link);

			if (t->tid == tid && !t->dead) {
				return t;
			}
		}
	}
	return NULL;
}

static int64_t thread_kill(int tgid, int tid, int sig)
{
	struct lthread *target = find_tid(tid);

	if (sig < 0 || sig > LINUX_NSIG || tid <= 0) {
		return -LINUX_EINVAL;
	}
	if (!target || (tgid > 0 && target->proc->pid != tgid)) {
		return -LINUX_ESRCH;
	}
	if (sig) {
		target->pending |= SIG_BIT(sig);
		signal_kick(target);
	}
	return 0;
}

int64_t sys_tgkill(struct lthread *t, const uint64_t *a)
{
	(void)t;
	if ((int64_t)(int32_t)a[0] <= 0) {
		return -LINUX_EINVAL;
	}
	return thread_kill((int)a[0], (int)a[1], (int)a[2]);
}

int64_t sys_tkill(struct lthread *t, const uint64_t *a)
{
	(void)t;
	return thread_kill(-1, (int)a[0], (int)a[1]);
}

int64_t sys_umask(struct lthread *t, const uint64_t *a)
{
	uint32_t old = t->proc->umask;

	t->proc->umask = (uint32_t)a[0] & 0777;
	return old;
}

static int64_t rlimit(struct lthread *t, int pid, uint64_t res,
		      uint64_t new_lim, uint64_t old_lim)
{
	struct lproc *p = pid ? proc_find(pid) : t->proc;
	uint64_t lim[2];

	if (!p) {
		return -LINUX_ESRCH;
	}
	if (res >= PROC_RLIMITS) {
		return -LINUX_EINVAL;
	}
	if (old_lim) {
		lim[0] = p->rlimits[res].cur;
		lim[1] = p->rlimits[res].max;
		if (umem_write(t->proc, old_lim, lim, sizeof(lim))) {
			return -LINUX_EFAULT;
		}
	}
	if (new_lim) {
		if (umem_read(t->proc, new_lim, lim, sizeof(lim))) {
			return -LINUX_EFAULT;
		}
		if (lim[0] > lim[1]) {
			return -LINUX_EINVAL;
		}
		if (lim[1] > p->rlimits[res].max && t->proc->euid != 0) {
			return -LINUX_EPERM;
		}
		if (res == 7 && lim[1] > FD_MAX) { /* RLIMIT_NOFILE */
			return -LINUX_EPERM;
		}
		p->rlimits[res].cur = lim[0];
		p->rlimits[res].max = lim[1];
	}
	return 0;
}

int64_t sys_prlimit64(struct lthread *t, const uint64_t *a)
{
	return rlimit(t, (int)a[0], a[1], a[2], a[3]);
}

int64_t sys_getrlimit(struct lthread *t, const uint64_t *a)
{
	if (!a[1]) {
		return -LINUX_EFAULT;
	}
	return rlimit(t, 0, a[0], 0, a[1]);
}

int64_t sys_setrlimit(struct lthread *t, const uint64_t *a)
{
	if (!a[1]) {
		return -LINUX_EFAULT;
	}
	return rlimit(t, 0, a[0], a[1], 0);
}

int64_t sys_reboot(struct lthread *t, const uint64_t *a)
{
	uint64_t magic2 = a[1] & 0xffffffff;

	if ((a[0] & 0xffffffff) != 0xfee1dead ||
	    (magic2 != 672274793 && magic2 != 85072278 &&
	     magic2 != 369367448 && magic2 != 537993216)) {
		return -LINUX_EINVAL;
	}
	if (t->proc->euid != 0) {
		return -LINUX_EPERM;
	}
	switch (a[2] & 0xffffffff) {
	case 0x4321fedc: /* POWER_OFF */
	case 0xcdef0123: /* HALT */
		rt_printf("posix: power-off asked by %s[%d]", t->proc->comm,
			  t->proc->pid);
		rt_syscall2(SYS_SYSTEM_POWER, SYSTEM_POWER_OFF, 0);
		return -LINUX_EIO;
	case 0x01234567: /* RESTART */
		rt_printf("posix: restart asked by %s[%d]", t->proc->comm,
			  t->proc->pid);
		rt_syscall2(SYS_SYSTEM_POWER, SYSTEM_POWER_REBOOT, 0);
		return -LINUX_EIO;
	case 0x89abcdef: /* CAD_ON */
	case 0: /* CAD_OFF */
		return 0;
	default:
		return -LINUX_EINVAL;
	}
}

/* waitid: the same search as wait4, reporting in a siginfo_t. */
int64_t sys_waitid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	uint64_t idtype = a[0], options = a[3];
	int64_t id = (int32_t)a[1];

	if (idtype > 3 || !(options & (WEXITED | WUNTRACED | WCONTINUED)) ||
	    (options & ~(uint64_t)(WNOHANG | WEXITED | WUNTRACED |
				   WCONTINUED | WNOWAIT | 0x20000000 |
				   0x40000000 | 0x80000000))) {
		return -LINUX_EINVAL;
	}
	for (;;) {
		struct pwait_head *h = &p->child_wait;
		struct list_node *pos;
		bool any = false;

		list_for_each(pos, &p->children) {
			struct lproc *c =
				container_of(pos, struct lproc, sibling);
			struct {
				int32_t signo, errno_, code, pad;
				int32_t pid;
				uint32_t uid;
				int32_t status;
				int32_t pad2;
				uint8_t rest[96];
			} si;
			int code = 0, status = 0;

			if ((idtype == 1 && c->pid != id) || /* P_PID */
			    (idtype == 2 && c->pgid != (id ? id : p->pgid))) {
				continue; /* P_PGID */
			}
			any = true;
			if (c->zombie && (options & WEXITED)) {
				int sig = c->exit_status & 0x7f;

				code = sig ? ((c->exit_status & 0x80) ? 3 : 2)
					   : 1; /* CLD_DUMPED/KILLED/EXITED */
				status = sig ? sig : (c->exit_status >> 8) & 0xff;
			} else if (!c->zombie && c->stopped && c->stop_report &&
				   (options & WUNTRACED)) {
				code = 5; /* CLD_STOPPED */
				status = c->stop_sig;
			} else if (!c->zombie && c->cont_report &&
				   (options & WCONTINUED)) {
				code = 6; /* CLD_CONTINUED */
				status = LINUX_SIGCONT;
			} else {
				continue;
			}
			memset(&si, 0, sizeof(si));
			si.signo = LINUX_SIGCHLD;
			si.code = code;
			si.pid = c->pid;
			si.uid = c->uid;
			si.status = status;
			if (a[2] && umem_write(p, a[2], &si, sizeof(si))) {
				return -LINUX_EFAULT;
			}
			if (!(options & WNOWAIT)) {
				if (code == 5) {
					c->stop_report = false;
				} else if (code == 6) {
					c->cont_report = false;
				} else {
					proc_reap(c);
				}
			}
			return 0;
		}
		if (!any) {
			return -LINUX_ECHILD;
		}
		if (options & WNOHANG) {
			if (a[2]) {
				uint8_t zero[128] = { 0 };

				umem_write(p, a[2], zero, sizeof(zero));
			}
			return 0;
		}
		if (pwait_any(&h, 1, ~0ull)) {
			return -LINUX_ERESTARTSYS;
		}
		if (t->dead) {
			return -LINUX_EINTR;
		}
	}
}

int64_t sys_prctl(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	char name[PROC_COMM_MAX];

	switch (a[0]) {
	case 15: /* PR_SET_NAME */
		memset(name, 0, sizeof(name));
		if (umem_read_str(p, a[1], name, sizeof(name)) == -LINUX_EFAULT) {
			return -LINUX_EFAULT;
		}
		name[sizeof(name) - 1] = '\0';
		memcpy(p->comm, name, sizeof(name));
		return 0;
	case 16: /* PR_GET_NAME */
		return umem_write(p, a[1], p->comm, sizeof(p->comm));
	case 1: /* PR_SET_PDEATHSIG */
	case 4: /* PR_SET_DUMPABLE */
	case 38: /* PR_SET_NO_NEW_PRIVS */
		return 0;
	case 3: /* PR_GET_DUMPABLE */
		return 1;
	default:
		return -LINUX_EINVAL;
	}
}

/* No per-thread CPU accounting yet: zero times, as a process that has
 * used no CPU would report. */
int64_t sys_getrusage(struct lthread *t, const uint64_t *a)
{
	uint8_t ru[144] = { 0 };

	if ((int64_t)a[0] < -1 || (int64_t)a[0] > 1) {
		return -LINUX_EINVAL;
	}
	return umem_write(t->proc, a[1], ru, sizeof(ru));
}

int64_t sys_times(struct lthread *t, const uint64_t *a)
{
	uint64_t tms[4] = { 0, 0, 0, 0 };

	if (a[0] && umem_write(t->proc, a[0], tms, sizeof(tms))) {
		return -LINUX_EFAULT;
	}
	/* Clock ticks (100 Hz) since boot. */
	return (int64_t)(rt_clock_ns() / 10000000);
}
