/*
 * Signals (signal.h). Delivery happens when the server lets a thread go
 * on after a system call or a fault: the thread's registers go into an
 * rt_sigframe on its stack (Linux's x86_64 layout, which programs and
 * debuggers read), and it enters the handler with rdi = signal, rsi =
 * &siginfo, rdx = &ucontext, returning through sa_restorer to
 * rt_sigreturn.
 *
 * Job control: a stop signal's default action stops the whole process
 * (each thread holds still at its next stop point) until SIGCONT.
 *
 * The FPU/SSE/AVX state is saved above the frame (the kernel's XSAVE
 * image; mcontext.fpstate points at it) and restored by rt_sigreturn.
 *
 * A thread running user code when a signal comes for it is stopped by
 * the kernel (SYS_THREAD_SUSPEND) and gets it at that point.
 */
#include <stddef.h>

#include <base/string.h>
#include <keel/syscall.h>
#include <linux_abi/errno.h>
#include <rt/rt.h>

#include "proc.h"
#include "signal.h"
#include "sys.h"
#include "umem.h"

#define SI_USER 0
#define SI_KERNEL 0x80
#define SEGV_MAPERR 1
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048
#define UNBLOCKABLE (SIG_BIT(LINUX_SIGKILL) | SIG_BIT(LINUX_SIGSTOP))

struct sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct sigcontext) == 256, "sigcontext layout");

struct ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
	struct sigcontext mcontext;
	uint64_t sigmask;
};
_Static_assert(sizeof(struct ucontext) == 304, "ucontext layout");

struct siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t pad;
	uint64_t fields[14];	/* si_addr, or si_pid/si_uid, ... */
};
_Static_assert(sizeof(struct siginfo) == 128, "siginfo layout");

struct rt_sigframe {
	uint64_t pretcode;
	struct ucontext uc;
	struct siginfo info;
};

enum default_action { ACT_TERM, ACT_CORE, ACT_IGNORE, ACT_STOP };

/* Room for the kernel's FPU state image (XSAVE with AVX: 832 bytes). */
static uint8_t fpu_buf[4096] __attribute__((aligned(64)));

static enum default_action default_action(int sig)
{
	switch (sig) {
	case LINUX_SIGQUIT:
	case LINUX_SIGILL:
	case LINUX_SIGTRAP:
	case LINUX_SIGABRT:
	case LINUX_SIGBUS:
	case LINUX_SIGFPE:
	case LINUX_SIGSEGV:
	case LINUX_SIGXCPU:
	case LINUX_SIGXFSZ:
	case LINUX_SIGSYS:
		return ACT_CORE;
	case LINUX_SIGCHLD:
	case LINUX_SIGURG:
	case LINUX_SIGWINCH:
	case LINUX_SIGCONT:
		return ACT_IGNORE;
	case LINUX_SIGSTOP:
	case LINUX_SIGTSTP:
	case LINUX_SIGTTIN:
	case LINUX_SIGTTOU:
		return ACT_STOP;
	default:
		return ACT_TERM;
	}
}

static bool is_ignored(const struct lproc *p, int sig)
{
	const struct lsigaction *act = &p->actions[sig - 1];

	return act->handler == LINUX_SIG_IGN ||
	       (act->handler == LINUX_SIG_DFL &&
		default_action(sig) == ACT_IGNORE);
}

void signal_kick(struct lthread *t)
{
	if (t->dead) {
		return;
	}
	if (t->in_call) {
		pwait_interrupt(t);
		return;
	}
	/* 1: it stopped for an event of its own meanwhile, which delivers
	 * the signal on its way out; 0: a STOP event follows. */
	rt_syscall6(SYS_THREAD_SUSPEND, t->proc->kproc, t->ktid, 0, 0, 0, 0);
}

bool signal_is_pending(const struct lthread *t)
{
	return ((t->pending | t->proc->pending) & ~t->sigmask) != 0;
}

void signal_send_proc(struct lproc *p, int sig)
{
	struct list_node *pos;

	if (sig <= 0 || sig > LINUX_NSIG || p->zombie) {
		return;
	}
	if (sig == LINUX_SIGKILL) {
		proc_exit(p, LINUX_SIGKILL);
		return;
	}
	/* Stop and continue signals cancel each other when generated. */
	if (sig == LINUX_SIGCONT) {
		struct list_node *tp;
		uint64_t stops = SIG_BIT(LINUX_SIGSTOP) | SIG_BIT(LINUX_SIGTSTP) |
				 SIG_BIT(LINUX_SIGTTIN) | SIG_BIT(LINUX_SIGTTOU);

		p->pending &= ~stops;
		list_for_each(tp, &p->threads) {
			container_of(tp, struct lthread, link)->pending &=
				~stops;
		}
		if (p->stopped) {
			p->stopped = false;
			p->stop_report = false;
			p->cont_report = true;
			pwait_wake(&p->cont_wait);
			if (p->parent) {
				pwait_wake(&p->parent->child_wait);
			}
		}
	} else if (default_action(sig) == ACT_STOP) {
		p->pending &= ~SIG_BIT(LINUX_SIGCONT);
	}
	if (is_ignored(p, sig)) {
		return; /* discarded when generated, as on Linux */
	}
	p->pending |= SIG_BIT(sig);
	/* Break the wait of a thread that does not block it. */
	list_for_each(pos, &p->threads) {
		struct lthread *t = container_of(pos, struct lthread, link);

		if (!t->dead && !(t->sigmask & SIG_BIT(sig))) {
			signal_kick(t);
			break;
		}
	}
}

int signal_send_group(int pgid, int sig)
{
	struct list_node *pos;
	int n = 0;

	list_for_each(pos, proc_all()) {
		struct lproc *p = container_of(pos, struct lproc, all_link);

		if (p->pgid == pgid && !p->zombie) {
			if (sig) {
				signal_send_proc(p, sig);
			}
			n++;
		}
	}
	return n;
}

/* Job control: @p stops on @sig; the parent hears of it (wait4 with
 * WUNTRACED, SIGCHLD unless SA_NOCLDSTOP); every thread of @p holds still
 * at its next stop point. @t then waits for SIGCONT or its death.
 * Returns false when @t died meanwhile. */
static bool stop_process(struct lthread *t, int sig)
{
	struct lproc *p = t->proc;
	struct pwait_head *h = &p->cont_wait;
	struct list_node *pos;

	if (!p->stopped) {
		p->stopped = true;
		p->stop_sig = sig;
		p->stop_report = true;
		p->cont_report = false;
		list_for_each(pos, &p->threads) {
			struct lthread *o =
				container_of(pos, struct lthread, link);

			if (o != t) {
				signal_kick(o);
			}
		}
		if (p->parent) {
			pwait_wake(&p->parent->child_wait);
			if (!(p->parent->actions[LINUX_SIGCHLD - 1].flags &
			      LINUX_SA_NOCLDSTOP)) {
				signal_send_proc(p->parent, LINUX_SIGCHLD);
			}
		}
	}
	while (p->stopped && !t->dead) {
		pwait_any(&h, 1, ~0ull);
	}
	return !t->dead;
}

/* Takes the lowest pending signal @t does not block; 0 if none. */
static int take_signal(struct lthread *t)
{
	uint64_t ready = t->pending & ~t->sigmask;
	uint64_t *from = &t->pending;
	int sig;

	if (!ready) {
		ready = t->proc->pending & ~t->sigmask;
		from = &t->proc->pending;
	}
	if (!ready) {
		return 0;
	}
	sig = __builtin_ctzll(ready) + 1;
	*from &= ~SIG_BIT(sig);
	return sig;
}

static void save_regs(struct sigcontext *sc, const struct thread_regs *r)
{
	sc->r8 = r->r8, sc->r9 = r->r9, sc->r10 = r->r10, sc->r11 = r->r11;
	sc->r12 = r->r12, sc->r13 = r->r13, sc->r14 = r->r14;
	sc->r15 = r->r15, sc->rdi = r->rdi, sc->rsi = r->rsi;
	sc->rbp = r->rbp, sc->rbx = r->rbx, sc->rdx = r->rdx;
	sc->rax = r->rax, sc->rcx = r->rcx, sc->rsp = r->rsp;
	sc->rip = r->rip, sc->eflags = r->rflags;
	sc->cs = 0x33, sc->ss = 0x2b;
}

/* Builds the frame for @sig and points @regs at the handler. False when
 * the frame cannot be written (the process then dies of SIGSEGV). */
static bool setup_frame(struct lthread *t, int sig, struct thread_regs *regs,
			uint64_t oldmask)
{
	struct lsigaction *act = &t->proc->actions[sig - 1];
	struct rt_sigframe f;
	uint64_t sp = regs->rsp, fpstate = 0;
	int64_t fpsize;
	bool on_alt = t->altstack_size && sp > t->altstack_sp &&
		      sp <= t->altstack_sp + t->altstack_size;

	if ((act->flags & LINUX_SA_ONSTACK) && t->altstack_size &&
	    !(t->altstack_flags & SS_DISABLE) && !on_alt) {
		sp = t->altstack_sp + t->altstack_size;
	} else {
		sp -= 128; /* the red zone */
	}
	/* The FPU/SSE/AVX state goes above the frame, 64-byte aligned as
	 * XSAVE images are; sigreturn puts it back. */
	fpsize = rt_syscall6(SYS_THREAD_FPU_GET, t->proc->kproc, t->ktid,
			     (uint64_t)fpu_buf, sizeof(fpu_buf), 0, 0);
	if (fpsize > 0) {
		sp = (sp - (uint64_t)fpsize) & ~63ull;
		if (umem_write(t->proc, sp, fpu_buf, (size_t)fpsize)) {
			return false;
		}
		fpstate = sp;
	}
	sp = ((sp - sizeof(f)) & ~15ull) - 8;
	memset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	f.uc.ss_sp = t->altstack_sp;
	f.uc.ss_size = t->altstack_size;
	f.uc.ss_flags = (int32_t)(t->altstack_size == 0 ? SS_DISABLE
				  : on_alt		 ? SS_ONSTACK
							 : 0);
	save_regs(&f.uc.mcontext, regs);
	f.uc.mcontext.fpstate = fpstate;
	f.uc.mcontext.oldmask = oldmask;
	f.uc.sigmask = oldmask;
	f.info.si_signo = sig;
	if (sig == LINUX_SIGSEGV || sig == LINUX_SIGBUS ||
	    sig == LINUX_SIGILL || sig == LINUX_SIGFPE) {
		f.info.si_code = SEGV_MAPERR;
		f.info.fields[0] = t->fault_addr;
		f.uc.mcontext.cr2 = t->fault_addr;
	} else {
		f.info.si_code = SI_USER;
	}
	if (!(act->flags & LINUX_SA_RESTORER) ||
	    umem_write(t->proc, sp, &f, sizeof(f))) {
		return false;
	}
	regs->rsp = sp;
	regs->rip = act->handler;
	regs->rdi = (uint64_t)sig;
	regs->rsi = sp + offsetof(struct rt_sigframe, info);
	regs->rdx = sp + offsetof(struct rt_sigframe, uc);
	regs->rax = 0;
	regs->rflags &= ~(uint64_t)0x500; /* DF, TF */
	t->sigmask |= act->mask;
	if (!(act->flags & LINUX_SA_NODEFER)) {
		t->sigmask |= SIG_BIT(sig);
	}
	t->sigmask &= ~UNBLOCKABLE;
	if (act->flags & LINUX_SA_RESETHAND) {
		act->handler = LINUX_SIG_DFL;
		act->flags &= ~(uint64_t)LINUX_SA_SIGINFO;
	}
	return true;
}

bool signal_deliver(struct lthread *t, struct thread_regs *regs, int64_t nr)
{
	struct lproc *p = t->proc;

	/* Another thread stopped the process: hold still here too. */
	if (p->stopped && !stop_process(t, p->stop_sig)) {
		return false;
	}
	uint64_t oldmask = t->has_saved_sigmask ? t->saved_sigmask : t->sigmask;
	bool restart = nr >= 0 && (int64_t)regs->rax == -LINUX_ERESTARTSYS;
	int sig;

	while ((sig = take_signal(t))) {
		struct lsigaction *act = &p->actions[sig - 1];

		if (act->handler == LINUX_SIG_IGN) {
			continue;
		}
		if (act->handler == LINUX_SIG_DFL) {
			switch (default_action(sig)) {
			case ACT_IGNORE:
				continue;
			case ACT_STOP:
				if (!stop_process(t, sig)) {
					return false;
				}
				continue;
			case ACT_CORE:
				proc_exit(p, sig | 0x80);
				return false;
			case ACT_TERM:
				proc_exit(p, sig);
				return false;
			}
		}
		if (restart) {
			if (act->flags & LINUX_SA_RESTART) {
				regs->rip -= 2;
				regs->rax = (uint64_t)nr;
			} else {
				regs->rax = (uint64_t)-LINUX_EINTR;
			}
			restart = false;
		}
		t->has_saved_sigmask = false;
		if (!setup_frame(t, sig, regs, oldmask)) {
			proc_exit(p, LINUX_SIGSEGV | 0x80);
			return false;
		}
		return true;
	}
	if (restart) { /* no handler ran: the call starts over */
		regs->rip -= 2;
		regs->rax = (uint64_t)nr;
	}
	if (t->has_saved_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->has_saved_sigmask = false;
	}
	return true;
}

bool signal_return(struct lthread *t, struct thread_regs *regs)
{
	struct ucontext uc;
	const struct sigcontext *sc = &uc.mcontext;

	/* The handler's ret popped pretcode: the ucontext is at rsp. */
	if (umem_read(t->proc, regs->rsp, &uc, sizeof(uc))) {
		return false;
	}
	if (sc->rip >= 0x0000800000000000ull ||
	    sc->rsp >= 0x0000800000000000ull) {
		return false;
	}
	regs->r8 = sc->r8, regs->r9 = sc->r9, regs->r10 = sc->r10;
	regs->r11 = sc->r11, regs->r12 = sc->r12, regs->r13 = sc->r13;
	regs->r14 = sc->r14, regs->r15 = sc->r15, regs->rdi = sc->rdi;
	regs->rsi = sc->rsi, regs->rbp = sc->rbp, regs->rbx = sc->rbx;
	regs->rdx = sc->rdx, regs->rax = sc->rax, regs->rcx = sc->rcx;
	regs->rsp = sc->rsp, regs->rip = sc->rip;
	regs->rflags = (regs->rflags & ~0xdd5ull) | (sc->eflags & 0xdd5ull);
	t->sigmask = uc.sigmask & ~UNBLOCKABLE;
	if (sc->fpstate) {
		int64_t size = rt_syscall6(SYS_THREAD_FPU_GET, t->proc->kproc,
					   t->ktid, (uint64_t)fpu_buf,
					   sizeof(fpu_buf), 0, 0);

		/* A state the kernel refuses (the handler scribbled on it)
		 * is a bad frame. */
		if (size <= 0 ||
		    umem_read(t->proc, sc->fpstate, fpu_buf, (size_t)size) ||
		    rt_syscall6(SYS_THREAD_FPU_SET, t->proc->kproc, t->ktid,
				(uint64_t)fpu_buf, (uint64_t)size, 0, 0) < 0) {
			return false;
		}
	}
	return true;
}

int64_t sys_rt_sigreturn(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct thread_regs regs;

	(void)a;
	if (rt_syscall6(SYS_THREAD_REGS_GET, p->kproc, t->ktid,
			(uint64_t)&regs, 0, 0, 0) < 0) {
		return SYS_NORESUME;
	}
	if (!signal_return(t, &regs)) {
		proc_exit(p, LINUX_SIGSEGV | 0x80);
		return SYS_NORESUME;
	}
	if (signal_is_pending(t) && !signal_deliver(t, &regs, -1)) {
		return SYS_NORESUME;
	}
	rt_syscall6(SYS_THREAD_REGS_SET, p->kproc, t->ktid, (uint64_t)&regs, 0,
		    0, 0);
	rt_syscall6(SYS_THREAD_RESUME, p->kproc, t->ktid, 0, 0, 0, 0);
	return SYS_NORESUME;
}

int64_t sys_rt_sigaction(struct lthread *t, const uint64_t *a)
{
	int sig = (int)a[0];
	struct lsigaction *act;
	struct lsigaction new_act;

	if (sig < 1 || sig > LINUX_NSIG || a[3] != 8) {
		return -LINUX_EINVAL;
	}
	act = &t->proc->actions[sig - 1];
	if (a[1] && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP)) {
		return -LINUX_EINVAL;
	}
	if (a[1] && umem_read(t->proc, a[1], &new_act, sizeof(new_act))) {
		return -LINUX_EFAULT;
	}
	if (a[2] && umem_write(t->proc, a[2], act, sizeof(*act))) {
		return -LINUX_EFAULT;
	}
	if (a[1]) {
		*act = new_act;
		act->mask &= ~UNBLOCKABLE;
		/* Setting SIG_IGN discards what is pending. */
		if (is_ignored(t->proc, sig)) {
			struct list_node *pos;

			t->proc->pending &= ~SIG_BIT(sig);
			list_for_each(pos, &t->proc->threads) {
				container_of(pos, struct lthread, link)
					->pending &= ~SIG_BIT(sig);
			}
		}
	}
	return 0;
}

int64_t sys_rt_sigprocmask(struct lthread *t, const uint64_t *a)
{
	uint64_t set, old = t->sigmask;

	if (a[3] != 8) {
		return -LINUX_EINVAL;
	}
	if (a[1]) {
		if (umem_read(t->proc, a[1], &set, 8)) {
			return -LINUX_EFAULT;
		}
		switch (a[0]) {
		case 0: /* SIG_BLOCK */
			t->sigmask |= set;
			break;
		case 1: /* SIG_UNBLOCK */
			t->sigmask &= ~set;
			break;
		case 2: /* SIG_SETMASK */
			t->sigmask = set;
			break;
		default:
			return -LINUX_EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	if (a[2] && umem_write(t->proc, a[2], &old, 8)) {
		return -LINUX_EFAULT;
	}
	return 0;
}

int64_t sys_rt_sigpending(struct lthread *t, const uint64_t *a)
{
	uint64_t set = (t->pending | t->proc->pending) & t->sigmask;

	if (a[1] != 8) {
		return -LINUX_EINVAL;
	}
	return umem_write(t->proc, a[0], &set, 8);
}

int64_t sys_rt_sigsuspend(struct lthread *t, const uint64_t *a)
{
	uint64_t mask;

	if (a[1] != 8) {
		return -LINUX_EINVAL;
	}
	if (umem_read(t->proc, a[0], &mask, 8)) {
		return -LINUX_EFAULT;
	}
	t->saved_sigmask = t->sigmask;
	t->has_saved_sigmask = true;
	t->sigmask = mask & ~UNBLOCKABLE;
	while (pwait_any(NULL, 0, ~0ull) != -LINUX_EINTR && !t->dead) {
	}
	return -LINUX_EINTR;
}

int64_t sys_sigaltstack(struct lthread *t, const uint64_t *a)
{
	struct {
		uint64_t sp;
		int32_t flags;
		int32_t pad;
		uint64_t size;
	} ss, old = { t->altstack_sp, (int32_t)t->altstack_flags, 0,
		      t->altstack_size };

	if (!t->altstack_size) {
		old.flags = SS_DISABLE;
	}
	if (a[1] && umem_write(t->proc, a[1], &old, sizeof(old))) {
		return -LINUX_EFAULT;
	}
	if (!a[0]) {
		return 0;
	}
	if (umem_read(t->proc, a[0], &ss, sizeof(ss))) {
		return -LINUX_EFAULT;
	}
	if (ss.flags & ~(SS_DISABLE | SS_ONSTACK)) {
		return -LINUX_EINVAL;
	}
	if (ss.flags & SS_DISABLE) {
		t->altstack_sp = t->altstack_size = 0;
		t->altstack_flags = SS_DISABLE;
		return 0;
	}
	if (ss.size < MINSIGSTKSZ) {
		return -LINUX_ENOMEM;
	}
	t->altstack_sp = ss.sp;
	t->altstack_size = ss.size;
	t->altstack_flags = 0;
	return 0;
}
