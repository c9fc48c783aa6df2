/*
 * Access to a Linux program's memory from the posix server (through the
 * kernel's SYS_VM_READ / SYS_VM_WRITE on the program's process handle).
 * A bad address gives -LINUX_EFAULT, as the same call on Linux would.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct lproc;

int umem_read(struct lproc *p, uint64_t uaddr, void *buf, size_t len);
int umem_write(struct lproc *p, uint64_t uaddr, const void *buf,
	       size_t len);
/* Copies a NUL-terminated string of at most @cap - 1 bytes; -LINUX_EFAULT
 * or -LINUX_ENAMETOOLONG (no NUL within @cap bytes). */
int umem_read_str(struct lproc *p, uint64_t uaddr, char *buf, size_t cap);
