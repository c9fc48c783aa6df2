/*
 * fiber_switch_context(void **save_sp, void *new_sp): the context switch
 * between fibers. Saves what the SysV ABI says a callee keeps (rbx, rbp,
 * r12-r15, the x87 control word and MXCSR) on the current stack, stores
 * the stack pointer at *save_sp, takes new_sp and restores the same
 * frame from it. A new fiber's stack is prepared by fiber.c with the
 * same frame, whose return address is the fiber's entry.
 *
 * Frame, from new_sp upward: x87 control word (bytes 0-1) and MXCSR
 * (bytes 4-7), r15, r14, r13, r12, rbx, rbp, return address.
 */
	.text
	.globl fiber_switch_context
	.type fiber_switch_context, @function
fiber_switch_context:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	fnstcw (%rsp)
	stmxcsr 4(%rsp)
	movq %rsp, (%rdi)

	movq %rsi, %rsp
	fldcw (%rsp)
	ldmxcsr 4(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size fiber_switch_context, . - fiber_switch_context

	.section .note.GNU-stack, "", @progbits
