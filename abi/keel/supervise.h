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
 *                               (not used on a wide queue)
 *   completes with the next event: result 0, value = the thread id, the
 *   event written to arg[0], or on a wide queue (abi/keel/queue.h)
 *   inline in the completion entry's data (QUEUE_CQE_INLINE).
 *   ERR_PEER_CLOSED once the process has ended and every event was
 *   taken. With QUEUE_SQE_MULTISHOT (wide queues) it stays armed and
 *   completes once per event (QUEUE_CQE_MORE), until ERR_PEER_CLOSED
 *   after the EXIT event, a cancellation, or a full completion ring.
 *
 * The supervisor then reads and writes the stopped thread's registers
 * (SYS_THREAD_REGS_GET/SET; a system call's result goes in rax) and its
 * memory (SYS_VM_READ/WRITE), and lets it go on with SYS_THREAD_RESUME,
 * or ends the process with SYS_PROCESS_KILL.
 *
 * QUEUE_OP_THREAD_RESUME handle = the process (RIGHT_SUPERVISE)
 *                      arg[0] = the stopped thread's id
 *                      arg[1] = flags (THREAD_RESUME_RESULT)
 *                      arg[2] = the value for rax with THREAD_RESUME_RESULT
 *   SYS_THREAD_RESUME as a queue op, completing at once with its result
 *   (0, ERR_BUSY, ERR_NOT_FOUND, ERR_INVALID, handle errors). Submitted
 *   with the wait for the next event in one SYS_QUEUE_ENTER (typically
 *   with QUEUE_SQE_SKIP_SUCCESS), it answers a call and hands the CPU to
 *   the resumed thread when the supervisor then waits.
 *
 * The fast loop of a supervisor: a wide queue, one multishot
 * QUEUE_OP_SUPERVISE armed once, and per call one SYS_QUEUE_ENTER
 * submitting the QUEUE_OP_THREAD_RESUME and waiting for the next event.
 */
#pragma once

#include <stdint.h>

#define PROCESS_SUPERVISED 0x1
#define PROCESS_NAME_MAX_ABI 32

enum supervise_event_kind {
	SUPERVISE_EVENT_SYSCALL = 1,	/* nr, args[0..5] */
	SUPERVISE_EVENT_FAULT = 2,	/* nr = vector, args[0] = error
					 * code, args[1] = faulting address */
	SUPERVISE_EVENT_EXIT = 3,	/* the process ended; args[0] = code */
};

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
