/*
 * Memory basics: brk growing and shrinking the heap, anonymous mmap
 * (zeroed, page-aligned, writable), munmap, mprotect, mremap, madvise,
 * and the errors for bad lengths, flags and alignment.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "lt.h"

#define PAGE 4096ul

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i]) {
			return false;
		}
	}
	return true;
}

static void test_brk(void)
{
	/* Raw calls: musl's brk() refuses on purpose (malloc owns it). */
	uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
	uintptr_t top;
	uint8_t *p;

	LT_CHECK("brk_query", cur > 0 && cur != (uintptr_t)-1);
	top = (cur + 16 * PAGE + PAGE - 1) & ~(PAGE - 1);
	LT_EXPECT("brk_grow", syscall(SYS_brk, top), top);
	p = (uint8_t *)(top - 8 * PAGE);
	LT_CHECK("brk_new_memory_zero", all_zero(p, 8 * PAGE));
	memset(p, 0x5a, 8 * PAGE);
	LT_CHECK("brk_new_memory_writable", p[8 * PAGE - 1] == 0x5a);
	LT_EXPECT("brk_shrink", syscall(SYS_brk, cur), cur);
	/* A refused brk returns the current break, not an error. */
	LT_EXPECT("brk_below_start_refused", syscall(SYS_brk, PAGE), cur);
	LT_EXPECT("brk_kernel_address_refused",
		  syscall(SYS_brk, LT_KERNEL_PTR), cur);
}

static void test_mmap(void)
{
	size_t len = 1 << 20;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *q;

	LT_CHECK("mmap_anon", p != MAP_FAILED);
	if (p == MAP_FAILED) {
		return;
	}
	LT_CHECK("mmap_page_aligned", ((uintptr_t)p & (PAGE - 1)) == 0);
	LT_CHECK("mmap_zero", all_zero(p, len));
	memset(p, 0x77, len);
	LT_CHECK("mmap_writable", p[0] == 0x77 && p[len - 1] == 0x77);
	LT_EXPECT("mprotect_read_only", mprotect(p, PAGE, PROT_READ), 0);
	LT_CHECK("mprotect_still_readable", p[0] == 0x77);
	/* Raw: musl's wrapper rounds the start down to a page. */
	LT_ERRNO("mprotect_unaligned",
		 syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
	LT_EXPECT("madvise_dontneed", madvise(p + PAGE, PAGE, MADV_DONTNEED),
		  0);
	/* mremap needs one mapping: the read-only page split it. */
	LT_ERRNO("mremap_across_mappings",
		 mremap(p, len, 2 * len, MREMAP_MAYMOVE), EFAULT);
	LT_EXPECT("munmap", munmap(p, len), 0);
	LT_EXPECT("munmap_nothing_mapped", munmap(p, len), 0);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		LT_CHECK("mmap_for_mremap", false);
		return;
	}
	memset(p, 0x66, len);
	q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
	LT_CHECK("mremap_grow", q != MAP_FAILED);
	if (q == MAP_FAILED) {
		munmap(p, len);
		return;
	}
	LT_CHECK("mremap_keeps_contents",
		 q[0] == 0x66 && q[len - 1] == 0x66);
	LT_CHECK("mremap_new_part_zero", all_zero(q + len, len));
	q = mremap(q, 2 * len, PAGE, 0);
	LT_CHECK("mremap_shrink_in_place", q != MAP_FAILED && q[0] == 0x66);
	LT_EXPECT("munmap_after_mremap", munmap(q, PAGE), 0);
}

static void test_mmap_errors(void)
{
	LT_ERRNO("mmap_zero_length",
		 mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		 EINVAL);
	LT_ERRNO("mmap_no_type",
		 mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	LT_ERRNO("mmap_fixed_unaligned",
		 mmap((void *)0x10000001ul, PAGE, PROT_READ,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		 EINVAL);
	LT_ERRNO("mmap_bad_fd",
		 mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 1000, 0), EBADF);
	LT_ERRNO("mmap_huge",
		 mmap(NULL, (size_t)1 << 62, PROT_READ,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		 ENOMEM);
	LT_ERRNO("munmap_unaligned", munmap((void *)0x10000001ul, PAGE),
		 EINVAL);
	LT_ERRNO("munmap_zero_length", munmap((void *)0x10000000ul, 0),
		 EINVAL);
	LT_ERRNO("munmap_kernel_range", munmap(LT_KERNEL_PTR, PAGE), EINVAL);
}

int main(void)
{
	test_brk();
	test_mmap();
	test_mmap_errors();
	return lt_done();
}
