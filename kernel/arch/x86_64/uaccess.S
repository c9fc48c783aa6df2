/*
 * int uaccess_copy(void *dst, const void *src, size_t len): copies bytes
 * where one side is user memory. Returns 0, or 1 when a page fault inside
 * [uaccess_copy_start, uaccess_copy_end) was redirected to
 * uaccess_copy_fault by the page-fault handler (user/uaccess.c).
 */
	.text
	.globl uaccess_copy, uaccess_copy_start, uaccess_copy_end
	.globl uaccess_copy_fault
uaccess_copy:
uaccess_copy_start:
	movq %rdx, %rcx
	rep movsb
	xorl %eax, %eax
	ret
uaccess_copy_end:
uaccess_copy_fault:
	movl $1, %eax
	ret
