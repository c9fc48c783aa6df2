/*
 * Signals: sigaction and its flags (SA_SIGINFO, SA_RESTART,
 * SA_RESETHAND, SA_NODEFER, SA_ONSTACK, sa_mask), siginfo for kill,
 * sigqueue, tgkill and faults, the mask (sigprocmask, pending, suspend),
 * the alternate stack, kill/tgkill/raise to processes, groups and
 * threads, alarm and interval timers, EINTR against SA_RESTART,
 * SIGCHLD, SIGPIPE, default actions, stop and continue, register and
 * FPU state across handlers, nested handlers, sigreturn.
 *
 * Every case runs in a process of its own (LT_CASE): handlers and masks
 * do not leak from one case into the next, and a case that dies is one
 * failure.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/ucontext.h>

#include "lt.h"

#define BAD_PID 0x3fffffff
#define STR_(x) #x
#define STR(x) STR_(x)

static char *self;
static volatile sig_atomic_t hits;
static volatile int last_sig, last_code, last_pid, last_uid, last_value;
static void *volatile last_addr;
static volatile long last_tid;

static void count_handler(int sig)
{
	hits++;
	last_sig = sig;
	last_tid = syscall(SYS_gettid);
}

static void info_handler(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_sig = si->si_signo;
	last_code = si->si_code;
	last_pid = si->si_pid;
	last_uid = (int)si->si_uid;
	last_value = si->si_value.sival_int;
	last_addr = si->si_addr;
}

static int install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int install_info(int sig, int flags)
{
	struct sigaction sa = { .sa_sigaction = info_handler,
				.sa_flags = SA_SIGINFO | flags };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static bool is_blocked(int sig)
{
	sigset_t s;

	sigprocmask(SIG_BLOCK, NULL, &s);
	return sigismember(&s, sig) == 1;
}

static bool is_pending(int sig)
{
	sigset_t s;

	sigpending(&s);
	return sigismember(&s, sig) == 1;
}

/* Waits (sigsuspend with an empty mask) until hits reaches @n. */
static void wait_hits(int n)
{
	sigset_t none;

	sigemptyset(&none);
	while (hits < n) {
		sigsuspend(&none);
	}
}

/* ---- sigaction ---- */

static void case_sigaction(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN }, old;
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} ksa = { 0 };

	LT_EXPECT("sigaction_install", install(SIGUSR1, count_handler, 0), 0);
	raise(SIGUSR1);
	LT_EXPECT("handler_ran", hits, 1);
	LT_EXPECT("sigaction_replace", sigaction(SIGUSR1, &sa, &old), 0);
	LT_CHECK("sigaction_returns_old", old.sa_handler == count_handler);
	raise(SIGUSR1);
	LT_EXPECT("ignored_signal_not_run", hits, 1);

	sa.sa_handler = count_handler;
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR1, NULL, &old);
	LT_CHECK("sigaction_reports_flags",
		 (old.sa_flags & (SA_RESTART | SA_NODEFER | SA_SIGINFO)) ==
			 (SA_RESTART | SA_NODEFER));
	LT_CHECK("sigaction_reports_mask",
		 sigismember(&old.sa_mask, SIGUSR2) == 1 &&
			 sigismember(&old.sa_mask, SIGINT) == 1 &&
			 sigismember(&old.sa_mask, SIGTERM) == 0);
	LT_EXPECT("sigaction_query_sigkill", sigaction(SIGKILL, NULL, &old), 0);
	LT_ERRNO("sigaction_sigkill", sigaction(SIGKILL, &sa, NULL), EINVAL);
	LT_ERRNO("sigaction_sigstop", sigaction(SIGSTOP, &sa, NULL), EINVAL);
	LT_ERRNO("sigaction_signal_0", sigaction(0, &sa, NULL), EINVAL);
	LT_ERRNO("sigaction_signal_65", sigaction(65, &sa, NULL), EINVAL);
	LT_CHECK("signal_sigkill_fails", signal(SIGKILL, SIG_IGN) == SIG_ERR);
	LT_ERRNO("rt_sigaction_bad_size",
		 syscall(SYS_rt_sigaction, SIGUSR1, &ksa, NULL, 4), EINVAL);
	LT_ERRNO("rt_sigaction_bad_act",
		 syscall(SYS_rt_sigaction, SIGUSR1, LT_KERNEL_PTR, NULL, 8),
		 EFAULT);
	LT_ERRNO("rt_sigaction_bad_oldact",
		 syscall(SYS_rt_sigaction, SIGUSR1, NULL, LT_KERNEL_PTR, 8),
		 EFAULT);
	/* SIGKILL and SIGSTOP are never in a handler's mask */
	sigfillset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGUSR2, NULL, &old);
	LT_CHECK("sa_mask_drops_kill_stop",
		 sigismember(&old.sa_mask, SIGKILL) == 0 &&
			 sigismember(&old.sa_mask, SIGSTOP) == 0 &&
			 sigismember(&old.sa_mask, SIGTERM) == 1);
}

static void case_siginfo_user(void)
{
	pid_t pid;
	union sigval v = { .sival_int = 1234 };

	install_info(SIGUSR1, 0);
	kill(getpid(), SIGUSR1);
	LT_EXPECT("kill_si_signo", last_sig, SIGUSR1);
	LT_EXPECT("kill_si_code", last_code, SI_USER);
	LT_EXPECT("kill_si_pid", last_pid, getpid());
	LT_EXPECT("kill_si_uid", last_uid, getuid());

	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	LT_EXPECT("tgkill_si_code", last_code, SI_TKILL);
	LT_EXPECT("tgkill_si_pid", last_pid, getpid());

	/* from another process */
	block(SIGUSR1, SIG_BLOCK);
	pid = fork();
	if (pid == 0) {
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	lt_wait(pid);
	hits = 0;
	wait_hits(1);
	LT_EXPECT("kill_from_child_si_pid", last_pid, pid);

	LT_EXPECT("sigqueue", sigqueue(getpid(), SIGUSR1, v), 0);
	hits = 0;
	wait_hits(1);
	LT_EXPECT("sigqueue_si_code", last_code, SI_QUEUE);
	LT_EXPECT("sigqueue_si_value", last_value, 1234);
}

/* ---- faults ---- */

static sigjmp_buf fault_jmp;
static volatile int fault_sig, fault_code;
static void *volatile fault_addr;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	fault_sig = sig;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

void lt_do_ud2(void);
void lt_do_div0(void);
void lt_do_int3(void);
__asm__(".text\n"
	"lt_do_ud2: ud2\n"
	"	ret\n"
	"lt_do_div0: xor %ecx, %ecx\n"
	"	mov $1, %eax\n"
	"	cltd\n"
	"lt_div0_insn: idiv %ecx\n"
	"	ret\n"
	"lt_do_int3: int3\n"
	"	ret\n");
extern char lt_div0_insn[];

/* Runs @fn, expecting signal @sig with code @code at address @addr. */
static void expect_fault(const char *name, void (*fn)(void), int sig,
			 int code, void *addr)
{
	fault_sig = 0;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		fn();
	}
	lt_report(name, fault_sig == sig && fault_code == code &&
				fault_addr == addr,
		  "signal %d code %d addr %p, want %d %d %p", fault_sig,
		  fault_code, fault_addr, sig, code, addr);
}

static volatile int *fault_ptr;

static void touch_read(void)
{
	(void)*fault_ptr;
}

static void touch_write(void)
{
	*fault_ptr = 1;
}

static void case_fault_siginfo(void)
{
	struct sigaction sa = { .sa_sigaction = fault_handler,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);

	fault_ptr = (int *)0x1000;
	expect_fault("sigsegv_unmapped_read", touch_read, SIGSEGV,
		     SEGV_MAPERR, (void *)0x1000);
	fault_ptr = (int *)(page + 8);
	expect_fault("sigsegv_write_read_only", touch_write, SIGSEGV,
		     SEGV_ACCERR, page + 8);
	mprotect(page, 4096, PROT_NONE);
	expect_fault("sigsegv_read_prot_none", touch_read, SIGSEGV,
		     SEGV_ACCERR, page + 8);
	fault_ptr = (int *)LT_KERNEL_PTR;
	expect_fault("sigsegv_kernel_address", touch_read, SIGSEGV,
		     SEGV_MAPERR, LT_KERNEL_PTR);
	/* a general protection fault: no address */
	fault_ptr = (int *)LT_NONCANONICAL_PTR;
	expect_fault("sigsegv_noncanonical", touch_read, SIGSEGV, SI_KERNEL,
		     NULL);
	expect_fault("sigill_ud2", lt_do_ud2, SIGILL, ILL_ILLOPN,
		     (void *)lt_do_ud2);
	expect_fault("sigfpe_divide_by_zero", lt_do_div0, SIGFPE, FPE_INTDIV,
		     lt_div0_insn);
	expect_fault("sigtrap_int3", lt_do_int3, SIGTRAP, SI_KERNEL, NULL);
	munmap(page, 4096);
}

/* A fault while its signal is blocked or ignored kills the process. */
static void case_fault_blocked_or_ignored(void)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		install(SIGSEGV, count_handler, 0);
		block(SIGSEGV, SIG_BLOCK);
		fault_ptr = (int *)0x1000;
		touch_read();
		_exit(0);
	}
	st = lt_wait(pid);
	LT_CHECK("fault_blocked_kills",
		 WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_IGN);
		fault_ptr = (int *)0x1000;
		touch_read();
		_exit(0);
	}
	st = lt_wait(pid);
	LT_CHECK("fault_ignored_kills",
		 WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	pid = fork();
	if (pid == 0) {
		lt_do_ud2();
		_exit(0);
	}
	st = lt_wait(pid);
	LT_CHECK("sigill_default_kills",
		 WIFSIGNALED(st) && WTERMSIG(st) == SIGILL);
}

/* ---- handler flags ---- */

static volatile int in_handler_usr1_blocked, in_handler_usr2_blocked;

static void mask_handler(int sig)
{
	hits++;
	in_handler_usr1_blocked = is_blocked(SIGUSR1);
	in_handler_usr2_blocked = is_blocked(SIGUSR2);
}

static void case_handler_flags(void)
{
	struct sigaction sa = { .sa_handler = mask_handler };
	struct sigaction old;
	pid_t pid;
	int st;

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	LT_CHECK("handler_blocks_own_signal", in_handler_usr1_blocked);
	LT_CHECK("handler_blocks_sa_mask", in_handler_usr2_blocked);
	LT_CHECK("mask_restored_after_handler",
		 !is_blocked(SIGUSR1) && !is_blocked(SIGUSR2));

	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	LT_CHECK("sa_nodefer_not_blocked", !in_handler_usr1_blocked);

	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGUSR1, &sa, NULL);
	hits = 0;
	raise(SIGUSR1);
	LT_EXPECT("sa_resethand_first_runs", hits, 1);
	sigaction(SIGUSR1, NULL, &old);
	LT_CHECK("sa_resethand_resets", old.sa_handler == SIG_DFL);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		raise(SIGUSR1); /* default action now: terminate */
		_exit(0);
	}
	st = lt_wait(pid);
	LT_CHECK("sa_resethand_second_terminates",
		 WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
}

/* ---- mask, pending, suspend ---- */

static void case_sigprocmask(void)
{
	sigset_t s, old;
	uint64_t kset = 0;

	install(SIGUSR1, count_handler, 0);
	block(SIGUSR1, SIG_BLOCK);
	raise(SIGUSR1);
	LT_EXPECT("blocked_not_delivered", hits, 0);
	LT_CHECK("blocked_is_pending", is_pending(SIGUSR1));
	block(SIGUSR1, SIG_UNBLOCK);
	LT_EXPECT("unblock_delivers_at_once", hits, 1);
	LT_CHECK("delivered_not_pending", !is_pending(SIGUSR1));

	/* standard signals coalesce, real-time ones queue */
	install(SIGRTMIN, count_handler, 0);
	block(SIGUSR1, SIG_BLOCK);
	block(SIGRTMIN, SIG_BLOCK);
	hits = 0;
	for (int i = 0; i < 3; i++) {
		raise(SIGUSR1);
	}
	block(SIGUSR1, SIG_UNBLOCK);
	LT_EXPECT("standard_signals_coalesce", hits, 1);
	hits = 0;
	for (int i = 0; i < 3; i++) {
		raise(SIGRTMIN);
	}
	block(SIGRTMIN, SIG_UNBLOCK);
	LT_EXPECT("realtime_signals_queue", hits, 3);

	/* ignoring a pending signal discards it */
	block(SIGUSR1, SIG_BLOCK);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	LT_CHECK("ignore_discards_pending", !is_pending(SIGUSR1));
	block(SIGUSR1, SIG_UNBLOCK);

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_SETMASK, &s, NULL);
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	LT_EXPECT("sigprocmask_setmask", sigprocmask(SIG_SETMASK, &s, &old),
		  0);
	LT_CHECK("sigprocmask_old_mask", sigismember(&old, SIGUSR2) == 1 &&
						 sigismember(&old, SIGTERM) ==
							 0);
	sigfillset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
	LT_CHECK("kill_stop_never_blocked",
		 !is_blocked(SIGKILL) && !is_blocked(SIGSTOP) &&
			 is_blocked(SIGTERM));
	sigemptyset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
	LT_ERRNO("sigprocmask_bad_how", sigprocmask(99, &s, NULL), EINVAL);
	LT_ERRNO("rt_sigprocmask_bad_size",
		 syscall(SYS_rt_sigprocmask, SIG_BLOCK, &kset, NULL, 4),
		 EINVAL);
	LT_ERRNO("rt_sigprocmask_bad_set",
		 syscall(SYS_rt_sigprocmask, SIG_BLOCK, LT_KERNEL_PTR, NULL, 8),
		 EFAULT);
	LT_ERRNO("rt_sigprocmask_bad_oldset",
		 syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, LT_KERNEL_PTR, 8),
		 EFAULT);
	LT_ERRNO("rt_sigpending_bad_pointer",
		 syscall(SYS_rt_sigpending, LT_KERNEL_PTR, 8), EFAULT);
}

static void case_sigsuspend(void)
{
	sigset_t none;
	uint64_t kset = 0;
	pid_t pid;

	install(SIGUSR1, count_handler, 0);
	block(SIGUSR1, SIG_BLOCK);
	pid = fork();
	if (pid == 0) {
		lt_msleep(20);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigemptyset(&none);
	LT_ERRNO("sigsuspend_eintr", sigsuspend(&none), EINTR);
	LT_EXPECT("sigsuspend_handler_ran", hits, 1);
	LT_CHECK("sigsuspend_restores_mask", is_blocked(SIGUSR1));
	lt_wait(pid);
	LT_ERRNO("rt_sigsuspend_bad_size",
		 syscall(SYS_rt_sigsuspend, &kset, 4), EINVAL);
	LT_ERRNO("rt_sigsuspend_bad_pointer",
		 syscall(SYS_rt_sigsuspend, LT_KERNEL_PTR, 8), EFAULT);
}

/* ---- alternate stack ---- */

static char *alt_base;
static size_t alt_size;
static volatile int on_alt, altstack_flags, altstack_change_err;

static void alt_handler(int sig)
{
	char local;
	stack_t cur, ss = { .ss_sp = alt_base, .ss_size = alt_size };

	on_alt = &local >= alt_base && &local < alt_base + alt_size;
	sigaltstack(NULL, &cur);
	altstack_flags = cur.ss_flags;
	altstack_change_err = sigaltstack(&ss, NULL) < 0 ? errno : 0;
}

static void overflow_handler(int sig)
{
	char local;

	on_alt = &local >= alt_base && &local < alt_base + alt_size;
	siglongjmp(fault_jmp, 1);
}

static volatile int recurse_limit = 1 << 30; /* far beyond any stack */

static int recurse(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	return n < recurse_limit ? recurse(n + 1) + pad[0] : 0;
}

static void case_sigaltstack(void)
{
	stack_t ss, old;
	struct sigaction sa = { .sa_handler = alt_handler,
				.sa_flags = SA_ONSTACK };

	alt_size = 64 * 1024;
	alt_base = malloc(alt_size);
	LT_EXPECT("sigaltstack_query", sigaltstack(NULL, &old), 0);
	LT_CHECK("sigaltstack_initially_disabled", old.ss_flags == SS_DISABLE);
	ss = (stack_t){ .ss_sp = alt_base, .ss_size = 1024 };
	LT_ERRNO("sigaltstack_too_small", sigaltstack(&ss, NULL), ENOMEM);
	ss = (stack_t){ .ss_sp = alt_base, .ss_size = alt_size,
			.ss_flags = 0x1234 };
	LT_ERRNO("sigaltstack_bad_flags", sigaltstack(&ss, NULL), EINVAL);
	LT_ERRNO("sigaltstack_bad_pointer",
		 syscall(SYS_sigaltstack, LT_KERNEL_PTR, NULL), EFAULT);
	ss.ss_flags = 0;
	LT_EXPECT("sigaltstack_set", sigaltstack(&ss, NULL), 0);
	sigaltstack(NULL, &old);
	LT_CHECK("sigaltstack_reads_back",
		 old.ss_sp == alt_base && old.ss_size == alt_size &&
			 old.ss_flags == 0);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	LT_CHECK("sa_onstack_runs_on_alt_stack", on_alt);
	LT_EXPECT("sigaltstack_ss_onstack", altstack_flags, SS_ONSTACK);
	LT_EXPECT("sigaltstack_change_on_it", altstack_change_err, EPERM);
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	LT_CHECK("no_sa_onstack_normal_stack", !on_alt);

	/* a stack overflow is caught on the alternate stack */
	sa.sa_handler = overflow_handler;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	on_alt = 0;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		recurse(0);
	}
	LT_CHECK("stack_overflow_on_alt_stack", on_alt);

	ss.ss_flags = SS_DISABLE;
	LT_EXPECT("sigaltstack_disable", sigaltstack(&ss, NULL), 0);
	sigaltstack(NULL, &old);
	LT_CHECK("sigaltstack_disabled", old.ss_flags == SS_DISABLE);
}

/* ---- kill, tgkill, raise ---- */

static void case_kill(void)
{
	pid_t pid, a, b;
	int st;

	LT_EXPECT("kill_probe_self", kill(getpid(), 0), 0);
	LT_ERRNO("kill_no_such_pid", kill(BAD_PID, 0), ESRCH);
	LT_ERRNO("kill_no_such_group", kill(-BAD_PID, 0), ESRCH);
	LT_ERRNO("kill_bad_signal", kill(getpid(), 65), EINVAL);
	LT_ERRNO("kill_negative_signal", kill(getpid(), -1), EINVAL);
	LT_ERRNO("tgkill_bad_tgid", syscall(SYS_tgkill, 0, 1, SIGUSR1),
		 EINVAL);
	LT_ERRNO("tgkill_no_such_thread",
		 syscall(SYS_tgkill, getpid(), BAD_PID, SIGUSR1), ESRCH);
	LT_ERRNO("tgkill_wrong_group",
		 syscall(SYS_tgkill, BAD_PID, syscall(SYS_gettid), SIGUSR1),
		 ESRCH);

	install(SIGUSR1, count_handler, 0);
	LT_EXPECT("raise", raise(SIGUSR1), 0);
	LT_EXPECT("raise_runs_handler_before_return", hits, 1);

	/* a zombie can still be signalled */
	pid = fork();
	if (pid == 0) {
		_exit(0);
	}
	lt_msleep(20);
	LT_EXPECT("kill_zombie", kill(pid, 0), 0);
	lt_wait(pid);
	LT_ERRNO("kill_reaped", kill(pid, 0), ESRCH);

	/* to a process group */
	block(SIGUSR1, SIG_BLOCK);
	a = fork();
	if (a == 0) {
		setpgid(0, 0);
		wait_hits(2);
		_exit(0);
	}
	setpgid(a, a);
	lt_track(a);
	b = fork();
	if (b == 0) {
		setpgid(0, a);
		wait_hits(2);
		_exit(0);
	}
	setpgid(b, a);
	LT_EXPECT("kill_group", kill(-a, SIGUSR1), 0);
	LT_EXPECT("killpg", killpg(a, SIGUSR1), 0);
	st = lt_wait(a);
	LT_EXPECT("kill_group_first", st, 0);
	st = lt_wait(b);
	LT_EXPECT("kill_group_second", st, 0);
}

static volatile long worker_tid;
static volatile int worker_stop;

static void *worker(void *arg)
{
	sigset_t none;

	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	worker_tid = syscall(SYS_gettid);
	while (!worker_stop) {
		lt_msleep(1);
	}
	return NULL;
}

static void case_signals_and_threads(void)
{
	pthread_t th;
	long tid;

	install(SIGUSR1, count_handler, 0);
	block(SIGUSR1, SIG_BLOCK);
	pthread_create(&th, NULL, worker, NULL);
	while (!worker_tid) {
		lt_msleep(1);
	}
	tid = worker_tid;
	/* the only thread not blocking it takes a process signal */
	kill(getpid(), SIGUSR1);
	while (hits < 1) {
		lt_msleep(1);
	}
	LT_EXPECT("process_signal_to_unblocked_thread", last_tid, tid);
	LT_EXPECT("tgkill_other_thread",
		  syscall(SYS_tgkill, getpid(), tid, SIGUSR1), 0);
	while (hits < 2) {
		lt_msleep(1);
	}
	LT_EXPECT("tgkill_runs_in_that_thread", last_tid, tid);
	LT_CHECK("main_still_pending_nothing", !is_pending(SIGUSR1));
	/* a thread-directed signal blocked by its thread waits for it */
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	lt_msleep(20);
	LT_EXPECT("thread_signal_waits_for_its_thread", hits, 2);
	LT_CHECK("thread_signal_pending", is_pending(SIGUSR1));
	block(SIGUSR1, SIG_UNBLOCK);
	LT_EXPECT("thread_signal_delivered", hits, 3);
	LT_EXPECT("thread_signal_in_main", last_tid, syscall(SYS_gettid));
	worker_stop = 1;
	pthread_join(th, NULL);
}

/* ---- timers ---- */

static void case_alarm(void)
{
	struct itimerval it = { 0 }, old;
	unsigned left;
	pid_t pid;
	int st;

	install(SIGALRM, count_handler, 0);
	LT_EXPECT("alarm_none_pending", alarm(0), 0);
	alarm(5);
	left = alarm(0);
	LT_CHECK("alarm_returns_remaining", left == 4 || left == 5);
	pid = fork();
	if (pid == 0) {
		_exit(alarm(0) == 0 ? 0 : 1);
	}
	alarm(5);
	st = lt_wait(pid);
	alarm(0);
	LT_EXPECT("alarm_not_inherited", st, 0);

	alarm(1);
	wait_hits(1);
	LT_EXPECT("alarm_fires", last_sig, SIGALRM);

	hits = 0;
	it.it_value.tv_usec = 20000;
	it.it_interval.tv_usec = 20000;
	LT_EXPECT("setitimer_real", setitimer(ITIMER_REAL, &it, NULL), 0);
	wait_hits(3);
	LT_CHECK("setitimer_interval_repeats", hits >= 3);
	it = (struct itimerval){ 0 };
	LT_EXPECT("setitimer_off", setitimer(ITIMER_REAL, &it, &old), 0);
	LT_CHECK("setitimer_returns_old",
		 old.it_interval.tv_sec == 0 &&
			 old.it_interval.tv_usec == 20000);
	getitimer(ITIMER_REAL, &old);
	LT_CHECK("getitimer_off",
		 old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
	it.it_value.tv_sec = 10;
	setitimer(ITIMER_REAL, &it, NULL);
	getitimer(ITIMER_REAL, &old);
	LT_CHECK("getitimer_remaining",
		 old.it_value.tv_sec <= 10 &&
			 (old.it_value.tv_sec > 0 || old.it_value.tv_usec > 0));
	it = (struct itimerval){ 0 };
	setitimer(ITIMER_REAL, &it, NULL);

	it.it_value.tv_usec = 1000000;
	LT_ERRNO("setitimer_bad_usec", setitimer(ITIMER_REAL, &it, NULL),
		 EINVAL);
	it.it_value = (struct timeval){ -1, 0 };
	LT_ERRNO("setitimer_negative", setitimer(ITIMER_REAL, &it, NULL),
		 EINVAL);
	it.it_value = (struct timeval){ 0, 0 };
	LT_ERRNO("setitimer_bad_which", setitimer(99, &it, NULL), EINVAL);
	LT_ERRNO("getitimer_bad_which", getitimer(99, &old), EINVAL);
	LT_ERRNO("setitimer_bad_pointer",
		 syscall(SYS_setitimer, ITIMER_REAL, LT_KERNEL_PTR, NULL),
		 EFAULT);
	LT_ERRNO("getitimer_bad_pointer",
		 syscall(SYS_getitimer, ITIMER_REAL, LT_KERNEL_PTR), EFAULT);
}

static void case_itimer_cpu(void)
{
	struct itimerval it = { .it_value = { 0, 10000 } };
	volatile unsigned long spin = 0;

	install(SIGVTALRM, count_handler, 0);
	install(SIGPROF, count_handler, 0);
	LT_EXPECT("setitimer_virtual", setitimer(ITIMER_VIRTUAL, &it, NULL),
		  0);
	while (hits < 1) {
		spin++;
	}
	LT_EXPECT("itimer_virtual_fires", last_sig, SIGVTALRM);
	LT_EXPECT("setitimer_prof", setitimer(ITIMER_PROF, &it, NULL), 0);
	while (hits < 2) {
		spin++;
	}
	LT_EXPECT("itimer_prof_fires", last_sig, SIGPROF);
}

/* alarm survives execve: the new image dies of it */
static void case_alarm_across_exec(void)
{
	char *argv[] = { self, NULL };
	char *envp[] = { "LT_MODE=pause", NULL };
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		alarm(1);
		execve(self, argv, envp);
		_exit(127);
	}
	st = lt_wait(pid);
	LT_CHECK("alarm_kept_across_exec",
		 WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM);
}

/* ---- EINTR and SA_RESTART ---- */

static int notify_fd = -1;

static void notify_handler(int sig)
{
	hits++;
	if (notify_fd >= 0) {
		write(notify_fd, "n", 1);
	}
}

static void start_timer_ms(long ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void case_eintr_restart(void)
{
	int data[2], note[2], st;
	char buf[8];
	pid_t pid;

	if (pipe(data) || pipe(note)) {
		return;
	}
	install(SIGALRM, notify_handler, 0);
	start_timer_ms(30);
	LT_ERRNO("read_pipe_eintr", read(data[0], buf, sizeof(buf)), EINTR);
	LT_EXPECT("read_eintr_handler_ran", hits, 1);

	/* with SA_RESTART the read goes on after the handler; the writer
	 * waits for the handler's note, so the signal comes first */
	install(SIGALRM, notify_handler, SA_RESTART);
	notify_fd = note[1];
	pid = fork();
	if (pid == 0) {
		read(note[0], buf, 1);
		write(data[1], "data", 4);
		_exit(0);
	}
	hits = 0;
	start_timer_ms(30);
	LT_EXPECT("read_pipe_restarted", read(data[0], buf, sizeof(buf)), 4);
	LT_EXPECT("read_restart_handler_ran", hits, 1);
	lt_wait(pid);
	notify_fd = -1;

	/* wait4 likewise */
	pid = fork();
	if (pid == 0) {
		for (;;) {
			pause();
		}
	}
	install(SIGALRM, notify_handler, 0);
	start_timer_ms(30);
	LT_ERRNO("wait4_eintr", waitpid(pid, &st, 0), EINTR);
	kill(pid, SIGKILL);
	lt_wait(pid);

	/* a blocking write into a full pipe */
	fcntl(data[1], F_SETFL, O_NONBLOCK);
	while (write(data[1], buf, sizeof(buf)) > 0) {
	}
	fcntl(data[1], F_SETFL, 0);
	start_timer_ms(30);
	LT_ERRNO("write_full_pipe_eintr", write(data[1], buf, 1), EINTR);
}

/* ---- SIGCHLD ---- */

static void case_sigchld(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	pid_t pid;
	int st;

	install_info(SIGCHLD, 0);
	block(SIGCHLD, SIG_BLOCK);
	pid = fork();
	if (pid == 0) {
		_exit(5);
	}
	wait_hits(1);
	LT_EXPECT("sigchld_signo", last_sig, SIGCHLD);
	LT_EXPECT("sigchld_code_exited", last_code, CLD_EXITED);
	LT_EXPECT("sigchld_pid", last_pid, pid);
	lt_wait(pid);

	pid = fork();
	if (pid == 0) {
		for (;;) {
			pause();
		}
	}
	kill(pid, SIGKILL);
	wait_hits(2);
	LT_EXPECT("sigchld_code_killed", last_code, CLD_KILLED);
	lt_wait(pid);

	/* SA_NOCLDSTOP: no SIGCHLD when a child stops */
	install_info(SIGCHLD, SA_NOCLDSTOP);
	pid = fork();
	if (pid == 0) {
		for (;;) {
			pause();
		}
	}
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	LT_CHECK("sa_nocldstop_stopped", WIFSTOPPED(st));
	LT_CHECK("sa_nocldstop_no_signal", !is_pending(SIGCHLD));
	kill(pid, SIGKILL);
	lt_wait(pid);
	LT_CHECK("sigchld_pending_after_exit", is_pending(SIGCHLD));
	install_info(SIGCHLD, 0);
	block(SIGCHLD, SIG_UNBLOCK);

	/* SIGCHLD ignored: children are not kept as zombies */
	sigaction(SIGCHLD, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		_exit(0);
	}
	LT_ERRNO("sigchld_ignored_autoreap", wait(&st), ECHILD);
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		_exit(0);
	}
	LT_ERRNO("sa_nocldwait_autoreap", wait(&st), ECHILD);
}

/* ---- SIGPIPE ---- */

static void case_sigpipe(void)
{
	int p[2], st;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		pipe(p);
		close(p[0]);
		write(p[1], "x", 1);
		_exit(0);
	}
	st = lt_wait(pid);
	LT_CHECK("sigpipe_kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	if (pipe(p)) {
		return;
	}
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	LT_ERRNO("sigpipe_ignored_epipe", write(p[1], "x", 1), EPIPE);
	install_info(SIGPIPE, 0);
	LT_ERRNO("sigpipe_handled_epipe", write(p[1], "x", 1), EPIPE);
	LT_EXPECT("sigpipe_handler_ran", hits, 1);
	LT_EXPECT("sigpipe_signo", last_sig, SIGPIPE);
	close(p[1]);
}

/* ---- default actions ---- */

static void case_default_actions(void)
{
	const int terminate[] = { SIGHUP, SIGINT, SIGUSR1, SIGUSR2,
				  SIGALRM, SIGTERM, SIGPIPE, SIGVTALRM,
				  SIGPROF, SIGIO, SIGRTMIN };
	static const int core[] = { SIGQUIT, SIGILL, SIGTRAP, SIGABRT,
				    SIGBUS, SIGFPE, SIGSEGV, SIGSYS,
				    SIGXCPU, SIGXFSZ };
	static const int ignore[] = { SIGCHLD, SIGURG, SIGWINCH, SIGCONT };
	char name[48];
	pid_t pid;
	int st;

	for (size_t i = 0; i < sizeof(terminate) / sizeof(terminate[0]); i++) {
		pid = fork();
		if (pid == 0) {
			raise(terminate[i]);
			_exit(0);
		}
		st = lt_wait(pid);
		snprintf(name, sizeof(name), "default_terminates_%d",
			 terminate[i]);
		LT_CHECK(name, WIFSIGNALED(st) && WTERMSIG(st) == terminate[i] &&
				       !WCOREDUMP(st));
	}
	for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++) {
		pid = fork();
		if (pid == 0) {
			struct rlimit none = { 0, 0 };

			setrlimit(RLIMIT_CORE, &none); /* no core files */
			raise(core[i]);
			_exit(0);
		}
		st = lt_wait(pid);
		snprintf(name, sizeof(name), "default_core_%d", core[i]);
		LT_CHECK(name, WIFSIGNALED(st) && WTERMSIG(st) == core[i]);
	}
	for (size_t i = 0; i < sizeof(ignore) / sizeof(ignore[0]); i++) {
		pid = fork();
		if (pid == 0) {
			raise(ignore[i]);
			_exit(7);
		}
		st = lt_wait(pid);
		snprintf(name, sizeof(name), "default_ignores_%d", ignore[i]);
		LT_CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 7);
	}
	/* abort() kills even with SIGABRT caught */
	pid = fork();
	if (pid == 0) {
		install(SIGABRT, count_handler, 0);
		abort();
	}
	st = lt_wait(pid);
	LT_CHECK("abort_kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

/* ---- stop and continue ---- */

static volatile unsigned long *stop_shared;

static void cont_handler(int sig)
{
	hits++;
}

static void usr1_shared_handler(int sig)
{
	stop_shared[2] = 1;
}

static void case_stop_continue(void)
{
	volatile unsigned long *shared =
		mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	static const int stops[] = { SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU };
	unsigned long c1;
	char name[48];
	pid_t pid;
	int st;

	if (shared == MAP_FAILED) {
		LT_CHECK("stop_shared_memory", false);
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* its own group, whose parent is in another group of the
		 * session: not orphaned, so SIGTSTP & co. stop it */
		setpgid(0, 0);
		stop_shared = shared;
		install(SIGCONT, cont_handler, 0);
		install(SIGUSR1, usr1_shared_handler, 0);
		for (;;) {
			shared[0]++;
			shared[1] = (unsigned long)hits;
		}
	}
	setpgid(pid, pid);
	lt_track(pid);
	while (shared[0] == 0) {
		lt_msleep(1);
	}
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		kill(pid, stops[i]);
		waitpid(pid, &st, WUNTRACED);
		snprintf(name, sizeof(name), "stopped_by_%d", stops[i]);
		LT_CHECK(name, WIFSTOPPED(st) && WSTOPSIG(st) == stops[i]);
		c1 = shared[0];
		lt_msleep(30);
		snprintf(name, sizeof(name), "stopped_does_not_run_%d",
			 stops[i]);
		LT_EXPECT(name, shared[0], c1);
		kill(pid, SIGCONT);
		while (shared[0] == c1) {
			lt_msleep(1);
		}
		waitpid(pid, &st, WCONTINUED);
	}
	LT_CHECK("continued_runs_sigcont_handler", shared[1] >= 1);

	/* a handled signal to a stopped process waits for SIGCONT */
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGUSR1);
	lt_msleep(20);
	LT_EXPECT("stopped_does_not_handle", shared[2], 0);
	kill(pid, SIGCONT);
	while (shared[2] == 0) {
		lt_msleep(1);
	}
	LT_EXPECT("handled_after_continue", shared[2], 1);
	waitpid(pid, &st, WCONTINUED);

	/* so does one whose default action kills; SIGKILL does not wait */
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGTERM);
	lt_msleep(20);
	LT_EXPECT("stopped_keeps_sigterm_pending", waitpid(pid, &st, WNOHANG),
		  0);
	kill(pid, SIGCONT);
	st = lt_wait(pid);
	LT_CHECK("sigterm_after_continue",
		 WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);

	pid = fork();
	if (pid == 0) {
		for (;;) {
			pause();
		}
	}
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGKILL);
	st = lt_wait(pid);
	LT_CHECK("sigkill_stopped", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* ---- FPU and register state across handlers ---- */

/*
 * lt_spin_xmm(in, out, flag): loads xmm0-15 from in[256] and MXCSR from
 * in[256..260], spins until *flag, stores them to out. lt_syscall_xmm
 * does the same around the pause system call instead of spinning.
 */
void lt_spin_xmm(const void *in, void *out, volatile int *flag);
long lt_syscall_xmm(const void *in, void *out);
#define XMM_LOAD(n) "	movdqu " #n "*16(%rdi), %xmm" #n "\n"
#define XMM_STORE(n) "	movdqu %xmm" #n ", " #n "*16(%rsi)\n"
#define XMM_ALL(m)                                                           \
	m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) m(8) m(9) m(10) m(11) m(12)  \
		m(13) m(14) m(15)
__asm__(".text\n"
	"lt_spin_xmm:\n" XMM_ALL(XMM_LOAD) "	ldmxcsr 256(%rdi)\n"
	"1:	pause\n"
	"	cmpl $0, (%rdx)\n"
	"	je 1b\n" XMM_ALL(XMM_STORE) "	stmxcsr 256(%rsi)\n"
	"	ret\n"
	"lt_syscall_xmm:\n" XMM_ALL(XMM_LOAD) "	ldmxcsr 256(%rdi)\n"
	"	mov $" STR(SYS_pause) ", %eax\n"
	"	syscall\n" XMM_ALL(XMM_STORE) "	stmxcsr 256(%rsi)\n"
	"	ret\n"
	"lt_load_xmm:\n" XMM_ALL(XMM_LOAD) "	ret\n");
void lt_load_xmm(const void *in);

void lt_spin_ymm(const void *in, void *out, volatile int *flag);
#define YMM_LOAD(n) "	vmovdqu " #n "*32(%rdi), %ymm" #n "\n"
#define YMM_STORE(n) "	vmovdqu %ymm" #n ", " #n "*32(%rsi)\n"
__asm__(".text\n"
	"lt_spin_ymm:\n" XMM_ALL(YMM_LOAD) "1:	pause\n"
	"	cmpl $0, (%rdx)\n"
	"	je 1b\n" XMM_ALL(YMM_STORE) "	vzeroupper\n"
	"	ret\n"
	"lt_load_ymm:\n" XMM_ALL(YMM_LOAD) "	ret\n");
void lt_load_ymm(const void *in);

static volatile int fpu_flag;
static volatile unsigned handler_mxcsr;

static void clobber_handler(int sig)
{
	static const unsigned char junk[16 * 16] = { 0xde, 0xad, 0xbe, 0xef };
	unsigned mxcsr, set = 0x3f80;

	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	handler_mxcsr = mxcsr;
	__asm__ volatile("ldmxcsr %0" ::"m"(set));
	lt_load_xmm(junk); /* they are the callee's to clobber */
	hits++;
	fpu_flag = 1;
}

static void ymm_clobber_handler(int sig)
{
	static const unsigned char junk[16 * 32] = { 0x55 };

	lt_load_ymm(junk);
	fpu_flag = 1;
}

static void case_fpu_state(void)
{
	static unsigned char in[16 * 16 + 4] __attribute__((aligned(16)));
	static unsigned char out[16 * 16 + 4] __attribute__((aligned(16)));
	unsigned mxcsr_in = 0x7f80; /* round toward zero */
	static unsigned char junk_pad[16 * 16];

	(void)junk_pad;
	for (size_t i = 0; i < 256; i++) {
		in[i] = (unsigned char)(i * 7 + 1);
	}
	memcpy(in + 256, &mxcsr_in, 4);
	install(SIGALRM, clobber_handler, 0);

	/* taken while computing (delivery on preemption) */
	fpu_flag = 0;
	start_timer_ms(20);
	lt_spin_xmm(in, out, &fpu_flag);
	LT_CHECK("xmm_survive_async_signal", memcmp(in, out, 256) == 0);
	LT_CHECK("mxcsr_survives_async_signal", memcmp(in + 256, out + 256,
						       4) == 0);
	LT_EXPECT("handler_starts_with_default_mxcsr", handler_mxcsr, 0x1f80);

	/* taken on the way out of an interrupted system call */
	memset(out, 0, sizeof(out));
	start_timer_ms(20);
	LT_EXPECT("pause_interrupted", lt_syscall_xmm(in, out), -EINTR);
	LT_CHECK("xmm_survive_syscall_signal", memcmp(in, out, 256) == 0);
	LT_CHECK("mxcsr_survives_syscall_signal",
		 memcmp(in + 256, out + 256, 4) == 0);
}

static void case_avx_state(void)
{
	static unsigned char in[16 * 32], out[16 * 32];

	for (size_t i = 0; i < sizeof(in); i++) {
		in[i] = (unsigned char)(i * 13 + 5);
	}
	install(SIGALRM, ymm_clobber_handler, 0);
	fpu_flag = 0;
	start_timer_ms(20);
	lt_spin_ymm(in, out, &fpu_flag);
	LT_CHECK("ymm_survive_async_signal", memcmp(in, out, sizeof(in)) == 0);
}

/*
 * lt_spin_gprs(): loads a pattern into every general register but rsp,
 * spins until lt_gpr_flag, stores them into lt_gpr_out[15].
 */
void lt_spin_gprs(void);
volatile int lt_gpr_flag;
unsigned long lt_gpr_out[15];
#define GPR_LIST(m)                                                          \
	m(rax, 0) m(rbx, 1) m(rcx, 2) m(rdx, 3) m(rsi, 4) m(rdi, 5)          \
		m(rbp, 6) m(r8, 7) m(r9, 8) m(r10, 9) m(r11, 10) m(r12, 11)  \
			m(r13, 12) m(r14, 13) m(r15, 14)
#define GPR_LOAD(r, i) "	movabs $0x1111111111111111*" #i "+" #i ", %" #r "\n"
#define GPR_STORE(r, i) "	mov %" #r ", lt_gpr_out+8*" #i "(%rip)\n"
__asm__(".text\n"
	"lt_spin_gprs:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n" GPR_LIST(GPR_LOAD) "1:	cmpl $0, lt_gpr_flag(%rip)\n"
	"	je 1b\n" GPR_LIST(GPR_STORE) "	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n");

static void gpr_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	lt_gpr_flag = 1;
	/* changed in the saved mask: sigreturn installs it */
	sigaddset(&uc->uc_sigmask, SIGUSR2);
}

long lt_ud2_rax(void);
__asm__(".text\n"
	"lt_ud2_rax:\n"
	"	xor %eax, %eax\n"
	"	ud2\n"
	"	ret\n");

static void ud2_skip_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	hits++;
	uc->uc_mcontext.gregs[REG_RIP] += 2;
	uc->uc_mcontext.gregs[REG_RAX] = 0x1234;
}

void lt_bad_sigreturn(void);
static char zero_frame[8192] __attribute__((aligned(16), used));
__asm__(".text\n"
	"lt_bad_sigreturn:\n"
	"	lea zero_frame+4096(%rip), %rsp\n"
	"	mov $" STR(SYS_rt_sigreturn) ", %eax\n"
	"	syscall\n"
	"	hlt\n");

static void case_sigreturn_registers(void)
{
	struct sigaction sa = { .sa_sigaction = gpr_handler,
				.sa_flags = SA_SIGINFO };
	bool ok = true;
	pid_t pid;
	int st;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	lt_gpr_flag = 0;
	start_timer_ms(20);
	lt_spin_gprs();
	for (int i = 0; i < 15; i++) {
		ok &= lt_gpr_out[i] == 0x1111111111111111ul * (unsigned)i +
						 (unsigned)i;
	}
	LT_CHECK("gprs_survive_async_signal", ok);
	LT_CHECK("sigreturn_installs_saved_mask", is_blocked(SIGUSR2));

	sa.sa_sigaction = ud2_skip_handler;
	sigaction(SIGILL, &sa, NULL);
	LT_EXPECT("sigreturn_sets_rip_and_rax", lt_ud2_rax(), 0x1234);
	LT_EXPECT("sigreturn_handler_once", hits, 1);

	/* a forged frame: the process dies, nothing else */
	pid = fork();
	if (pid == 0) {
		lt_bad_sigreturn();
		_exit(0);
	}
	st = lt_wait(pid);
	LT_CHECK("bad_sigreturn_frame_kills",
		 WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

/* ---- nested handlers ---- */

static char order[16];
static volatile int order_len, depth, max_depth;

static void nest_outer(int sig)
{
	order[order_len++] = 'a';
	raise(SIGUSR2);
	order[order_len++] = 'b';
}

static void nest_inner(int sig)
{
	order[order_len++] = 'x';
}

static void recursive_handler(int sig)
{
	hits++;
	depth++;
	if (depth > max_depth) {
		max_depth = depth;
	}
	if (hits < 3) {
		raise(SIGUSR1);
	}
	depth--;
}

static void case_nested(void)
{
	struct sigaction sa = { .sa_handler = nest_outer };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	install(SIGUSR2, nest_inner, 0);
	raise(SIGUSR1);
	order[order_len] = 0;
	LT_CHECK("nested_handler_runs_inside", strcmp(order, "axb") == 0);

	order_len = 0;
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	order[order_len] = 0;
	LT_CHECK("masked_signal_runs_after", strcmp(order, "abx") == 0);

	install(SIGUSR1, recursive_handler, SA_NODEFER);
	raise(SIGUSR1);
	LT_EXPECT("sa_nodefer_recursion", max_depth, 3);
	max_depth = 0;
	hits = 0;
	install(SIGUSR1, recursive_handler, 0);
	raise(SIGUSR1);
	LT_EXPECT("deferred_not_recursive", max_depth, 1);
	LT_EXPECT("deferred_runs_after_return", hits, 3);
}

int main(int argc, char **argv)
{
	const char *mode = getenv("LT_MODE");

	self = argv[0];
	if (mode && strcmp(mode, "pause") == 0) {
		for (;;) {
			pause();
		}
	}
	LT_CASE(case_sigaction);
	LT_CASE(case_siginfo_user);
	LT_CASE(case_fault_siginfo);
	LT_CASE(case_fault_blocked_or_ignored);
	LT_CASE(case_handler_flags);
	LT_CASE(case_sigprocmask);
	LT_CASE(case_sigsuspend);
	LT_CASE(case_sigaltstack);
	LT_CASE(case_kill);
	LT_CASE(case_signals_and_threads);
	LT_CASE(case_alarm);
	LT_CASE(case_itimer_cpu);
	LT_CASE(case_alarm_across_exec);
	LT_CASE(case_eintr_restart);
	LT_CASE(case_sigchld);
	LT_CASE(case_sigpipe);
	LT_CASE(case_default_actions);
	LT_CASE(case_stop_continue);
	LT_CASE(case_fpu_state);
	if (__builtin_cpu_supports("avx")) {
		LT_CASE(case_avx_state);
	}
	LT_CASE(case_sigreturn_registers);
	LT_CASE(case_nested);
	return lt_done();
}
