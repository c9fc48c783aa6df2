/*
 * In-guest tests of stopping threads on request (SYS_THREAD_SUSPEND,
 * SUPERVISE_EVENT_STOP) and of kills reaching blocked threads. We
 * supervise copies of ourselves (SYS_PROCESS_FORK with
 * PROCESS_SUPERVISED) whose threads spin in user mode, wait on a futex,
 * wait on a queue or make Linux calls; we stop them, look at and change
 * their registers (a redirect, as signal delivery does; a restarted
 * wait), resume them, and check what they saw. Hostile handles, rights
 * and thread ids get clean errors. KTEST lines.
 */
#include <keel/handle.h>
#include <keel/supervise.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>
#include <rt/sync.h>

#define PAGE 4096ul
#define STACK_SIZE (64 * 1024ul)
#define STACKS 8
#define MS 1000000ul
#define EVENT_WAIT (10000 * MS)

int main(void);

/* Shared with the copies (a memory object mapped before the forks). */
struct shared {
	volatile uint64_t spins;
	volatile uint32_t redirected;
	volatile uint32_t fword;	/* futex waiter: 2 = stop waiting */
	volatile uint32_t fwaiting;	/* it is about to wait (again) */
	volatile uint32_t nresults;
	volatile int64_t results[8];
	volatile int64_t qresult;
	volatile uint32_t qwaiting, qdone;
	volatile int64_t linux_answer;
	volatile uint32_t linux_done;
	volatile uint32_t forever;	/* never changes: waits on it last */
};

static struct shared *sh;
static uint64_t stacks;
static struct rt_queue q;
static struct supervise_event ev;

__asm__(".text\n"
	"thread_entry:\n"
	"	call thread_main\n"
	"	ud2\n");
void thread_entry(void);
void thread_main(uint64_t arg);

enum role {
	ROLE_SPINNER = 1,
	ROLE_FUTEX,
	ROLE_QUEUE,
	ROLE_LINUX,
	ROLE_BLOCK_FUTEX,
	ROLE_BLOCK_QUEUE,
};

static __attribute__((noinline)) void spinner(void)
{
	for (;;) {
		sh->spins = sh->spins + 1;
	}
}

/* Where a redirected spinner goes (as a signal handler would). */
__asm__(".text\n"
	"redirect_entry:\n"
	"	call redirect_main\n"
	"	ud2\n");
void redirect_entry(void);
void redirect_main(uint64_t value);
void redirect_main(uint64_t value)
{
	sh->redirected = (uint32_t)value;
	rt_thread_exit(0);
}

static void futex_waiter(void)
{
	while (sh->fword != 2 && sh->nresults < 8) {
		__atomic_store_n(&sh->fwaiting, 1, __ATOMIC_RELEASE);
		sh->results[sh->nresults] = rt_futex_wait(&sh->fword, 0, ~0ul);
		sh->nresults = sh->nresults + 1;
	}
}

static void queue_waiter(void)
{
	struct rt_queue mine;

	if (rt_queue_create(&mine, 2, 2) != ERR_OK) {
		sh->qresult = -1;
	} else {
		__atomic_store_n(&sh->qwaiting, 1, __ATOMIC_RELEASE);
		/* Nothing will ever complete. */
		sh->qresult = rt_queue_enter(&mine, 0, 1, ~0ul);
	}
	__atomic_store_n(&sh->qdone, 1, __ATOMIC_RELEASE);
}

static void linux_caller(void)
{
	int64_t r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(110ul) /* getppid */
			 : "rcx", "r11", "memory");
	sh->linux_answer = r;
	__atomic_store_n(&sh->linux_done, 1, __ATOMIC_RELEASE);
}

void thread_main(uint64_t arg)
{
	struct rt_queue mine;

	switch (arg) {
	case ROLE_SPINNER:
		spinner();
		break;
	case ROLE_FUTEX:
		futex_waiter();
		break;
	case ROLE_QUEUE:
		queue_waiter();
		break;
	case ROLE_LINUX:
		linux_caller();
		break;
	case ROLE_BLOCK_FUTEX:
		rt_futex_wait(&sh->forever, 0, ~0ul);
		break;
	case ROLE_BLOCK_QUEUE:
		if (rt_queue_create(&mine, 2, 2) == ERR_OK) {
			rt_queue_enter(&mine, 0, 1, ~0ul);
		}
		break;
	}
	rt_thread_exit(0);
}

static int64_t spawn(int64_t proc, unsigned slot, enum role role)
{
	return rt_syscall6(SYS_THREAD_CREATE, (uint64_t)proc,
			   (uint64_t)thread_entry,
			   stacks + (slot + 1) * STACK_SIZE - 8, role, 0, 0);
}

/* Takes the next event of @proc (or fails after EVENT_WAIT). */
static int64_t next_event(int64_t proc)
{
	struct queue_sqe *sqe = rt_queue_sqe(&q);
	struct queue_cqe cqe;

	sqe->op = QUEUE_OP_SUPERVISE;
	sqe->handle = (uint32_t)proc;
	sqe->arg[0] = (uint64_t)&ev;
	rt_queue_commit(&q);
	if (rt_queue_enter(&q, 1, 1, EVENT_WAIT) < 0 ||
	    !rt_queue_reap(&q, &cqe)) {
		return -1;
	}
	return cqe.result;
}

static void nap(uint64_t ns)
{
	static volatile uint32_t never;

	rt_futex_wait(&never, 0, ns);
}

static bool wait_for(volatile uint32_t *flag)
{
	for (int i = 0; i < 1000 && !__atomic_load_n(flag, __ATOMIC_ACQUIRE);
	     i++) {
		nap(10 * MS);
	}
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

static int64_t regs_get(int64_t proc, uint64_t tid, struct thread_regs *r)
{
	return rt_syscall6(SYS_THREAD_REGS_GET, (uint64_t)proc, tid,
			   (uint64_t)r, 0, 0, 0);
}

static int64_t regs_set(int64_t proc, uint64_t tid, struct thread_regs *r)
{
	return rt_syscall6(SYS_THREAD_REGS_SET, (uint64_t)proc, tid,
			   (uint64_t)r, 0, 0, 0);
}

static int64_t resume(int64_t proc, uint64_t tid)
{
	return rt_syscall6(SYS_THREAD_RESUME, (uint64_t)proc, tid, 0, 0, 0, 0);
}

/* Stops @tid, which is about to wait in system call @nr: retries (resume,
 * nap, stop again) until it is caught in that call. True when caught
 * with its wait interrupted (ev holds the STOP event). */
static bool stop_in_wait(int64_t proc, int64_t tid, uint64_t nr)
{
	struct thread_regs r;

	for (int tries = 0; tries < 20; tries++) {
		nap(10 * MS);
		if (rt_thread_suspend((uint64_t)proc, (uint64_t)tid) != 0 ||
		    next_event(proc) != 0 || ev.kind != SUPERVISE_EVENT_STOP ||
		    ev.thread != (uint64_t)tid ||
		    regs_get(proc, (uint64_t)tid, &r) != 0) {
			return false;
		}
		if (ev.nr == nr && r.rax == (uint64_t)-ERR_INTERRUPTED) {
			return true;
		}
		resume(proc, (uint64_t)tid); /* not in the wait yet */
	}
	return false;
}

static void test_running_thread(int64_t copy)
{
	struct thread_regs r;
	int64_t tid = spawn(copy, 0, ROLE_SPINNER);
	uint64_t before;

	ktest_check("suspend/spinner_created", tid > 0, "refused");
	for (int i = 0; i < 1000 && sh->spins == 0; i++) {
		nap(MS);
	}
	ktest_check("suspend/spinner_runs", sh->spins > 0, "never ran");
	ktest_expect("suspend/running_thread",
		     rt_thread_suspend((uint64_t)copy, (uint64_t)tid), 0);
	ktest_expect("suspend/stop_event", next_event(copy), 0);
	ktest_check("suspend/stop_event_fields",
		    ev.kind == SUPERVISE_EVENT_STOP &&
			    ev.thread == (uint64_t)tid &&
			    ev.nr == SUPERVISE_STOP_NO_CALL,
		    "not a STOP event of the spinner from user mode");
	before = sh->spins;
	nap(30 * MS);
	ktest_expect("suspend/stopped_thread_does_not_run",
		     (int64_t)(sh->spins - before), 0);
	ktest_expect("suspend/already_stopped",
		     rt_thread_suspend((uint64_t)copy, (uint64_t)tid), 1);
	ktest_expect("suspend/regs_of_stopped", regs_get(copy, (uint64_t)tid,
							 &r),
		     0);
	ktest_check("suspend/regs_match_event",
		    r.rip == ev.rip && r.rsp == ev.rsp &&
			    r.rip >= (uint64_t)spinner &&
			    r.rip < (uint64_t)spinner + 64,
		    "rip/rsp differ from the event or are not in the loop");
	/* Redirect it, as a posix server delivers a signal. */
	r.rip = (uint64_t)redirect_entry;
	r.rsp = ((r.rsp - 256) & ~15ul) - 8;
	r.rdi = 0x77;
	ktest_expect("suspend/redirect_regs",
		     regs_set(copy, (uint64_t)tid, &r), 0);
	ktest_expect("suspend/resume", resume(copy, (uint64_t)tid), 0);
	ktest_check("suspend/redirected_thread_ran", wait_for(&sh->redirected),
		    "it never got there");
	ktest_expect("suspend/redirected_value", sh->redirected, 0x77);
	ktest_expect("suspend/resume_ended_thread",
		     resume(copy, (uint64_t)tid), -ERR_NOT_FOUND);
	ktest_expect("suspend/ended_thread",
		     rt_thread_suspend((uint64_t)copy, (uint64_t)tid),
		     -ERR_NOT_FOUND);
}

static void test_futex_wait(int64_t copy)
{
	struct thread_regs r;
	int64_t tid = spawn(copy, 1, ROLE_FUTEX);
	bool caught;

	ktest_check("suspend/futex_waiter_created",
		    tid > 0 && wait_for(&sh->fwaiting), "never ran");
	/* 1: stopped in the wait; resumed as it is, the call returns
	 * ERR_INTERRUPTED to the thread (as EINTR). */
	caught = stop_in_wait(copy, tid, SYS_FUTEX_WAIT);
	ktest_check("suspend/futex_wait_interrupted", caught,
		    "not stopped in SYS_FUTEX_WAIT with ERR_INTERRUPTED");
	ktest_check("suspend/futex_event_args",
		    ev.args[0] == (uint64_t)&sh->fword && ev.args[1] == 0 &&
			    ev.args[2] == ~0ul,
		    "the event does not carry the call's arguments");
	sh->fwaiting = 0;
	resume(copy, (uint64_t)tid);
	ktest_check("suspend/futex_waiter_saw_result",
		    wait_for(&sh->fwaiting), "did not come back");
	ktest_expect("suspend/futex_waiter_got_interrupted",
		     sh->nresults >= 1 ? sh->results[0] : 0,
		     -ERR_INTERRUPTED);
	/* 2: stopped again, then restarted: back in the wait. */
	caught = stop_in_wait(copy, tid, SYS_FUTEX_WAIT);
	ktest_check("suspend/futex_wait_interrupted_again", caught,
		    "not caught in the wait");
	regs_get(copy, (uint64_t)tid, &r);
	r.rip = ev.rip - 2;
	r.rax = ev.nr;
	regs_set(copy, (uint64_t)tid, &r);
	resume(copy, (uint64_t)tid);
	nap(30 * MS);
	ktest_expect("suspend/restarted_wait_still_waits", sh->nresults, 1);
	sh->fword = 2;
	rt_futex_wake(&sh->fword, 1);
	for (int i = 0; i < 1000 && sh->nresults < 2; i++) {
		nap(MS);
	}
	ktest_expect("suspend/restarted_wait_woken", sh->nresults, 2);
	ktest_expect("suspend/restarted_wait_result", sh->results[1], 0);
}

static void test_queue_wait(int64_t copy)
{
	int64_t tid = spawn(copy, 2, ROLE_QUEUE);

	ktest_check("suspend/queue_waiter_created",
		    tid > 0 && wait_for(&sh->qwaiting), "never ran");
	ktest_check("suspend/queue_wait_interrupted",
		    stop_in_wait(copy, tid, SYS_QUEUE_ENTER),
		    "not stopped in SYS_QUEUE_ENTER with ERR_INTERRUPTED");
	ktest_expect("suspend/queue_wait_not_returned_yet", sh->qdone, 0);
	resume(copy, (uint64_t)tid);
	ktest_check("suspend/queue_waiter_done", wait_for(&sh->qdone),
		    "did not return");
	ktest_expect("suspend/queue_waiter_result", sh->qresult,
		     -ERR_INTERRUPTED);
}

static void test_linux_call(int64_t copy)
{
	int64_t tid = spawn(copy, 3, ROLE_LINUX);

	ktest_expect("suspend/linux_event", next_event(copy), 0);
	ktest_check("suspend/linux_event_is_syscall",
		    ev.kind == SUPERVISE_EVENT_SYSCALL && ev.nr == 110 &&
			    ev.thread == (uint64_t)tid,
		    "not the getppid stop");
	/* Stopped for the call already: no STOP event will follow. */
	ktest_expect("suspend/at_syscall_stop",
		     rt_thread_suspend((uint64_t)copy, (uint64_t)tid), 1);
	rt_syscall6(SYS_THREAD_RESUME, (uint64_t)copy, (uint64_t)tid,
		    THREAD_RESUME_RESULT, 4242, 0, 0);
	ktest_check("suspend/linux_call_answered", wait_for(&sh->linux_done),
		    "did not return");
	ktest_expect("suspend/linux_answer", sh->linux_answer, 4242);
}

static void test_hostile(int64_t copy)
{
	uint64_t ring;
	int64_t plain = rt_syscall2(SYS_PROCESS_FORK, 0, 0);
	int64_t weak = rt_syscall2(SYS_HANDLE_DUPLICATE, (uint64_t)copy,
				   RIGHT_READ | RIGHT_DUPLICATE);
	int64_t other = rt_syscall6(SYS_QUEUE_CREATE, 1, 1, (uint64_t)&ring, 0,
				    0, 0);
	int64_t unstarted = rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy,
					(uint64_t)thread_entry,
					stacks + 5 * STACK_SIZE - 8,
					ROLE_SPINNER, THREAD_CREATE_SUSPENDED,
					0);

	ktest_expect("suspend/own_process", rt_thread_suspend(0, 1),
		     -ERR_BAD_HANDLE);
	ktest_expect("suspend/bad_handle", rt_thread_suspend(0x4444, 1),
		     -ERR_BAD_HANDLE);
	ktest_expect("suspend/huge_handle", rt_thread_suspend(1ul << 33, 1),
		     -ERR_BAD_HANDLE);
	ktest_expect("suspend/wrong_type",
		     rt_thread_suspend((uint64_t)other, 1), -ERR_WRONG_TYPE);
	ktest_expect("suspend/no_supervise_right",
		     rt_thread_suspend((uint64_t)weak, 1), -ERR_ACCESS);
	ktest_expect("suspend/unsupervised_process",
		     rt_thread_suspend((uint64_t)plain, 1), -ERR_INVALID);
	ktest_expect("suspend/no_such_thread",
		     rt_thread_suspend((uint64_t)copy, 0x7fffffff),
		     -ERR_NOT_FOUND);
	ktest_expect("suspend/thread_zero", rt_thread_suspend((uint64_t)copy, 0),
		     -ERR_NOT_FOUND);
	ktest_expect("suspend/unstarted_counts_as_stopped",
		     rt_thread_suspend((uint64_t)copy, (uint64_t)unstarted), 1);
	/* Started, it spins until the kill below. */
	ktest_expect("suspend/start_unstarted",
		     rt_syscall6(SYS_THREAD_START, (uint64_t)copy,
				 (uint64_t)unstarted, ROLE_SPINNER, 0, 0, 0),
		     0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)other, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)weak, 0);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)plain, 0);
}

/* A kill reaches threads blocked in futex and queue waits and threads
 * spinning in user mode: the process ends. */
static void test_kill_blocked(void)
{
	int64_t copy = rt_syscall2(SYS_PROCESS_FORK, 0, PROCESS_SUPERVISED);
	bool created = copy > 0;

	created &= spawn(copy, 4, ROLE_BLOCK_FUTEX) > 0;
	created &= spawn(copy, 5, ROLE_BLOCK_QUEUE) > 0;
	created &= spawn(copy, 6, ROLE_SPINNER) > 0;
	ktest_check("kill/threads_created", created, "refused");
	nap(50 * MS); /* let them block */
	ktest_expect("kill/kill", rt_syscall2(SYS_PROCESS_KILL, (uint64_t)copy,
					      33),
		     0);
	ktest_expect("kill/exit_event", next_event(copy), 0);
	ktest_check("kill/blocked_threads_ended",
		    ev.kind == SUPERVISE_EVENT_EXIT && ev.args[0] == 33,
		    "no EXIT event with the kill's code");
	ktest_expect("kill/suspend_after_kill",
		     rt_thread_suspend((uint64_t)copy, 1), -ERR_PEER_CLOSED);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);
}

int main(void)
{
	int64_t smem = rt_syscall2(SYS_MEMORY_CREATE, STACKS * STACK_SIZE, 0);
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, PAGE, 0);
	int64_t copy;

	stacks = (uint64_t)rt_syscall6(SYS_VM_MAP, 0, (uint64_t)smem, 0,
				       STACKS * STACK_SIZE, 0,
				       VM_READ | VM_WRITE);
	sh = (struct shared *)rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0,
					  PAGE, 0, VM_READ | VM_WRITE);
	copy = rt_syscall2(SYS_PROCESS_FORK, 0, PROCESS_SUPERVISED);
	ktest_check("suspend/setup",
		    (int64_t)stacks > 0 && (int64_t)sh > 0 && copy > 0 &&
			    rt_queue_create(&q, 4, 4) == ERR_OK,
		    "refused");
	/* Keeps the copy alive between the cases (its other threads end);
	 * the kill at the end cuts its wait short. */
	ktest_check("suspend/keeper", spawn(copy, 7, ROLE_BLOCK_FUTEX) > 0,
		    "refused");
	test_running_thread(copy);
	test_futex_wait(copy);
	test_queue_wait(copy);
	test_linux_call(copy);
	test_hostile(copy);
	/* Every thread of the copy has ended or never started: no STOP
	 * event may be left over, the next one is the EXIT. */
	rt_syscall2(SYS_PROCESS_KILL, (uint64_t)copy, 5);
	ktest_expect("suspend/last_event", next_event(copy), 0);
	ktest_check("suspend/no_stray_stop_event",
		    ev.kind == SUPERVISE_EVENT_EXIT, "an event before EXIT");
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0);
	test_kill_blocked();
	rt_printf("suspend_test: %d failed", ktest_failures());
	return ktest_failures();
}
