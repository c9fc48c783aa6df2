/*
 * Memory calls (mm.h). Addresses are the kernel's to choose for mmap
 * without MAP_FIXED (above VM_ANYWHERE_BASE, first fit, honouring a free
 * hint); programs only rely on the result. MAP_FIXED replaces what was
 * there, as Linux does, by unmapping first (the calling thread is stopped
 * meanwhile; another thread of the program touching that range during
 * the call may fault, as it could on Linux).
 */
#include <keel/error.h>
#include <keel/syscall.h>
#include <linux_abi/errno.h>
#include <linux_abi/mman.h>
#include <rt/malloc.h>
#include <rt/rt.h>

#include "fd.h"
#include "file.h"
#include "mm.h"
#include "proc.h"

#define PAGE 4096ull
#define MM_USER_TOP 0x0000800000000000ull
#define MM_BRK_MAX (1ull << 34)	/* 16 GiB of break at most */
#define MM_FILE_CHUNK (64u * 1024)

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE - 1) & ~(PAGE - 1);
}

static int64_t errno_of(int64_t err)
{
	switch (err) {
	case -ERR_NO_MEMORY:
	case -ERR_NO_SPACE:
	case -ERR_NOT_FOUND:
		return -LINUX_ENOMEM;
	case -ERR_ACCESS:
		return -LINUX_EACCES;
	case -ERR_EXISTS:
		return -LINUX_EEXIST;
	default:
		return -LINUX_EINVAL;
	}
}

int64_t mm_brk(struct lproc *p, uint64_t addr)
{
	uint64_t want;
	int64_t r;

	if (addr < p->brk_start || addr - p->brk_start > MM_BRK_MAX) {
		return (int64_t)p->brk_cur;
	}
	want = page_up(addr);
	if (want > p->brk_mapped) {
		r = rt_syscall6(SYS_VM_MAP, p->kproc, 0, 0,
				want - p->brk_mapped, p->brk_mapped,
				VM_READ | VM_WRITE | VM_FIXED);
		if (r < 0) {
			return (int64_t)p->brk_cur; /* Linux: old break */
		}
	} else if (want < p->brk_mapped) {
		rt_syscall6(SYS_VM_UNMAP, p->kproc, want, p->brk_mapped - want,
			    0, 0, 0);
	}
	p->brk_mapped = want;
	p->brk_cur = addr;
	return (int64_t)addr;
}

/* Copies @len bytes of @f from @off into the program at @addr (a private
 * file mapping). Bytes past the end of the file stay zero. */
static int64_t fill_from_file(struct lproc *p, struct file *f, uint64_t addr,
			      uint64_t len, uint64_t off)
{
	uint8_t *buf = malloc(MM_FILE_CHUNK);
	uint64_t done = 0;
	int64_t r = 0;

	if (!buf) {
		return -LINUX_ENOMEM;
	}
	while (done < len) {
		uint64_t pos = off + done;
		uint64_t want = len - done < MM_FILE_CHUNK ? len - done
							   : MM_FILE_CHUNK;

		r = f->ops->read(f, buf, want, &pos);
		if (r <= 0) {
			break;
		}
		if (rt_syscall6(SYS_VM_WRITE, p->kproc, addr + done,
				(uint64_t)buf, (uint64_t)r, 0, 0) != r) {
			r = -LINUX_ENOMEM;
			break;
		}
		done += (uint64_t)r;
	}
	free(buf);
	return r < 0 ? r : 0;
}

int64_t mm_mmap(struct lproc *p, uint64_t addr, uint64_t len, uint64_t prot,
		uint64_t flags, int fd, uint64_t off)
{
	uint64_t type = flags & LINUX_MAP_TYPE, size, vmflags;
	bool fixed = flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE);
	struct file *f = NULL;
	int64_t r, mem = 0;

	if (!len || (off & (PAGE - 1)) || (fixed && (addr & (PAGE - 1)))) {
		return -LINUX_EINVAL;
	}
	if (type != LINUX_MAP_PRIVATE && type != LINUX_MAP_SHARED &&
	    type != LINUX_MAP_SHARED_VALIDATE) {
		return -LINUX_EINVAL;
	}
	if (prot & ~(uint64_t)(LINUX_PROT_READ | LINUX_PROT_WRITE |
			       LINUX_PROT_EXEC)) {
		return -LINUX_EINVAL;
	}
	size = page_up(len);
	if (size < len || size > MM_USER_TOP || (fixed && addr + size >
						  MM_USER_TOP)) {
		return -LINUX_ENOMEM;
	}
	if (!(flags & LINUX_MAP_ANONYMOUS)) {
		f = fd_get(p->fds, fd);
		if (!f) {
			return -LINUX_EBADF;
		}
		if (!f->ops->read || type != LINUX_MAP_PRIVATE) {
			/* Shared file mappings come with the page cache
			 * (issue #6). */
			file_put(f);
			return -LINUX_ENODEV;
		}
	}
	if (fixed && (flags & LINUX_MAP_FIXED)) {
		rt_syscall6(SYS_VM_UNMAP, p->kproc, addr, size, 0, 0, 0);
	}
	vmflags = (fixed ? VM_FIXED : 0);
	if (type != LINUX_MAP_PRIVATE) {
		mem = rt_syscall2(SYS_MEMORY_CREATE, size, 0);
		if (mem < 0) {
			return errno_of(mem);
		}
		/* A memory object needs read access to be mapped. */
		r = rt_syscall6(SYS_VM_MAP, p->kproc, (uint64_t)mem, 0, size,
				addr, vmflags | VM_READ | (prot & VM_WRITE) |
					      (prot & VM_EXEC));
		rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)mem, 0);
		if (r >= 0 && !(prot & LINUX_PROT_READ)) {
			rt_syscall6(SYS_VM_PROTECT, p->kproc, (uint64_t)r,
				    size, prot, 0, 0);
		}
		return r < 0 ? errno_of(r) : r;
	}
	r = rt_syscall6(SYS_VM_MAP, p->kproc, 0, 0, size, addr,
			vmflags | (f ? VM_READ | VM_WRITE : prot));
	if (r < 0) {
		if (f) {
			file_put(f);
		}
		if (r == -ERR_EXISTS && (flags & LINUX_MAP_FIXED_NOREPLACE)) {
			return -LINUX_EEXIST;
		}
		return errno_of(r);
	}
	if (f) {
		int64_t err = fill_from_file(p, f, (uint64_t)r, len, off);

		file_put(f);
		if (err) {
			rt_syscall6(SYS_VM_UNMAP, p->kproc, (uint64_t)r, size,
				    0, 0, 0);
			return err;
		}
		rt_syscall6(SYS_VM_PROTECT, p->kproc, (uint64_t)r, size, prot,
			    0, 0);
	}
	return r;
}

int64_t mm_munmap(struct lproc *p, uint64_t addr, uint64_t len)
{
	int64_t r;

	if ((addr & (PAGE - 1)) || !len || addr >= MM_USER_TOP ||
	    page_up(len) > MM_USER_TOP - addr) {
		return -LINUX_EINVAL;
	}
	r = rt_syscall6(SYS_VM_UNMAP, p->kproc, addr, page_up(len), 0, 0, 0);
	/* Unmapping nothing is not an error on Linux. */
	return r == -ERR_NOT_FOUND || r >= 0 ? 0 : errno_of(r);
}

int64_t mm_mprotect(struct lproc *p, uint64_t addr, uint64_t len,
		    uint64_t prot)
{
	int64_t r;

	if ((addr & (PAGE - 1)) ||
	    (prot & ~(uint64_t)(LINUX_PROT_READ | LINUX_PROT_WRITE |
				LINUX_PROT_EXEC | LINUX_PROT_GROWSDOWN |
				LINUX_PROT_GROWSUP))) {
		return -LINUX_EINVAL;
	}
	if (!len) {
		return 0;
	}
	r = rt_syscall6(SYS_VM_PROTECT, p->kproc, addr, page_up(len),
			prot & 7, 0, 0);
	return r < 0 ? errno_of(r) : 0;
}
