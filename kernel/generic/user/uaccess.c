/*
 * User memory access (see uaccess.h). The copies are done by
 * uaccess_copy (arch/x86_64/uaccess.S), whose faults are redirected to its
 * error exit by uaccess_fixup.
 */
#include <arch/x86_64/trap.h>
#include <user/uaccess.h>

int uaccess_copy(void *dst, const void *src, size_t len);
extern char uaccess_copy_start[], uaccess_copy_end[], uaccess_copy_fault[];
extern char uaccess_nofault_start[], uaccess_nofault_end[];

bool uaccess_range_ok(uaddr_t addr, size_t len)
{
	return addr < USER_TOP && len <= USER_TOP - addr;
}

err_t uaccess_copy_in(void *dst, uaddr_t src, size_t len)
{
	if (!uaccess_range_ok(src, len)) {
		return ERR_FAULT;
	}
	return uaccess_copy(dst, (const void *)src, len) ? ERR_FAULT : ERR_OK;
}

err_t uaccess_copy_out(uaddr_t dst, const void *src, size_t len)
{
	if (!uaccess_range_ok(dst, len)) {
		return ERR_FAULT;
	}
	return uaccess_copy((void *)dst, src, len) ? ERR_FAULT : ERR_OK;
}

bool uaccess_in_copy(const struct trap_frame *frame)
{
	return frame->rip >= (uint64_t)uaccess_copy_start &&
	       frame->rip < (uint64_t)uaccess_copy_end;
}

bool uaccess_fixup(struct trap_frame *frame)
{
	if (uaccess_in_copy(frame) ||
	    (frame->rip >= (uint64_t)uaccess_nofault_start &&
	     frame->rip < (uint64_t)uaccess_nofault_end)) {
		frame->rip = (uint64_t)uaccess_copy_fault;
		return true;
	}
	return false;
}
