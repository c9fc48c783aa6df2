/*
 * int uaccess_copy(void *dst, const void *src, size_t len): copies bytes
 * where one side is user memory. Returns 0, or 1 when a page fault inside
 * [uaccess_copy_start, uaccess_copy_end) was redirected to
 * uaccess_copy_fault by the page-fault handler (user/uaccess.c), after
 * the handler could not resolve it (demand paging, copy-on-write).
 *
 * int uaccess_copy_nofault(void *dst, const void *src, size_t len): the
 * same, but a fault is never resolved, only redirected: for copies made
 * with a spinlock held that the fault handler may need (the other
 * address space's lock in a copy between two spaces, vm.c). The caller
 * drops its locks, faults the page in and tries again.
 *
 * Both copy eight bytes at a time, then the tail.
 */
	.text
	.globl uaccess_copy, uaccess_copy_start, uaccess_copy_end
	.globl uaccess_copy_nofault, uaccess_nofault_start, uaccess_nofault_end
	.globl uaccess_copy_fault
uaccess_copy:
uaccess_copy_start:
	movq %rdx, %rcx
	shrq $3, %rcx
	rep movsq
	movl %edx, %ecx
	andl $7, %ecx
	rep movsb
	xorl %eax, %eax
	ret
uaccess_copy_end:

uaccess_copy_nofault:
uaccess_nofault_start:
	movq %rdx, %rcx
	shrq $3, %rcx
	rep movsq
	movl %edx, %ecx
	andl $7, %ecx
	rep movsb
	xorl %eax, %eax
	ret
uaccess_nofault_end:

uaccess_copy_fault:
	movl $1, %eax
	ret
