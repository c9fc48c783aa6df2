/*
 * Supervision (kernel <-> user contract): how a server such as the posix
 * server runs other programs and answers their Linux system calls.
 *
 * A process created with SYS_PROCESS_CREATE and PROCESS_SUPERVISED has
 * the creator as its supervisor. When one of its threads makes a Linux
 * system call (any number outside the native range) or raises a CPU
 * exception, the thread stops and an event is queued for the supervisor,
 * which takes events with QUEUE_OP_SUPERVISE on its completion queue:
 *
 * QUEUE_OP_SUPERVISE   handle = the process (RIGHT_SUPERVISE)
 *                      arg[0] = user pointer to a struct supervise_event
 *   completes with the next event: result 0, value = the thread id, the
 *   event written to arg[0]. ERR_PEER_CLOSED once the process has ended
 *   and every event was taken.
 *
 * The supervisor then reads and writes the stopped thread's registers
 * (SYS_THREAD_REGS_GET/SET; a system call's result goes in rax) and its
 * memory (SYS_VM_READ/WRITE), and lets it go on with SYS_THREAD_RESUME,
 * or ends the process with SYS_PROCESS_KILL.
 */
#pragma once

#include <stdint.h>

#define PROCESS_SUPERVISED 0x1
/* SYS_PROCESS_CREATE without an image (rdi, rsi ignored): an empty
 * address space and no thread (the thread id written is 0); the creator
 * maps memory into it and adds threads (how the posix server execs). */
#define PROCESS_EMPTY 0x2
#define PROCESS_NAME_MAX_ABI 32

enum supervise_event_kind {
	SUPERVISE_EVENT_SYSCALL = 1,	/* nr, args[0..5] */
	SUPERVISE_EVENT_FAULT = 2,	/* nr = vector, args[0] = error
					 * code, args[1] = faulting address */
	SUPERVISE_EVENT_EXIT = 3,	/* the process ended; args[0] = code */
	SUPERVISE_EVENT_STOP = 4,	/* stopped on request, see below */
};

/*
 * SUPERVISE_EVENT_STOP: the thread stopped because SYS_THREAD_SUSPEND
 * asked, on its way back to user mode. nr is the system call it was
 * returning from (its arguments in args[0..5]; its result is already in
 * rax), or SUPERVISE_STOP_NO_CALL when it was running user code (an
 * interrupt took it into the kernel). rip and rsp are where it will go
 * on.
 *
 * A thread waiting in SYS_QUEUE_ENTER or SYS_FUTEX_WAIT when asked to
 * stop (or when its process is killed) has its wait cut short: the call
 * returns ERR_INTERRUPTED (SYS_QUEUE_ENTER: only if it consumed no
 * entry, else the count, as at a timeout), and rax holds that at the
 * stop. The supervisor then chooses, as a posix server does with a
 * signal: resume it as it is (the caller sees ERR_INTERRUPTED, as EINTR),
 * redirect it (registers set to run a handler first), or restart the
 * call: rip = event rip - 2 (the syscall instruction) and rax = nr.
 */
#define SUPERVISE_STOP_NO_CALL (~0ull)

struct supervise_event {
	uint32_t kind;
	uint32_t reserved;
	uint64_t thread;		/* thread id (0 for EXIT) */
	uint64_t nr;
	uint64_t args[6];
	uint64_t rip;
	uint64_t rsp;
};
_Static_assert(sizeof(struct supervise_event) == 88, "event layout");

/* A stopped thread's user registers. rflags: only the arithmetic flags,
 * DF, TF and AC can be changed; IF is always set. */
struct thread_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags, fs_base, gs_base;
};
_Static_assert(sizeof(struct thread_regs) == 160, "regs layout");
