/*
 * SYSCALL entry. Switches to the thread's kernel stack (per-CPU
 * kernel_rsp), builds a struct trap_frame exactly like an interrupt from
 * user mode would (so signal delivery, register access and the iretq path
 * can treat both alike) and calls syscall_dispatch(frame). Returns with
 * SYSRET, or through trap_return (IRETQ) when the return address is not
 * canonical, where SYSRET would fault in kernel mode.
 */
#include <arch/x86_64/trap.h>
#include <smp/percpu.h>

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_OFF_USER_RSP
	movq %gs:PERCPU_OFF_KERNEL_RSP, %rsp
	pushq $GDT_USER_DATA
	pushq %gs:PERCPU_OFF_USER_RSP
	pushq %r11
	pushq $GDT_USER_CODE
	pushq %rcx
	pushq %rax		/* error: the call's number, see trap.h */
	pushq $0x100
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	call syscall_dispatch
	cli
	/* rip is at 17 * 8 in the frame; 47 bits or more means IRETQ. */
	movq 17*8(%rsp), %rcx
	shrq $47, %rcx
	jnz trap_return
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector, error */
	movq 0(%rsp), %rcx	/* rip */
	movq 16(%rsp), %r11	/* rflags */
	movq 24(%rsp), %rsp	/* user stack */
	swapgs
	sysretq
