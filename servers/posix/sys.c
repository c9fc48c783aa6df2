/*
 * System call dispatch (sys.h): the table, the trace, the ENOSYS log
 * line, fault events turned into signals, and the way back to the
 * program.
 */
#include <base/string.h>
#include <keel/syscall.h>
#include <linux_abi/errno.h>
#include <linux_abi/syscall_nr.h>
#include <rt/rt.h>

#include "console.h"
#include "fd.h"
#include "file.h"
#include "proc.h"
#include "server.h"
#include "signal.h"
#include "sys.h"
#include "vfs.h"

#define SYS_ENTRY(name) [LINUX_SYS_##name] = sys_##name,
static const sys_fn sys_table[LINUX_SYSCALL_MAX] = {
	SYS_HANDLERS(SYS_ENTRY)
};

#define SYS_NAME(nr, name) [nr] = #name,
static const char *const sys_names[LINUX_SYSCALL_MAX] = {
	LINUX_SYSCALL_LIST(SYS_NAME)
};

/* One ENOSYS line per (process image, number): enough to notice, not a
 * flood. */
static uint64_t enosys_seen[LINUX_SYSCALL_MAX / 64];

static const char *sys_name(uint64_t nr)
{
	return nr < LINUX_SYSCALL_MAX && sys_names[nr] ? sys_names[nr] : "?";
}

void sys_finish(struct lthread *t, int64_t nr, int64_t r)
{
	struct lproc *p = t->proc;
	struct thread_regs regs;

	if (t->dead) {
		return;
	}
	if (!signal_is_pending(t) && r != -LINUX_ERESTARTSYS) {
		rt_syscall6(SYS_THREAD_RESUME, p->kproc, t->ktid,
			    THREAD_RESUME_RESULT, (uint64_t)r, 0, 0);
		return;
	}
	if (rt_syscall6(SYS_THREAD_REGS_GET, p->kproc, t->ktid,
			(uint64_t)&regs, 0, 0, 0) < 0) {
		return;
	}
	regs.rax = (uint64_t)r;
	if (!signal_deliver(t, &regs, nr)) {
		return;
	}
	rt_syscall6(SYS_THREAD_REGS_SET, p->kproc, t->ktid, (uint64_t)&regs, 0,
		    0, 0);
	rt_syscall6(SYS_THREAD_RESUME, p->kproc, t->ktid, 0, 0, 0, 0);
}

/* Lets @t go on from a stop that was not a system call (a fault, a
 * suspension): its registers stay as they are unless a signal handler
 * is entered. */
static void sys_continue(struct lthread *t)
{
	struct lproc *p = t->proc;
	struct thread_regs regs;

	if (t->dead) {
		return;
	}
	if (!signal_is_pending(t)) {
		rt_syscall6(SYS_THREAD_RESUME, p->kproc, t->ktid, 0, 0, 0, 0);
		return;
	}
	if (rt_syscall6(SYS_THREAD_REGS_GET, p->kproc, t->ktid,
			(uint64_t)&regs, 0, 0, 0) < 0 ||
	    !signal_deliver(t, &regs, -1)) {
		return;
	}
	rt_syscall6(SYS_THREAD_REGS_SET, p->kproc, t->ktid, (uint64_t)&regs, 0,
		    0, 0);
	rt_syscall6(SYS_THREAD_RESUME, p->kproc, t->ktid, 0, 0, 0, 0);
}

/* A CPU exception the kernel could not resolve becomes a signal. */
static void handle_fault(struct lthread *t)
{
	int sig;

	switch (t->ev.nr) {
	case 0: /* divide error */
	case 16: /* x87 */
	case 19: /* SIMD */
		sig = LINUX_SIGFPE;
		break;
	case 1:
	case 3:
		sig = LINUX_SIGTRAP;
		break;
	case 6:
		sig = LINUX_SIGILL;
		break;
	case 17:
		sig = LINUX_SIGBUS;
		break;
	default: /* page faults, general protection */
		sig = LINUX_SIGSEGV;
		break;
	}
	if (posix_opts.trace || t->proc->trace) {
		rt_printf("posix: [%d] fault %lu at %#lx (address %#lx) -> "
			  "signal %d",
			  t->tid, t->ev.nr, t->ev.rip, t->ev.args[1], sig);
	}
	/* Synchronous: it must be taken now, blocked or not. */
	t->sigmask &= ~SIG_BIT(sig);
	if (t->proc->actions[sig - 1].handler == LINUX_SIG_IGN) {
		t->proc->actions[sig - 1].handler = LINUX_SIG_DFL;
	}
	t->pending |= SIG_BIT(sig);
	t->fault_addr = t->ev.args[1];
	sys_continue(t);
}

void sys_handle_event(struct lthread *t)
{
	uint64_t nr = t->ev.nr;
	sys_fn fn;
	int64_t r;

	if (t->ev.kind == SUPERVISE_EVENT_FAULT) {
		handle_fault(t);
		return;
	}
	if (t->ev.kind == SUPERVISE_EVENT_STOP) {
		/* Stopped so that a signal is taken now (signal_kick);
		 * delivered on the way back, or it just goes on. */
		sys_continue(t);
		return;
	}
	fn = nr < LINUX_SYSCALL_MAX ? sys_table[nr] : NULL;
	if (fn) {
		r = fn(t, t->ev.args);
	} else {
		r = -LINUX_ENOSYS;
		if (nr >= LINUX_SYSCALL_MAX ||
		    !(enosys_seen[nr / 64] & (1ull << (nr % 64)))) {
			if (nr < LINUX_SYSCALL_MAX) {
				enosys_seen[nr / 64] |= 1ull << (nr % 64);
			}
			rt_printf("posix: %s[%d]: unsupported system call %lu "
				  "(%s): ENOSYS",
				  t->proc->comm, t->tid, nr, sys_name(nr));
		}
	}
	if (posix_opts.trace || t->proc->trace) {
		if (r == SYS_NORESUME) {
			rt_printf("posix: [%d] %s(%#lx, %#lx, %#lx) -> (no return)",
				  t->tid, sys_name(nr), t->ev.args[0],
				  t->ev.args[1], t->ev.args[2]);
		} else {
			rt_printf("posix: [%d] %s(%#lx, %#lx, %#lx) = %ld",
				  t->tid, sys_name(nr), t->ev.args[0],
				  t->ev.args[1], t->ev.args[2], r);
		}
	}
	if (r != SYS_NORESUME) {
		sys_finish(t, (int64_t)nr, r);
	}
}

void sys_setup_console(struct lproc *p)
{
	struct vfs_ctx ctx = { .root = &p->root, .cwd = &p->cwd,
			       .proc = p };
	struct file *f = NULL;

	/* As Linux gives init: /dev/console on 0, 1 and 2. */
	if (vfs_open(&ctx, NULL, "/dev/console", 2 /* O_RDWR */, 0, &f)) {
		f = console_open(p);
	}
	if (!f) {
		rt_printf("posix: no console for the first program");
		return;
	}
	for (int fd = 0; fd < 3; fd++) {
		fd_install_at(p->fds, f, fd, false);
	}
	file_put(f);
}
