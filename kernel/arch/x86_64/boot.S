/*
 * Multiboot2 entry: GRUB (BIOS or UEFI) enters boot_entry32 in 32-bit
 * protected mode with paging off, EAX = boot magic, EBX = physical address
 * of the boot information. We build just enough page tables to run the
 * higher-half kernel (the first 1 GiB mapped both at 0 and at -2 GiB with
 * 2 MiB pages), enter long mode and call kmain(magic, info_phys). The
 * identity half stays in place until the kernel builds its own tables;
 * the AP start-up trampoline reuses boot_pdpt_low for the same purpose.
 */
#include <boot/multiboot2.h>

#define KERNEL_VMA 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_VMA)

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define PTE_PRESENT_WRITE 0x3
#define PDE_LARGE 0x83

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long 0				/* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
	/* Framebuffer request, optional: the serial console works without. */
	.balign 8
	.short 5, 1
	.long 20
	.long 1024, 768, 32
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl boot_entry32
boot_entry32:
	cli
	cld
	movl %eax, %edi			/* kept until kmain's first argument */
	movl %ebx, %esi			/* kmain's second argument */
	movl $PHYS(boot_stack_top), %esp

	/* Long mode supported? Otherwise say so on COM1 and stop. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode
	movl %edx, %ebp			/* remember NX support (bit 20) */

	/* boot_pd maps the first 1 GiB with 2 MiB pages. */
	movl $PHYS(boot_pd), %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $PDE_LARGE, %eax
	movl %eax, (%ebx, %ecx, 8)
	movl $0, 4(%ebx, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jb 1b

	movl $PHYS(boot_pd) + PTE_PRESENT_WRITE, %eax
	movl %eax, PHYS(boot_pdpt_low)
	movl %eax, PHYS(boot_pdpt_high) + 510 * 8
	movl $PHYS(boot_pdpt_low) + PTE_PRESENT_WRITE, %eax
	movl %eax, PHYS(boot_pml4)
	movl $PHYS(boot_pdpt_high) + PTE_PRESENT_WRITE, %eax
	movl %eax, PHYS(boot_pml4) + 511 * 8

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	testl $(1 << 20), %ebp
	jz 2f
	orl $EFER_NXE, %eax
2:	wrmsr

	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE | CR0_WP), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $boot_entry64

no_long_mode:
	movl $no_long_mode_msg, %esi
3:	lodsb
	testb %al, %al
	jz 5f
	movw $0x3fd, %dx		/* wait for the transmitter */
4:	movb %al, %ah
	inb %dx, %al
	testb $0x20, %al
	movb %ah, %al
	jz 4b
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 3b
5:	hlt
	jmp 5b

	.code64
boot_entry64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot_entry_high, %rax
	jmp *%rax

	.section .boot.data, "a"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00209a0000000000	/* 0x08: 64-bit kernel code */
	.quad 0x0000920000000000	/* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt
no_long_mode_msg:
	.asciz "keel: this CPU has no long mode (x86_64); cannot boot\r\n"

	.text
boot_entry_high:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	/* EDI = magic, ESI = info physical address (zero-extended). */
	movl %edi, %edi
	movl %esi, %esi
	call kmain
6:	cli
	hlt
	jmp 6b

	.bss
	.balign 4096
	.globl boot_pml4, boot_pdpt_low, boot_pdpt_high, boot_pd
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd:
	.skip 4096
	.globl boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
