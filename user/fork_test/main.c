/*
 * Copy-on-write process copies (SYS_PROCESS_FORK): the copy sees the
 * parent's memory as it was at the fork, writes on either side stay on
 * that side, and memory-object mappings stay shared (the two talk through
 * one, with a futex). The copy runs a thread of ours (SYS_THREAD_CREATE
 * into it). KTEST lines.
 */
#include <keel/supervise.h>
#include <rt/ktest.h>
#include <rt/rt.h>
#include <rt/sync.h>

#define PAGE 4096ul
#define MS 1000000ul

int main(void);

struct shared {
	volatile uint32_t done;
	volatile uint64_t child_saw;
	volatile uint64_t child_saw_big;
	volatile uint64_t child_r12;	/* offset 24, see clone_entry */
};

static volatile uint64_t private_word = 1;
/* A page-aligned page the parent never writes after the fork: it stays
 * shared with the copy until the copy ends, and must come out intact
 * (the copy's teardown once scribbled on frames it only shared). */
static volatile uint64_t untouched[512] __attribute__((aligned(4096)));
static volatile uint64_t private_big[3 * 512]; /* spans pages */

static void child(struct shared *sh)
{
	sh->child_saw = private_word;
	sh->child_saw_big = private_big[1024];
	private_word = 100;		/* only in the copy */
	private_big[1024] = 100;
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&sh->done, 1);
	rt_thread_exit(0);
}

__asm__(".text\n"
	"child_entry:\n"
	"	call child_trampoline\n"
	"	ud2\n");
void child_entry(void);

/* Entry of a thread whose registers the parent set before starting it
 * (as a supervisor does for clone): r12 must arrive as set. */
__asm__(".text\n"
	"clone_entry:\n"
	"	movq %r12, 24(%rdi)\n"
	"	call child_trampoline\n"
	"	ud2\n");
void clone_entry(void);
void child_trampoline(uint64_t arg);
void child_trampoline(uint64_t arg)
{
	child((struct shared *)arg);
}

int main(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, 16 * PAGE, 0);
	int64_t addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, 16 * PAGE,
				   0, VM_READ | VM_WRITE);
	struct shared *sh = (struct shared *)addr;
	uint64_t stack_top = (uint64_t)addr + 16 * PAGE - 8;
	int64_t copy, tid;

	private_word = 42;
	private_big[1024] = 4242;
	for (int i = 0; i < 512; i++) {
		untouched[i] = 0x1111111111111111ul * (uint64_t)(i % 15 + 1);
	}
	copy = rt_syscall2(SYS_PROCESS_FORK, 0, 0);
	ktest_check("fork/create", copy > 0, "refused");
	/* The parent writes first: its copy of the page is made now. */
	private_word = 43;
	tid = rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy,
			  (uint64_t)child_entry, stack_top, (uint64_t)sh, 0, 0);
	ktest_check("fork/thread_in_copy", tid > 0, "refused");
	while (__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE) == 0) {
		if (rt_futex_wait(&sh->done, 0, 5000 * MS) ==
		    -(int64_t)ERR_TIMED_OUT) {
			break;
		}
	}
	ktest_expect("fork/copy_ran", sh->done, 1);
	ktest_expect("fork/copy_sees_memory_at_fork", (int64_t)sh->child_saw,
		     42);
	ktest_expect("fork/copy_sees_other_pages", (int64_t)sh->child_saw_big,
		     4242);
	ktest_expect("fork/parent_write_stays", (int64_t)private_word, 43);
	/* The copy has ended (its thread exited): shared pages are ours. */
	for (int spin = 0; spin < 100; spin++) {
		rt_yield();
	}
	bool intact = true;
	for (int i = 0; i < 512; i++) {
		intact &= untouched[i] ==
			  0x1111111111111111ul * (uint64_t)(i % 15 + 1);
	}
	ktest_check("fork/shared_pages_intact_after_copy_ends", intact,
		    "a page shared with the copy changed");
	ktest_expect("fork/copy_write_stays_in_copy",
		     (int64_t)private_big[1024], 4242);
	/* A thread created stopped in a copy; registers set, then started. */
	sh->done = 0;
	int64_t copy2 = rt_syscall2(SYS_PROCESS_FORK, 0, 0);
	tid = rt_syscall6(SYS_THREAD_CREATE, (uint64_t)copy2,
			  (uint64_t)child_entry, stack_top, 0,
			  THREAD_CREATE_SUSPENDED, 0);
	struct thread_regs regs;
	ktest_expect("fork/regs_of_suspended_thread",
		     rt_syscall6(SYS_THREAD_REGS_GET, (uint64_t)copy2,
				 (uint64_t)tid, (uint64_t)&regs, 0, 0, 0),
		     0);
	ktest_expect("fork/suspended_thread_rip", (int64_t)regs.rip,
		     (int64_t)(uint64_t)child_entry);
	ktest_expect("fork/suspended_not_running", sh->done, 0);
	regs.rip = (uint64_t)clone_entry;
	regs.rdi = (uint64_t)sh;
	regs.r12 = 0x5151;
	ktest_expect("fork/set_regs_before_start",
		     rt_syscall6(SYS_THREAD_REGS_SET, (uint64_t)copy2,
				 (uint64_t)tid, (uint64_t)&regs, 0, 0, 0),
		     0);
	ktest_expect("fork/resume_is_not_start",
		     rt_syscall6(SYS_THREAD_RESUME, (uint64_t)copy2,
				 (uint64_t)tid, 0, 0, 0, 0),
		     -ERR_BUSY);
	ktest_expect("fork/start_suspended",
		     rt_syscall6(SYS_THREAD_START, (uint64_t)copy2, (uint64_t)tid,
				 0, 0, 0, 0),
		     0);
	while (__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE) == 0) {
		if (rt_futex_wait(&sh->done, 0, 5000 * MS) ==
		    -(int64_t)ERR_TIMED_OUT) {
			break;
		}
	}
	ktest_expect("fork/started_with_set_registers", (int64_t)sh->child_r12,
		     0x5151);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy2, 0);
	ktest_expect("fork/bad_flags", rt_syscall2(SYS_PROCESS_FORK, 0, 0x80),
		     -ERR_INVALID);
	ktest_expect("fork/bad_source",
		     rt_syscall2(SYS_PROCESS_FORK, 0x4321, 0), -ERR_BAD_HANDLE);
	ktest_expect("fork/close_copy",
		     rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0), 0);
	/* A copy that never runs is reclaimed with its last handle. */
	copy = rt_syscall2(SYS_PROCESS_FORK, 0, 0);
	ktest_expect("fork/close_unrun_copy",
		     rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)copy, 0), 0);
	rt_printf("fork_test: %d failed", ktest_failures());
	return ktest_failures();
}
