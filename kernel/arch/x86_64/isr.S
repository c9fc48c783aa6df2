/*
 * Interrupt and exception entry. Every vector has a stub that pushes a
 * zero error code when the CPU does not push one, then the vector number,
 * and jumps to isr_common, which saves the general registers into a
 * struct trap_frame (trap.h) and calls trap_dispatch(frame). Entries from
 * user mode swap GS to the per-CPU block on the way in and back on the
 * way out.
 */
#include <arch/x86_64/trap.h>

/* Each stub is at most 12 bytes and 16-byte aligned, so vector v's stub
 * is at isr_stubs_start + 16 * v (checked by trap_init). */
	.macro isr_stub v
	.balign 16
isr_stub_\v:
	.if !(\v == 8 || (\v >= 10 && \v <= 14) || \v == 17 || \v == 21 || \v == 29 || \v == 30)
	pushq $0
	.endif
	pushq $\v
	jmp isr_common
	.endm

	.text
	.globl isr_stubs_start, isr_stubs_end
isr_stubs_start:
	.altmacro
	.set vec, 0
	.rept 256
	isr_stub %vec
	.set vec, vec + 1
	.endr
	.balign 16
isr_stubs_end:

isr_common:
	/* CS of the interrupted context is at 24(%rsp): vector, error, rip. */
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:	pushq %rax
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
	cld
	movq %rsp, %rdi
	call trap_dispatch
	.globl trap_return
trap_return:
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
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp
	iretq

