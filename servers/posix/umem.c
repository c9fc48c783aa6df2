/*
 * Program memory access (umem.h) through the kernel's cross-space copy
 * calls on the program's kernel process handle.
 */
#include <keel/error.h>
#include <keel/syscall.h>
#include <linux_abi/errno.h>
#include <rt/rt.h>

#include "proc.h"
#include "umem.h"

int umem_read(struct lproc *p, uint64_t uaddr, void *buf, size_t len)
{
	int64_t r;

	if (!len) {
		return 0;
	}
	r = rt_syscall6(SYS_VM_READ, p->kproc, uaddr, (uint64_t)buf, len, 0,
			0);
	return r == (int64_t)len ? 0 : -LINUX_EFAULT;
}

int umem_write(struct lproc *p, uint64_t uaddr, const void *buf, size_t len)
{
	int64_t r;

	if (!len) {
		return 0;
	}
	r = rt_syscall6(SYS_VM_WRITE, p->kproc, uaddr, (uint64_t)buf, len, 0,
			0);
	return r == (int64_t)len ? 0 : -LINUX_EFAULT;
}

int umem_read_str(struct lproc *p, uint64_t uaddr, char *buf, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		/* Never read past the page: the next one may be unmapped
		 * although the string ends before it. */
		size_t chunk = 4096 - ((uaddr + got) & 4095);

		if (chunk > cap - got) {
			chunk = cap - got;
		}
		if (umem_read(p, uaddr + got, buf + got, chunk)) {
			return -LINUX_EFAULT;
		}
		for (size_t i = got; i < got + chunk; i++) {
			if (!buf[i]) {
				return 0;
			}
		}
		got += chunk;
	}
	return -LINUX_ENAMETOOLONG;
}
