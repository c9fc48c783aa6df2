/*
 * Processes: fork (copy-on-write, shared open files), vfork, threads by
 * pthreads and by a raw clone (CLONE_SETTLS, CLONE_PARENT_SETTID,
 * CLONE_CHILD_CLEARTID), execve of this static program and of #!
 * scripts (argv, envp, auxv, close-on-exec, signal dispositions), exec
 * errors, wait4/waitid with every status, exit codes, orphans, process
 * groups and sessions, umask, uname, prlimit.
 *
 * The program runs itself again through execve: with LT_MODE in the
 * environment, main runs a child mode (checks of the new image, or
 * waiting, or an exit code) instead of the cases.
 */
#include <elf.h>
#include <pthread.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "lt.h"

#define BAD_PID 0x3fffffff /* above any pid_max */

static char *self;	 /* this program's path (argv[0]) */
extern char _start[];	 /* musl's entry point, for AT_ENTRY */
extern char **environ;

/* Runs this program again in child mode @mode with the extra arguments
 * @a1, @a2 (either may be NULL) and @env (NULL-terminated, after LT_MODE). */
static void exec_self(const char *mode, const char *a1, const char *a2)
{
	char envmode[32];
	char *argv[] = { self, (char *)mode, (char *)a1, (char *)a2, NULL };
	char *envp[] = { envmode, NULL };

	snprintf(envmode, sizeof(envmode), "LT_MODE=%s", mode);
	execve(self, argv, envp);
}

/* Waits for @pid, which runs this program in a checking child mode: its
 * lines are out already, its exit status is its number of failures. */
static void wait_checker(const char *name, pid_t pid)
{
	char why[64];
	int st = lt_wait(pid);

	if (st != -1 && WIFEXITED(st)) {
		lt_add_failures(WEXITSTATUS(st));
		return;
	}
	lt_report(name, false, "checking child: %s",
		  lt_status_str(st, why, sizeof(why)));
}

/* ---- child modes (after execve) ---- */

static void hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		sprintf(out + 2 * i, "%02x", p[i]);
	}
}

/* Checks the program headers the auxiliary vector points at. */
static void check_phdrs(const char *prefix)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	const Elf64_Ehdr *eh = NULL;
	uintptr_t bias = 0;
	char name[64];

	snprintf(name, sizeof(name), "%s_at_phent", prefix);
	LT_EXPECT(name, getauxval(AT_PHENT), sizeof(Elf64_Phdr));
	snprintf(name, sizeof(name), "%s_at_phdr", prefix);
	LT_CHECK(name, ph != NULL && phnum > 0 && phnum < 64);
	if (!ph || !phnum || phnum >= 64) {
		return;
	}
	for (unsigned long i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_PHDR) {
			bias = (uintptr_t)ph - ph[i].p_vaddr;
		}
	}
	for (unsigned long i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			eh = (const Elf64_Ehdr *)(bias + ph[i].p_vaddr);
			break;
		}
	}
	snprintf(name, sizeof(name), "%s_at_phdr_in_elf_header", prefix);
	LT_CHECK(name, eh && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 &&
			       eh->e_phnum == phnum &&
			       (const char *)eh + eh->e_phoff ==
				       (const char *)ph);
	snprintf(name, sizeof(name), "%s_at_entry", prefix);
	LT_EXPECT(name, getauxval(AT_ENTRY), (uintptr_t)_start);
}

/* LT_MODE=exec: the new image after execve(self, [self, "exec", pid,
 * keep-fd, cloexec-fd, parent's AT_RANDOM, "a b", ""], [LT_MODE, FOO]). */
static int mode_exec(int argc, char **argv, char **envp)
{
	const unsigned char *rnd = (const void *)getauxval(AT_RANDOM);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	struct sigaction sa;
	char rhex[40] = "";
	sigset_t mask;
	int n = 0;

	LT_EXPECT("exec_argc", argc, 8);
	if (argc != 8) {
		return lt_done();
	}
	LT_CHECK("exec_argv_strings", strcmp(argv[0], self) == 0 &&
					      strcmp(argv[6], "a b") == 0 &&
					      argv[7][0] == 0 && !argv[8]);
	while (envp[n]) {
		n++;
	}
	LT_EXPECT("exec_envp_count", n, 2);
	LT_CHECK("exec_envp_value",
		 getenv("FOO") && strcmp(getenv("FOO"), "bar=baz") == 0);
	LT_CHECK("exec_envp_follows_argv", envp == argv + argc + 1);
	LT_EXPECT("exec_same_pid", getpid(), atoi(argv[2]));
	LT_EXPECT("exec_keeps_fd", fcntl(atoi(argv[3]), F_GETFD), 0);
	LT_ERRNO("exec_closes_cloexec_fd", fcntl(atoi(argv[4]), F_GETFD),
		 EBADF);
	LT_EXPECT("exec_at_pagesz", getauxval(AT_PAGESZ), 4096);
	if (rnd) {
		hex(rnd, 16, rhex);
	}
	LT_CHECK("exec_at_random_new", rnd && strcmp(rhex, argv[5]) != 0);
	LT_CHECK("exec_at_execfn", execfn && strcmp(execfn, self) == 0);
	LT_EXPECT("exec_at_uid", getauxval(AT_UID), getuid());
	LT_EXPECT("exec_at_egid", getauxval(AT_EGID), getegid());
	LT_EXPECT("exec_at_secure", getauxval(AT_SECURE), 0);
	check_phdrs("exec");
	sigaction(SIGUSR1, NULL, &sa);
	LT_CHECK("exec_resets_handled_signal", sa.sa_handler == SIG_DFL);
	sigaction(SIGUSR2, NULL, &sa);
	LT_CHECK("exec_keeps_ignored_signal", sa.sa_handler == SIG_IGN);
	sigprocmask(SIG_BLOCK, NULL, &mask);
	LT_CHECK("exec_keeps_signal_mask", sigismember(&mask, SIGTERM) == 1 &&
						   sigismember(&mask, SIGUSR1) ==
							   0);
	LT_CHECK("exec_keeps_cwd", access("exec-cwd-marker", F_OK) == 0);
	LT_EXPECT("exec_keeps_umask", umask(0), 023);
	return lt_done();
}

/* LT_MODE=script*: run as the interpreter of a #! script. */
static int mode_script(int argc, char **argv)
{
	const char *mode = getenv("LT_MODE");
	const char *script = getenv("LT_SCRIPT");
	const char *execfn = (const char *)getauxval(AT_EXECFN);

	if (!script) {
		LT_CHECK("script_env", false);
		return lt_done();
	}
	if (strcmp(mode, "script") == 0) {
		LT_EXPECT("script_argc", argc, 4);
		LT_CHECK("script_argv", argc == 4 && strcmp(argv[0], self) == 0 &&
						strcmp(argv[1], "optarg") == 0 &&
						strcmp(argv[2], script) == 0 &&
						strcmp(argv[3], "x1") == 0);
		LT_CHECK("script_at_execfn_is_script",
			 execfn && strcmp(execfn, script) == 0);
	} else if (strcmp(mode, "script_noarg") == 0) {
		LT_EXPECT("script_noarg_argc", argc, 3);
		LT_CHECK("script_noarg_argv",
			 argc == 3 && strcmp(argv[1], script) == 0 &&
				 strcmp(argv[2], "x1") == 0);
	} else {
		/* "#!  interp  one two  \n": one argument, inner blanks kept */
		LT_EXPECT("script_spaces_argc", argc, 4);
		LT_CHECK("script_spaces_one_argument",
			 argc == 4 && strcmp(argv[1], "one two") == 0 &&
				 strcmp(argv[2], script) == 0);
	}
	return lt_done();
}

/* LT_MODE=wait: says "r" on fd argv[2], then waits for EOF on argv[3]. */
static int mode_wait(char **argv)
{
	ssize_t n;
	char c;

	if (write(atoi(argv[2]), "r", 1) != 1) {
		return 1;
	}
	do {
		n = read(atoi(argv[3]), &c, 1);
	} while (n > 0 || (n < 0 && errno == EINTR));
	return 0;
}

static int run_mode(const char *mode, int argc, char **argv, char **envp)
{
	if (strcmp(mode, "exec") == 0) {
		return mode_exec(argc, argv, envp);
	}
	if (strncmp(mode, "script", 6) == 0) {
		return mode_script(argc, argv);
	}
	if (strcmp(mode, "wait") == 0 && argc == 4) {
		return mode_wait(argv);
	}
	if (strcmp(mode, "exit") == 0 && argc == 3) {
		return atoi(argv[2]);
	}
	if (strcmp(mode, "pid") == 0 && argc == 3) {
		/* exec from a thread: the pid stays the process's */
		return getpid() == atoi(argv[2]) &&
				       syscall(SYS_gettid) == getpid()
			       ? 0
			       : 1;
	}
	return 99;
}

/* ---- fork ---- */

static int cow_global = 1;

static void case_fork_basic(void)
{
	pid_t parent = getpid(), pid;
	struct rusage ru;
	int st;

	pid = fork();
	if (pid == 0) {
		LT_EXPECT("fork_child_getppid", getppid(), parent);
		LT_CHECK("fork_child_new_pid", getpid() != parent);
		LT_EXPECT("fork_child_gettid", syscall(SYS_gettid), getpid());
		_exit(42);
	}
	LT_CHECK("fork_returns_pid", pid > 0 && pid != parent);
	LT_EXPECT("wait4_returns_pid", wait4(pid, &st, 0, &ru), pid);
	LT_CHECK("wait4_exit_42", WIFEXITED(st) && WEXITSTATUS(st) == 42);
	LT_ERRNO("wait4_reaped_child", wait4(pid, &st, 0, NULL), ECHILD);
	LT_ERRNO("wait_no_children", wait(&st), ECHILD);
}

static void case_fork_cow(void)
{
	size_t len = 1 << 20;
	unsigned char *heap = malloc(len);
	int go[2], done[2];
	char c;
	pid_t pid;

	if (!heap || pipe(go) || pipe(done)) {
		LT_CHECK("cow_setup", false);
		return;
	}
	memset(heap, 'p', len);
	cow_global = 1;
	pid = fork();
	if (pid == 0) {
		read(go[0], &c, 1);
		/* the parent wrote after the fork: not seen here */
		LT_EXPECT("cow_child_sees_old_global", cow_global, 1);
		LT_CHECK("cow_child_sees_old_heap",
			 heap[0] == 'p' && heap[len - 1] == 'p');
		cow_global = 3;
		memset(heap, 'c', len);
		write(done[1], "d", 1);
		_exit(0);
	}
	cow_global = 2;
	heap[0] = heap[len - 1] = 'P';
	write(go[1], "g", 1);
	read(done[0], &c, 1);
	LT_EXPECT("cow_parent_keeps_global", cow_global, 2);
	LT_CHECK("cow_parent_keeps_heap", heap[0] == 'P' && heap[1] == 'p' &&
						  heap[len / 2] == 'p');
	LT_EXPECT("cow_child_exit", lt_wait(pid), 0);
	free(heap);
}

static void case_fork_shares_open_files(void)
{
	int fd = open("fork-shared", O_RDWR | O_CREAT | O_TRUNC, 0600);
	char buf[16] = "";
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		LT_EXPECT("fork_child_write", write(fd, "hello", 5), 5);
		fcntl(fd, F_SETFL, O_APPEND);
		fcntl(fd, F_SETFD, FD_CLOEXEC); /* per descriptor */
		_exit(0);
	}
	LT_EXPECT("fork_shared_child_exit", lt_wait(pid), 0);
	LT_EXPECT("fork_shares_offset", lseek(fd, 0, SEEK_CUR), 5);
	LT_CHECK("fork_shares_status_flags",
		 (fcntl(fd, F_GETFL) & O_APPEND) != 0);
	LT_EXPECT("fork_fd_flags_not_shared", fcntl(fd, F_GETFD), 0);
	LT_EXPECT("fork_shared_read", pread(fd, buf, sizeof(buf), 0), 5);
	close(fd);
}

static void case_fork_many(void)
{
	enum { N = 16 };
	pid_t pids[N];
	int seen = 0, st;

	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			_exit(i + 1);
		}
		if (pids[i] < 0) {
			LT_CHECK("fork_many", false);
			return;
		}
	}
	for (int i = 0; i < N; i++) {
		pid_t got = wait(&st);
		int k;

		for (k = 0; k < N && pids[k] != got; k++) {
		}
		if (k < N && WIFEXITED(st) && WEXITSTATUS(st) == k + 1) {
			seen |= 1 << k;
		}
	}
	LT_EXPECT("fork_many_all_reaped", seen, (1 << N) - 1);
	LT_ERRNO("fork_many_none_left", wait(&st), ECHILD);
}

/* ---- vfork ---- */

static volatile int vfork_var;

static void case_vfork(void)
{
	char *argv[] = { self, "exit", "5", NULL };
	char *envp[] = { "LT_MODE=exit", NULL };
	int st;
	pid_t pid;

	vfork_var = 0;
	pid = vfork();
	if (pid == 0) {
		vfork_var = 1; /* the parent's memory, the parent waits */
		_exit(7);
	}
	LT_EXPECT("vfork_shares_memory", vfork_var, 1);
	st = lt_wait(pid);
	LT_CHECK("vfork_exit_status", WIFEXITED(st) && WEXITSTATUS(st) == 7);

	pid = vfork();
	if (pid == 0) {
		execve(self, argv, envp);
		_exit(127);
	}
	st = lt_wait(pid);
	LT_CHECK("vfork_execve", WIFEXITED(st) && WEXITSTATUS(st) == 5);

	pid = vfork();
	if (pid == 0) {
		execve("/nonexistent/program", argv, envp);
		_exit(errno == ENOENT ? 33 : 34);
	}
	st = lt_wait(pid);
	LT_CHECK("vfork_failed_execve",
		 WIFEXITED(st) && WEXITSTATUS(st) == 33);
}

/* ---- threads ---- */

#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * lt_clone(flags, stack, ptid, ctid, tls, fn, arg): the raw clone system
 * call; the child calls fn(arg) on @stack and exits the thread with its
 * result. The child uses no libc (its TLS may be anything).
 */
long lt_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
	      void *tls, int (*fn)(void *), void *arg);
__asm__(".text\n"
	".type lt_clone, @function\n"
	"lt_clone:\n"
	"	mov 8(%rsp), %rax\n"
	"	and $-16, %rsi\n"
	"	sub $16, %rsi\n"
	"	mov %r9, 0(%rsi)\n"
	"	mov %rax, 8(%rsi)\n"
	"	mov %rcx, %r10\n"
	"	mov $" STR(SYS_clone) ", %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n"
	"	pop %rax\n"
	"	pop %rdi\n"
	"	call *%rax\n"
	"	mov %eax, %edi\n"
	"	mov $" STR(SYS_exit) ", %eax\n"
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size lt_clone, .-lt_clone\n");

struct clone_result {
	long tid, pid;
	void *fs0;
	volatile int ran;
};

static long raw_syscall0(long nr)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(nr) : "rcx", "r11", "memory");
	return r;
}

static int clone_child(void *arg)
{
	struct clone_result *r = arg;
	void *fs0;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(fs0));
	r->fs0 = fs0;
	r->tid = raw_syscall0(SYS_gettid);
	r->pid = raw_syscall0(SYS_getpid);
	r->ran = 1;
	return 0;
}

/* clone(@flags) on the current stack, for flags Linux refuses; a child
 * that Keel made all the same exits at once. */
static long clone_or_leave(unsigned long flags)
{
	long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);

	if (r == 0) {
		_exit(0);
	}
	return r;
}

static void case_clone_raw(void)
{
	static struct clone_result res;
	static void *fake_tls[16]; /* fs:0 points at itself, as TLS does */
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES |
			      CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
			      CLONE_SETTLS | CLONE_PARENT_SETTID |
			      CLONE_CHILD_CLEARTID;
	size_t stack_size = 64 * 1024;
	char *stack = malloc(stack_size);
	static int ptid, ctid;
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	long tid;
	int v, rounds = 0;

	fake_tls[0] = fake_tls;
	ctid = -1;
	tid = lt_clone(flags, stack + stack_size, &ptid, &ctid, fake_tls,
		       clone_child, &res);
	LT_CHECK("clone_returns_tid", tid > 0 && tid != getpid());
	if (tid <= 0) {
		return;
	}
	/* CLONE_CHILD_CLEARTID: 0 and a futex wake when the thread ends */
	while ((v = __atomic_load_n(&ctid, __ATOMIC_SEQ_CST)) != 0 &&
	       rounds++ < 100) {
		syscall(SYS_futex, &ctid, LT_FUTEX_WAIT, v, &ts, NULL, 0);
	}
	LT_EXPECT("clone_child_cleartid", ctid, 0);
	LT_EXPECT("clone_child_ran", res.ran, 1);
	LT_EXPECT("clone_parent_settid", ptid, tid);
	LT_EXPECT("clone_child_gettid", res.tid, tid);
	LT_EXPECT("clone_thread_same_pid", res.pid, getpid());
	LT_CHECK("clone_settls", res.fs0 == (void *)fake_tls);
	free(stack);

	/* bad combinations are refused before anything is made (a child
	 * made all the same leaves at once) */
	LT_ERRNO("clone_thread_without_sighand",
		 clone_or_leave(CLONE_VM | CLONE_THREAD), EINVAL);
	LT_ERRNO("clone_sighand_without_vm", clone_or_leave(CLONE_SIGHAND),
		 EINVAL);
	LT_ERRNO("clone_newns_with_fs", clone_or_leave(CLONE_NEWNS | CLONE_FS),
		 EINVAL);
}

static __thread int tls_var = 5;
static int thread_counter;

struct thread_info {
	int idx;
	long tid;
	pid_t pid;
	int *tls_addr;
	int tls_initial;
};

static void *thread_main(void *arg)
{
	struct thread_info *ti = arg;

	ti->tid = syscall(SYS_gettid);
	ti->pid = getpid();
	ti->tls_addr = &tls_var;
	ti->tls_initial = tls_var;
	tls_var = 100 + ti->idx;
	for (int i = 0; i < 10000; i++) {
		__atomic_fetch_add(&thread_counter, 1, __ATOMIC_RELAXED);
	}
	return (void *)(long)(ti->idx + 1000);
}

static void case_pthreads(void)
{
	enum { N = 4 };
	struct thread_info ti[N];
	pthread_t th[N];
	bool tids_ok = true, tls_ok = true, ret_ok = true;

	tls_var = 7;
	thread_counter = 0;
	for (int i = 0; i < N; i++) {
		ti[i] = (struct thread_info){ .idx = i };
		if (pthread_create(&th[i], NULL, thread_main, &ti[i])) {
			LT_CHECK("pthread_create", false);
			return;
		}
	}
	for (int i = 0; i < N; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		ret_ok &= ret == (void *)(long)(i + 1000);
	}
	for (int i = 0; i < N; i++) {
		tids_ok &= ti[i].tid > 0 && ti[i].tid != getpid() &&
			   ti[i].pid == getpid();
		tls_ok &= ti[i].tls_addr != &tls_var &&
			  ti[i].tls_initial == 5;
		for (int k = 0; k < i; k++) {
			tids_ok &= ti[k].tid != ti[i].tid;
			tls_ok &= ti[k].tls_addr != ti[i].tls_addr;
		}
	}
	LT_CHECK("pthread_join_values", ret_ok);
	LT_CHECK("pthread_tids_distinct_same_pid", tids_ok);
	LT_CHECK("pthread_tls_per_thread", tls_ok);
	LT_EXPECT("pthread_main_tls_kept", tls_var, 7);
	LT_EXPECT("pthread_shared_counter", thread_counter, N * 10000);
}

static void *exit_thread(void *arg)
{
	lt_msleep(20);
	exit((int)(long)arg);
}

static void *fork_thread(void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* the child has only the thread that forked */
		_exit(syscall(SYS_gettid) == getpid() ? 21 : 22);
	}
	return (void *)(long)lt_wait(pid);
}

static void *exec_thread(void *arg)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", getpid());
	exec_self("pid", buf, NULL);
	return NULL;
}

static void case_thread_exit_paths(void)
{
	pthread_t th;
	pid_t pid;
	void *ret;
	int st;

	/* exit() in a thread ends the whole process with its status */
	pid = fork();
	if (pid == 0) {
		pthread_create(&th, NULL, exit_thread, (void *)9);
		for (;;) {
			pause();
		}
	}
	st = lt_wait(pid);
	LT_CHECK("thread_exit_group", WIFEXITED(st) && WEXITSTATUS(st) == 9);

	/* the main thread leaves; the process lives on in the other one */
	pid = fork();
	if (pid == 0) {
		pthread_create(&th, NULL, exit_thread, (void *)3);
		pthread_exit(NULL);
	}
	st = lt_wait(pid);
	LT_CHECK("main_thread_exit_first",
		 WIFEXITED(st) && WEXITSTATUS(st) == 3);

	pthread_create(&th, NULL, fork_thread, NULL);
	pthread_join(th, &ret);
	st = (int)(long)ret;
	LT_CHECK("fork_from_thread", WIFEXITED(st) && WEXITSTATUS(st) == 21);

	/* execve from a second thread: the others go, the pid stays */
	pid = fork();
	if (pid == 0) {
		pthread_create(&th, NULL, exec_thread, NULL);
		for (;;) {
			pause();
		}
	}
	st = lt_wait(pid);
	LT_CHECK("execve_from_thread", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ---- execve ---- */

static void nop_handler(int sig)
{
}

static void case_execve(void)
{
	const unsigned char *rnd = (const void *)getauxval(AT_RANDOM);
	int keep = open("/dev/null", O_RDONLY);
	int cloexec = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char pidbuf[16], keepbuf[16], cloexecbuf[16], rhex[40] = "";
	char *envp[] = { "LT_MODE=exec", "FOO=bar=baz", NULL };
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigset_t mask;
	pid_t pid;

	if (rnd) {
		hex(rnd, 16, rhex);
	}
	close(open("exec-cwd-marker", O_CREAT | O_WRONLY, 0600));
	pid = fork();
	if (pid == 0) {
		char *argv[] = { self, "exec", pidbuf, keepbuf, cloexecbuf,
				 rhex, "a b", "", NULL };

		snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
		snprintf(keepbuf, sizeof(keepbuf), "%d", keep);
		snprintf(cloexecbuf, sizeof(cloexecbuf), "%d", cloexec);
		sigaction(SIGUSR2, &sa, NULL);
		sa.sa_handler = nop_handler;
		sigaction(SIGUSR1, &sa, NULL);
		sigemptyset(&mask);
		sigaddset(&mask, SIGTERM);
		sigprocmask(SIG_BLOCK, &mask, NULL);
		umask(023);
		execve(self, argv, envp);
		LT_CHECK("execve_self", false);
		_exit(100);
	}
	wait_checker("execve_child", pid);
	close(keep);
	close(cloexec);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd >= 0) {
		write(fd, text, strlen(text));
		fchmod(fd, mode);
		close(fd);
	}
}

/* Runs @script (made from @text) with argument "x1" in mode @mode. */
static void run_script(const char *name, const char *script,
		       const char *text, const char *mode)
{
	char envmode[32], envscript[128];
	char *argv[] = { (char *)script, "x1", NULL };
	char *envp[] = { envmode, envscript, NULL };
	pid_t pid;

	write_file(script, text, 0755);
	snprintf(envmode, sizeof(envmode), "LT_MODE=%s", mode);
	snprintf(envscript, sizeof(envscript), "LT_SCRIPT=%s", script);
	pid = fork();
	if (pid == 0) {
		execve(script, argv, envp);
		lt_report(name, false, "execve: %s", strerror(errno));
		_exit(100);
	}
	wait_checker(name, pid);
}

static void case_execve_script(void)
{
	char text[512], path[128];

	snprintf(path, sizeof(path), "%s/script1", lt_tmpdir);
	snprintf(text, sizeof(text), "#!%s optarg\necho not run\n", self);
	run_script("script", path, text, "script");
	snprintf(path, sizeof(path), "%s/script2", lt_tmpdir);
	snprintf(text, sizeof(text), "#!%s\n", self);
	run_script("script_noarg", path, text, "script_noarg");
	snprintf(path, sizeof(path), "%s/script3", lt_tmpdir);
	snprintf(text, sizeof(text), "#!  %s  one two  \n", self);
	run_script("script_spaces", path, text, "script_spaces");
}

static void case_execve_errors(void)
{
	char *argv[] = { self, "exit", "99", NULL };
	char *envp[] = { "LT_MODE=exit", NULL };
	char *bad_argv[] = { self, LT_KERNEL_PTR, NULL };
	static char huge_arg[140 * 1024];
	char *huge_argv[] = { self, huge_arg, NULL };
	static char long_path[5000];

	write_file("noexec", "#!/bin/sh\n", 0644);
	write_file("garbage", "this is no program\n", 0755);
	write_file("badinterp", "#!/nonexistent/interpreter\n", 0755);
	mkdir("dir", 0755);
	memset(huge_arg, 'a', sizeof(huge_arg) - 1);
	memset(long_path, 'a', sizeof(long_path) - 1);
	LT_ERRNO("execve_missing", execve("missing", argv, envp), ENOENT);
	LT_ERRNO("execve_empty_path", execve("", argv, envp), ENOENT);
	LT_ERRNO("execve_not_executable", execve("noexec", argv, envp),
		 EACCES);
	LT_ERRNO("execve_unknown_format", execve("garbage", argv, envp),
		 ENOEXEC);
	LT_ERRNO("execve_missing_interpreter",
		 execve("badinterp", argv, envp), ENOENT);
	LT_ERRNO("execve_directory", execve("dir", argv, envp), EACCES);
	LT_ERRNO("execve_through_file", execve("garbage/x", argv, envp),
		 ENOTDIR);
	LT_ERRNO("execve_null_path",
		 syscall(SYS_execve, NULL, argv, envp), EFAULT);
	LT_ERRNO("execve_kernel_argv",
		 syscall(SYS_execve, self, LT_KERNEL_PTR, envp), EFAULT);
	LT_ERRNO("execve_kernel_envp",
		 syscall(SYS_execve, self, argv, LT_KERNEL_PTR), EFAULT);
	LT_ERRNO("execve_bad_argv_string",
		 syscall(SYS_execve, self, bad_argv, envp), EFAULT);
	LT_ERRNO("execve_arg_too_long", execve(self, huge_argv, envp), E2BIG);
	LT_ERRNO("execve_path_too_long", execve(long_path, argv, envp),
		 ENAMETOOLONG);
}

static void case_auxv(void)
{
	const unsigned char *rnd = (const void *)getauxval(AT_RANDOM);
	const char *platform = (const char *)getauxval(AT_PLATFORM);
	bool nonzero = false;

	LT_EXPECT("auxv_pagesz", getauxval(AT_PAGESZ), 4096);
	LT_EXPECT("sysconf_pagesize", sysconf(_SC_PAGESIZE), 4096);
	LT_CHECK("auxv_random", rnd != NULL);
	for (int i = 0; rnd && i < 16; i++) {
		nonzero |= rnd[i] != 0;
	}
	LT_CHECK("auxv_random_not_zero", nonzero);
	LT_EXPECT("auxv_clktck", getauxval(AT_CLKTCK), 100);
	LT_CHECK("auxv_hwcap", getauxval(AT_HWCAP) != 0);
	LT_CHECK("auxv_platform",
		 platform && strcmp(platform, "x86_64") == 0);
	LT_EXPECT("auxv_euid", getauxval(AT_EUID), geteuid());
	LT_EXPECT("auxv_gid", getauxval(AT_GID), getgid());
	errno = 0;
	LT_CHECK("auxv_missing_entry",
		 getauxval(0x7fff) == 0 && errno == ENOENT);
	check_phdrs("auxv");
}

/* ---- wait ---- */

static pid_t spawn_pauser(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;) {
			pause();
		}
	}
	return pid;
}

static void case_wait_statuses(void)
{
	siginfo_t si;
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		exit(256 + 3);
	}
	st = lt_wait(pid);
	LT_CHECK("exit_status_low_byte", WIFEXITED(st) && WEXITSTATUS(st) == 3);
	pid = fork();
	if (pid == 0) {
		_exit(-1);
	}
	st = lt_wait(pid);
	LT_CHECK("exit_status_minus_one",
		 WIFEXITED(st) && WEXITSTATUS(st) == 255);

	pid = spawn_pauser();
	LT_EXPECT("wnohang_running_child", waitpid(pid, &st, WNOHANG), 0);
	memset(&si, 0xff, sizeof(si));
	LT_EXPECT("waitid_wnohang_running",
		  waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
	LT_CHECK("waitid_wnohang_zeroes_info",
		 si.si_pid == 0 && si.si_signo == 0);
	kill(pid, SIGKILL);
	LT_EXPECT("wait_killed_child", waitpid(pid, &st, 0), pid);
	LT_CHECK("wait_killed_status",
		 WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	pid = fork();
	if (pid == 0) {
		_exit(17);
	}
	memset(&si, 0, sizeof(si));
	LT_EXPECT("waitid_nowait", waitid(P_PID, pid, &si, WEXITED | WNOWAIT),
		  0);
	LT_CHECK("waitid_exited_info",
		 si.si_signo == SIGCHLD && si.si_code == CLD_EXITED &&
			 si.si_pid == pid && si.si_status == 17 &&
			 si.si_uid == getuid());
	LT_EXPECT("waitid_after_nowait", waitid(P_ALL, 0, &si, WEXITED), 0);
	LT_CHECK("waitid_after_nowait_same_child",
		 si.si_pid == pid && si.si_status == 17);
	LT_ERRNO("waitid_none_left", waitid(P_ALL, 0, &si, WEXITED), ECHILD);

	pid = spawn_pauser();
	kill(pid, SIGTERM);
	memset(&si, 0, sizeof(si));
	LT_EXPECT("waitid_killed", waitid(P_PID, pid, &si, WEXITED), 0);
	LT_CHECK("waitid_killed_info",
		 si.si_code == CLD_KILLED && si.si_status == SIGTERM);
}

static void case_wait_stop_continue(void)
{
	pid_t pid = spawn_pauser();
	siginfo_t si;
	int st;

	kill(pid, SIGSTOP);
	LT_EXPECT("wuntraced_stopped", waitpid(pid, &st, WUNTRACED), pid);
	LT_CHECK("wuntraced_status", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	LT_EXPECT("stop_reported_once",
		  waitpid(pid, &st, WUNTRACED | WNOHANG), 0);
	kill(pid, SIGCONT);
	LT_EXPECT("wcontinued", waitpid(pid, &st, WCONTINUED), pid);
	LT_CHECK("wcontinued_status", WIFCONTINUED(st));
	LT_EXPECT("continue_reported_once",
		  waitpid(pid, &st, WCONTINUED | WNOHANG), 0);

	kill(pid, SIGTSTP);
	memset(&si, 0, sizeof(si));
	LT_EXPECT("waitid_wstopped", waitid(P_PID, pid, &si, WSTOPPED), 0);
	LT_CHECK("waitid_stopped_info",
		 si.si_code == CLD_STOPPED && si.si_status == SIGTSTP &&
			 si.si_pid == pid);
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof(si));
	LT_EXPECT("waitid_wcontinued", waitid(P_PID, pid, &si, WCONTINUED),
		  0);
	LT_CHECK("waitid_continued_info",
		 si.si_code == CLD_CONTINUED && si.si_status == SIGCONT);
	kill(pid, SIGKILL);
	LT_EXPECT("wait_after_continue", waitpid(pid, &st, 0), pid);
	LT_CHECK("killed_after_continue", WIFSIGNALED(st));
}

static void case_wait_errors(void)
{
	pid_t pid;
	siginfo_t si;
	int st;

	LT_ERRNO("wait4_bad_options", wait4(-1, &st, 0x100, NULL), EINVAL);
	LT_ERRNO("waitid_no_state_option", waitid(P_ALL, 0, &si, 0), EINVAL);
	LT_ERRNO("waitid_bad_idtype", waitid((idtype_t)99, 0, &si, WEXITED),
		 EINVAL);
	LT_ERRNO("wait4_not_a_child", wait4(1, &st, 0, NULL), ECHILD);
	LT_ERRNO("wait4_no_such_pid", wait4(BAD_PID, &st, 0, NULL), ECHILD);

	/* pid 0 waits for the caller's group, -pgid for that group */
	pid = fork();
	if (pid == 0) {
		_exit(4);
	}
	setpgid(pid, pid);
	LT_ERRNO("wait4_own_group_only", wait4(0, &st, 0, NULL), ECHILD);
	LT_EXPECT("wait4_minus_pgid", wait4(-pid, &st, 0, NULL), pid);

	pid = fork();
	if (pid == 0) {
		_exit(0);
	}
	LT_ERRNO("wait4_bad_status_pointer",
		 wait4(pid, LT_KERNEL_PTR, 0, NULL), EFAULT);
	waitpid(pid, &st, WNOHANG);
	pid = fork();
	if (pid == 0) {
		_exit(0);
	}
	LT_ERRNO("waitid_bad_info_pointer",
		 waitid(P_PID, pid, LT_KERNEL_PTR, WEXITED), EFAULT);
	waitpid(pid, &st, WNOHANG);
}

static void case_orphan_reparented(void)
{
	int p[2];
	pid_t child, orphan_ppid = 0;

	if (pipe(p)) {
		LT_CHECK("orphan_pipe", false);
		return;
	}
	child = fork();
	if (child == 0) {
		pid_t me = getpid();

		if (fork() == 0) {
			int64_t end = lt_now_ns() + 10ll * 1000000000;
			pid_t pp;

			while ((pp = getppid()) == me && lt_now_ns() < end) {
				lt_msleep(5);
			}
			write(p[1], &pp, sizeof(pp));
			_exit(0);
		}
		_exit(0);
	}
	close(p[1]);
	LT_EXPECT("orphan_parent_exit", lt_wait(child), 0);
	LT_EXPECT("orphan_reports", read(p[0], &orphan_ppid,
					 sizeof(orphan_ppid)),
		  sizeof(orphan_ppid));
	LT_CHECK("orphan_new_parent", orphan_ppid > 0 && orphan_ppid != child);
	close(p[0]);
}

static void case_orphan_subreaper(void)
{
	pid_t child, grandchild = 0;
	int p[2], st;

	LT_EXPECT("prctl_subreaper", prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	if (pipe(p)) {
		return;
	}
	child = fork();
	if (child == 0) {
		pid_t g = fork();

		if (g == 0) {
			lt_msleep(50);
			_exit(0);
		}
		write(p[1], &g, sizeof(g));
		_exit(0);
	}
	read(p[0], &grandchild, sizeof(grandchild));
	lt_wait(child);
	LT_EXPECT("subreaper_reaps_orphan", waitpid(grandchild, &st, 0),
		  grandchild);
}

/* ---- process groups and sessions ---- */

static void case_sessions(void)
{
	int p[2], q[2];
	pid_t pid;
	char c;

	LT_CHECK("getsid_self", getsid(0) > 0 && getsid(0) == getsid(getpid()));
	LT_EXPECT("getpgid_self", getpgid(0), getpgrp());
	LT_ERRNO("getsid_no_such_pid", getsid(BAD_PID), ESRCH);
	LT_ERRNO("getpgid_no_such_pid", getpgid(BAD_PID), ESRCH);
	LT_ERRNO("setpgid_negative_pgid", setpgid(0, -1), EINVAL);
	LT_ERRNO("setpgid_no_such_pid", setpgid(BAD_PID, 0), ESRCH);
	LT_ERRNO("setpgid_not_my_child", setpgid(getppid(), 0), ESRCH);
	LT_ERRNO("setpgid_no_such_group", setpgid(0, BAD_PID), EPERM);

	/* a new session */
	if (pipe(p) || pipe(q)) {
		return;
	}
	pid = fork();
	if (pid == 0) {
		pid_t me = getpid();

		LT_EXPECT("setsid_new_session", setsid(), me);
		LT_EXPECT("setsid_getsid", getsid(0), me);
		LT_EXPECT("setsid_new_group", getpgrp(), me);
		LT_ERRNO("setsid_twice", setsid(), EPERM);
		LT_ERRNO("setpgid_session_leader", setpgid(0, 0), EPERM);
		write(p[1], "s", 1);
		read(q[0], &c, 1);
		_exit(0);
	}
	read(p[0], &c, 1);
	LT_EXPECT("getsid_of_child", getsid(pid), pid);
	LT_ERRNO("setpgid_other_session", setpgid(pid, pid), EPERM);
	LT_ERRNO("setpgid_into_other_session", setpgid(0, pid), EPERM);
	write(q[1], "q", 1);
	LT_EXPECT("session_child_exit", lt_wait(pid), 0);

	/* a group leader may not make a session */
	pid = fork();
	if (pid == 0) {
		LT_EXPECT("setpgid_self", setpgid(0, 0), 0);
		LT_EXPECT("setpgid_self_group", getpgrp(), getpid());
		LT_ERRNO("setsid_group_leader", setsid(), EPERM);
		_exit(0);
	}
	LT_EXPECT("group_child_exit", lt_wait(pid), 0);

	/* the parent moves a child, and back */
	pid = fork();
	if (pid == 0) {
		read(q[0], &c, 1);
		_exit(0);
	}
	LT_EXPECT("setpgid_child", setpgid(pid, pid), 0);
	lt_track(pid);
	LT_EXPECT("getpgid_child", getpgid(pid), pid);
	LT_EXPECT("setpgid_child_back", setpgid(pid, getpgrp()), 0);
	LT_EXPECT("getpgid_child_back", getpgid(pid), getpgrp());
	write(q[1], "q", 1);
	lt_wait(pid);

	/* not after the child's execve */
	pid = fork();
	if (pid == 0) {
		char wfd[16], rfd[16];

		close(q[1]);
		snprintf(wfd, sizeof(wfd), "%d", p[1]);
		snprintf(rfd, sizeof(rfd), "%d", q[0]);
		exec_self("wait", wfd, rfd);
		_exit(127);
	}
	read(p[0], &c, 1);
	LT_ERRNO("setpgid_after_exec", setpgid(pid, pid), EACCES);
	close(q[1]);
	LT_EXPECT("exec_child_exit", lt_wait(pid), 0);
}

static void case_umask(void)
{
	struct stat st;
	pid_t pid;

	umask(022);
	LT_EXPECT("umask_returns_old", umask(027), 022);
	close(open("umask-file", O_CREAT | O_WRONLY, 0666));
	stat("umask-file", &st);
	LT_EXPECT("umask_applies_to_open", st.st_mode & 07777, 0640);
	mkdir("umask-dir", 0777);
	stat("umask-dir", &st);
	LT_EXPECT("umask_applies_to_mkdir", st.st_mode & 07777, 0750);
	pid = fork();
	if (pid == 0) {
		_exit(umask(0) == 027 ? 0 : 1);
	}
	LT_EXPECT("umask_inherited", lt_wait(pid), 0);
	umask(0xffff);
	LT_EXPECT("umask_keeps_0777_bits", umask(0), 0777);
}

static void case_uname(void)
{
	struct utsname u;
	char host[256];

	LT_EXPECT("uname", uname(&u), 0);
	LT_EXPECT("gethostname", gethostname(host, sizeof(host)), 0);
	LT_CHECK("hostname_is_nodename", strcmp(host, u.nodename) == 0);
	LT_CHECK("uname_version", u.version[0] != 0);
	LT_CHECK("uname_release_dotted", strchr(u.release, '.') != NULL);
}

static void case_prlimit(void)
{
	struct rlimit old, nl = { 32, 0 }, got;
	int fds[64], n = 0, p[2], q[2], r;
	pid_t pid;
	char c;

	LT_EXPECT("prlimit_get", prlimit(0, RLIMIT_NOFILE, NULL, &old), 0);
	LT_CHECK("prlimit_get_sane", old.rlim_cur <= old.rlim_max);
	nl.rlim_max = old.rlim_max;
	LT_EXPECT("prlimit_set", prlimit(0, RLIMIT_NOFILE, &nl, &got), 0);
	LT_CHECK("prlimit_set_returns_old",
		 got.rlim_cur == old.rlim_cur && got.rlim_max == old.rlim_max);
	getrlimit(RLIMIT_NOFILE, &got);
	LT_EXPECT("getrlimit_after_prlimit", got.rlim_cur, 32);
	while (n < 64 && (r = dup(0)) >= 0) {
		fds[n++] = r;
	}
	LT_CHECK("rlimit_nofile_emfile", errno == EMFILE && n < 32);
	LT_ERRNO("open_emfile", open("/dev/null", O_RDONLY), EMFILE);
	while (n > 0) {
		close(fds[--n]);
	}
	LT_ERRNO("dup2_beyond_limit", dup2(0, 32), EBADF);
	LT_ERRNO("f_dupfd_beyond_limit", fcntl(0, F_DUPFD, 32), EINVAL);

	nl = (struct rlimit){ 100, 50 };
	LT_ERRNO("prlimit_soft_above_hard",
		 prlimit(0, RLIMIT_NOFILE, &nl, NULL), EINVAL);
	LT_ERRNO("prlimit_bad_resource", prlimit(0, 100, NULL, &got), EINVAL);
	LT_ERRNO("prlimit_no_such_pid",
		 prlimit(BAD_PID, RLIMIT_NOFILE, NULL, &got), ESRCH);
	LT_ERRNO("prlimit_bad_new_pointer",
		 syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, LT_KERNEL_PTR, NULL),
		 EFAULT);
	LT_ERRNO("prlimit_bad_old_pointer",
		 syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, LT_KERNEL_PTR),
		 EFAULT);
	LT_ERRNO("setrlimit_null",
		 syscall(SYS_setrlimit, RLIMIT_NOFILE, NULL), EFAULT);

	/* inherited, and settable on a child */
	if (pipe(p) || pipe(q)) {
		return;
	}
	pid = fork();
	if (pid == 0) {
		getrlimit(RLIMIT_NOFILE, &got);
		LT_EXPECT("rlimit_inherited", got.rlim_cur, 32);
		write(q[1], "c", 1);
		read(p[0], &c, 1);
		getrlimit(RLIMIT_NOFILE, &got);
		LT_EXPECT("rlimit_set_by_parent", got.rlim_cur, 16);
		_exit(0);
	}
	read(q[0], &c, 1);
	nl = (struct rlimit){ 16, 32 };
	LT_EXPECT("prlimit_child", prlimit(pid, RLIMIT_NOFILE, &nl, NULL), 0);
	LT_EXPECT("prlimit_child_get",
		  prlimit(pid, RLIMIT_NOFILE, NULL, &got), 0);
	LT_EXPECT("prlimit_child_value", got.rlim_cur, 16);
	write(p[1], "g", 1);
	LT_EXPECT("prlimit_child_exit", lt_wait(pid), 0);

	/* an address-space limit refuses a big mapping */
	nl = (struct rlimit){ 1ul << 30, 1ul << 30 };
	LT_EXPECT("setrlimit_as", setrlimit(RLIMIT_AS, &nl), 0);
	LT_ERRNO("rlimit_as_mmap",
		 mmap(NULL, 2ul << 30, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0),
		 ENOMEM);
}

int main(int argc, char **argv, char **envp)
{
	const char *mode = getenv("LT_MODE");

	self = argv[0];
	if (mode) {
		return run_mode(mode, argc, argv, envp);
	}
	if (self[0] != '/' || !lt_tmpdir_enter()) {
		LT_CHECK("absolute_program_path", false);
		return lt_done();
	}
	LT_CHECK("main_envp_follows_argv", envp == argv + argc + 1);
	LT_CASE(case_fork_basic);
	LT_CASE(case_fork_cow);
	LT_CASE(case_fork_shares_open_files);
	LT_CASE(case_fork_many);
	LT_CASE(case_vfork);
	LT_CASE(case_clone_raw);
	LT_CASE(case_pthreads);
	LT_CASE(case_thread_exit_paths);
	LT_CASE(case_execve);
	LT_CASE(case_execve_script);
	LT_CASE(case_execve_errors);
	LT_CASE(case_auxv);
	LT_CASE(case_wait_statuses);
	LT_CASE(case_wait_stop_continue);
	LT_CASE(case_wait_errors);
	LT_CASE(case_orphan_reparented);
	LT_CASE(case_orphan_subreaper);
	LT_CASE(case_sessions);
	LT_CASE(case_umask);
	LT_CASE(case_uname);
	LT_CASE(case_prlimit);
	lt_tmpdir_leave();
	return lt_done();
}
