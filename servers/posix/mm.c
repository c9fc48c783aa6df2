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
#include "vma.h"

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
		struct vma heap = { .prot = VM_READ | VM_WRITE,
				    .flags = VMA_ANON, .name = "[heap]" };

		/* The break never grows over another mapping. */
		if (!vma_is_free(&p->vmas, p->brk_mapped, want)) {
			return (int64_t)p->brk_cur;
		}
		r = rt_syscall6(SYS_VM_MAP, p->kproc, 0, 0,
				want - p->brk_mapped, p->brk_mapped,
				VM_READ | VM_WRITE | VM_FIXED);
		if (r < 0) {
			return (int64_t)p->brk_cur; /* Linux: old break */
		}
		vma_insert(&p->vmas, p->brk_mapped, want, &heap);
	} else if (want < p->brk_mapped) {
		rt_syscall6(SYS_VM_UNMAP, p->kproc, want, p->brk_mapped - want,
			    0, 0, 0);
		vma_remove(&p->vmas, want, p->brk_mapped);
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
		vma_remove(&p->vmas, addr, addr + size);
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
		if (r >= 0) {
			struct vma v = { .prot = (uint32_t)prot,
					 .flags = VMA_SHARED | VMA_ANON };

			vma_insert(&p->vmas, (uint64_t)r, (uint64_t)r + size,
				   &v);
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
	{
		struct vma v = { .prot = (uint32_t)prot,
				 .flags = f ? 0 : VMA_ANON, .offset = off };

		vma_insert(&p->vmas, (uint64_t)r, (uint64_t)r + size, &v);
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
	if (r == -ERR_NOT_FOUND || r >= 0) {
		vma_remove(&p->vmas, addr, addr + page_up(len));
		return 0;
	}
	return errno_of(r);
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
	if (!vma_covers(&p->vmas, addr, addr + page_up(len))) {
		return -LINUX_ENOMEM;
	}
	r = rt_syscall6(SYS_VM_PROTECT, p->kproc, addr, page_up(len),
			prot & 7, 0, 0);
	if (r < 0) {
		return errno_of(r);
	}
	vma_protect(&p->vmas, addr, addr + page_up(len), (uint32_t)prot & 7);
	return 0;
}

/* Copies @len bytes of the program's memory from @from to @to (a new
 * mapping), through the server. */
static int copy_user(struct lproc *p, uint64_t to, uint64_t from,
		     uint64_t len)
{
	uint8_t *buf = malloc(MM_FILE_CHUNK);
	int err = 0;

	if (!buf) {
		return -LINUX_ENOMEM;
	}
	for (uint64_t done = 0; done < len && !err; done += MM_FILE_CHUNK) {
		uint64_t n = len - done < MM_FILE_CHUNK ? len - done
							: MM_FILE_CHUNK;

		if (rt_syscall6(SYS_VM_READ, p->kproc, from + done,
				(uint64_t)buf, n, 0, 0) != (int64_t)n ||
		    rt_syscall6(SYS_VM_WRITE, p->kproc, to + done,
				(uint64_t)buf, n, 0, 0) != (int64_t)n) {
			err = -LINUX_EFAULT;
		}
	}
	free(buf);
	return err;
}

int64_t mm_mremap(struct lproc *p, uint64_t old, uint64_t old_size,
		  uint64_t new_size, uint64_t flags, uint64_t new_addr)
{
	const struct vma *v;
	struct vma tmpl;
	uint64_t osz = page_up(old_size), nsz = page_up(new_size), to;
	int64_t r;
	int err;

	if ((old & (PAGE - 1)) || !nsz || nsz < new_size ||
	    (flags & ~(uint64_t)(LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED)) ||
	    ((flags & LINUX_MREMAP_FIXED) &&
	     (!(flags & LINUX_MREMAP_MAYMOVE) || (new_addr & (PAGE - 1))))) {
		return -LINUX_EINVAL;
	}
	v = vma_find(&p->vmas, old);
	/* One mapping must hold the whole old range. */
	if (!osz || !v || old + osz > v->end) {
		return osz ? -LINUX_EFAULT : -LINUX_EINVAL;
	}
	tmpl = *v;
	if (!(flags & LINUX_MREMAP_FIXED)) {
		if (nsz <= osz) {
			if (nsz < osz) {
				mm_munmap(p, old + nsz, osz - nsz);
			}
			return (int64_t)old;
		}
		/* Grow in place when the pages after it are free (private
		 * anonymous memory only: a shared object cannot grow). */
		if ((tmpl.flags & (VMA_ANON | VMA_SHARED)) == VMA_ANON &&
		    vma_is_free(&p->vmas, old + osz, old + nsz) &&
		    rt_syscall6(SYS_VM_MAP, p->kproc, 0, 0, nsz - osz,
				old + osz, tmpl.prot | VM_FIXED) >= 0) {
			vma_insert(&p->vmas, old + osz, old + nsz, &tmpl);
			return (int64_t)old;
		}
		if (!(flags & LINUX_MREMAP_MAYMOVE)) {
			return -LINUX_ENOMEM;
		}
	}
	if (tmpl.flags & VMA_SHARED) {
		return -LINUX_EINVAL; /* moving shared memory: not yet */
	}
	/* Move: a new private mapping with a copy of the contents. */
	if (flags & LINUX_MREMAP_FIXED) {
		mm_munmap(p, new_addr, nsz);
	}
	r = rt_syscall6(SYS_VM_MAP, p->kproc, 0, 0, nsz,
			(flags & LINUX_MREMAP_FIXED) ? new_addr : 0,
			VM_READ | VM_WRITE |
				((flags & LINUX_MREMAP_FIXED) ? VM_FIXED : 0));
	if (r < 0) {
		return errno_of(r);
	}
	to = (uint64_t)r;
	err = copy_user(p, to, old, osz < nsz ? osz : nsz);
	if (err) {
		rt_syscall6(SYS_VM_UNMAP, p->kproc, to, nsz, 0, 0, 0);
		return err;
	}
	rt_syscall6(SYS_VM_PROTECT, p->kproc, to, nsz, tmpl.prot, 0, 0);
	vma_insert(&p->vmas, to, to + nsz, &tmpl);
	mm_munmap(p, old, osz);
	return (int64_t)to;
}

int64_t mm_madvise(struct lproc *p, uint64_t addr, uint64_t len,
		   uint64_t advice)
{
	uint64_t end = addr + page_up(len);

	if ((addr & (PAGE - 1)) || end < addr) {
		return -LINUX_EINVAL;
	}
	if (!vma_covers(&p->vmas, addr, end)) {
		return -LINUX_ENOMEM;
	}
	/* MADV_DONTNEED (4) and MADV_FREE (8) on private anonymous memory:
	 * the pages read back as zero; replace them with fresh ones. */
	if (advice != 4 && advice != 8) {
		return 0;
	}
	for (uint64_t at = addr; at < end;) {
		const struct vma *v = vma_find(&p->vmas, at);
		uint64_t stop = v->end < end ? v->end : end;

		if ((v->flags & (VMA_ANON | VMA_SHARED)) == VMA_ANON) {
			rt_syscall6(SYS_VM_UNMAP, p->kproc, at, stop - at, 0, 0,
				    0);
			rt_syscall6(SYS_VM_MAP, p->kproc, 0, 0, stop - at, at,
				    v->prot | VM_FIXED);
		}
		at = stop;
	}
	return 0;
}
