/*
 * Copy-in and copy-out: the only way the kernel touches user memory. The
 * range is checked to lie wholly in the user half first (so kernel
 * addresses are refused without being touched); a page fault during the
 * copy is caught (uaccess_fixup) and turned into ERR_FAULT. Call with the
 * target address space loaded (the current process's).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <keel/error.h>
#include <mm/addr.h>

struct trap_frame;

/* Whether [@addr, @addr + @len) lies in the user half (no overflow). */
bool uaccess_range_ok(uaddr_t addr, size_t len);
/* Copies @len bytes from user @src to kernel @dst. ERR_FAULT. */
err_t uaccess_copy_in(void *dst, uaddr_t src, size_t len);
/* Copies @len bytes from kernel @src to user @dst. ERR_FAULT. */
err_t uaccess_copy_out(uaddr_t dst, const void *src, size_t len);
/* Copies @len bytes between kernel memory and the current process's
 * memory (either way: the caller checked the user range) without
 * resolving page faults: 0, or 1 at the first page not present or not
 * writable (vm.c, for copies between two address spaces). */
int uaccess_copy_nofault(void *dst, const void *src, size_t len);
/* Whether @frame was interrupted inside the copy routine (the faults
 * that the page-fault handler resolves). */
bool uaccess_in_copy(const struct trap_frame *frame);
/* Page-fault hook: if the fault hit a copy routine, redirects it to
 * return an error and returns true. */
bool uaccess_fixup(struct trap_frame *frame);
