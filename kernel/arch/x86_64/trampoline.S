/*
 * Application processor start-up code. The boot CPU copies it to a page
 * below 1 MiB (pmm_low_pages), patches the fields of the parameter block
 * at the end and sends INIT-SIPI-SIPI; the AP starts in real mode at the
 * page's start, goes through 32-bit protected mode into long mode on the
 * trampoline's own PML4 (the kernel half plus the boot identity map of
 * the first GiB) and jumps to smp_ap_entry(percpu) in the higher half.
 * Everything here is addressed relative to the page (EBX = its base).
 */
#define TRAMP_OFF(x) ((x) - trampoline_start)

	.section .rodata
	.balign 16
	.globl trampoline_start, trampoline_end, trampoline_jmp32_end
	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx				/* EBX = page base */
	lgdtl TRAMP_OFF(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	.byte 0x66, 0xea			/* ljmpl $0x08, $base+pm32 */
tramp_jmp32_target:
	.long 0					/* patched */
	.word 0x08
trampoline_jmp32_end:

	.code32
tramp_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax			/* PAE */
	movl %eax, %cr4
	movl TRAMP_OFF(tramp_pml4)(%ebx), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx			/* EFER: LME, NXE if allowed */
	rdmsr
	orl $(1 << 8), %eax
	orl TRAMP_OFF(tramp_efer_extra)(%ebx), %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax			/* PG, WP, PE */
	movl %eax, %cr0
	ljmpl *TRAMP_OFF(tramp_far64)(%ebx)

	.code64
tramp_lm64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %ebx, %ebx
	movq TRAMP_OFF(tramp_stack)(%rbx), %rsp
	movq TRAMP_OFF(tramp_percpu)(%rbx), %rdi
	movq TRAMP_OFF(tramp_entry)(%rbx), %rax
	xorl %ebp, %ebp
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff		/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: data */
	.quad 0x00209a0000000000		/* 0x18: 64-bit code */
tramp_gdt_end:
	.balign 8
tramp_gdt_ptr:
	.word tramp_gdt_end - tramp_gdt - 1
	.long 0					/* patched: base + gdt */
	.balign 8
tramp_far64:
	.long 0					/* patched: base + lm64 */
	.word 0x18
	.balign 8
	/* Parameter block, filled by smp.c. */
	.globl tramp_param_pml4, tramp_param_stack, tramp_param_percpu
	.globl tramp_param_entry, tramp_param_efer, tramp_param_gdt
	.globl tramp_param_far64, tramp_param_pm32, tramp_param_lm64
	.globl tramp_param_gdt_ptr
tramp_pml4:
	.quad 0
tramp_stack:
	.quad 0
tramp_percpu:
	.quad 0
tramp_entry:
	.quad 0
tramp_efer_extra:
	.long 0
trampoline_end:

	/* Offsets for smp.c. */
	.set tramp_param_pml4, TRAMP_OFF(tramp_pml4)
	.set tramp_param_stack, TRAMP_OFF(tramp_stack)
	.set tramp_param_percpu, TRAMP_OFF(tramp_percpu)
	.set tramp_param_entry, TRAMP_OFF(tramp_entry)
	.set tramp_param_efer, TRAMP_OFF(tramp_efer_extra)
	.set tramp_param_gdt, TRAMP_OFF(tramp_gdt)
	.set tramp_param_gdt_ptr, TRAMP_OFF(tramp_gdt_ptr)
	.set tramp_param_far64, TRAMP_OFF(tramp_far64)
	.set tramp_param_pm32, TRAMP_OFF(tramp_pm32)
	.set tramp_param_lm64, TRAMP_OFF(tramp_lm64)
	.set tramp_param_jmp32, TRAMP_OFF(tramp_jmp32_target)
	.globl tramp_param_jmp32
