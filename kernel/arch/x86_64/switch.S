/*
 * Thread switch. struct thread *sched_switch(struct thread *prev,
 * struct thread *next) saves the callee-saved registers on prev's kernel
 * stack, records the stack pointer in prev->saved_rsp (offset 0), loads
 * next's and returns, in next's context, the thread it switched away from
 * (RDI is not restored, so it still names it).
 *
 * A new thread's stack is prepared (thread.c) so that the first switch to
 * it "returns" into sched_thread_trampoline.
 */
	.text
	.globl sched_switch
sched_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movq %rdi, %rax
	ret

	.globl sched_thread_trampoline
sched_thread_trampoline:
	movq %rax, %rdi		/* the thread we came from */
	xorl %ebp, %ebp		/* ends backtraces here */
	call sched_thread_start
	ud2

/* void arch_enter_user(struct trap_frame *frame): leaves the kernel
 * through the interrupt return path with the registers in @frame. */
	.globl arch_enter_user
arch_enter_user:
	movq %rdi, %rsp
	jmp trap_return
