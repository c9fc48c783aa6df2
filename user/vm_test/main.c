/*
 * In-guest tests of memory objects and address spaces (SYS_MEMORY_CREATE,
 * SYS_VM_MAP/UNMAP/PROTECT): demand-zero pages, one object mapped twice,
 * fixed and kernel-chosen addresses, splitting a mapping by unmapping its
 * middle, protection changes seen by the kernel's own user copies, and
 * hostile use. One KTEST line per case.
 */
#include <keel/handle.h>
#include <rt/ktest.h>
#include <rt/queue.h>
#include <rt/rt.h>

#define PAGE 4096ul
#define KERNEL_ADDR 0xffffffff80100000ul

int main(void);

static int64_t vm_map(int64_t mem, uint64_t offset, uint64_t size,
		      uint64_t addr, uint64_t flags)
{
	return rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, offset, size, addr,
			   flags);
}

static int64_t vm_unmap(uint64_t addr, uint64_t size)
{
	return rt_syscall6(SYS_VM_UNMAP, 0, addr, size, 0, 0, 0);
}

static int64_t vm_protect(uint64_t addr, uint64_t size, uint64_t flags)
{
	return rt_syscall6(SYS_VM_PROTECT, 0, addr, size, flags, 0, 0);
}

static void test_basic(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, 16 * PAGE, 0);
	int64_t a, b;
	volatile uint64_t *pa, *pb;
	bool zero = true, same = true;

	ktest_check("vm/memory_create", mem > 0, "no handle");
	a = vm_map(mem, 0, 16 * PAGE, 0, VM_READ | VM_WRITE);
	ktest_check("vm/map_anywhere", a > 0 && (a & (PAGE - 1)) == 0,
		    "bad address");
	pa = (volatile uint64_t *)a;
	for (unsigned i = 0; i < 16; i++) {
		zero &= pa[i * PAGE / 8] == 0 && pa[i * PAGE / 8 + 511] == 0;
	}
	ktest_check("vm/demand_zero", zero, "fresh page not zero");
	for (unsigned i = 0; i < 16; i++) {
		pa[i * PAGE / 8] = 0xabc000 + i;
	}
	/* The same object again, from page 4, at a fixed address. */
	b = vm_map(mem, 4 * PAGE, 8 * PAGE, 0x200000000ul,
		   VM_READ | VM_FIXED);
	ktest_expect("vm/map_fixed", b, 0x200000000l);
	pb = (volatile uint64_t *)b;
	for (unsigned i = 0; i < 8; i++) {
		same &= pb[i * PAGE / 8] == 0xabc000 + 4 + i;
	}
	ktest_check("vm/shared_object_pages", same,
		    "second mapping sees other data");
	pa[5 * PAGE / 8] = 77;
	ktest_expect("vm/write_seen_through_other_mapping",
		     (int64_t)pb[PAGE / 8], 77);
	ktest_expect("vm/map_fixed_overlap",
		     vm_map(mem, 0, PAGE, 0x200000000ul + PAGE,
			    VM_READ | VM_FIXED),
		     -ERR_EXISTS);

	/* The kernel's own copies see protection: a read-only mapping
	 * cannot receive the queue address. */
	ktest_expect("vm/kernel_write_to_read_only",
		     rt_syscall6(SYS_QUEUE_CREATE, 4, 4, (uint64_t)b, 0, 0, 0),
		     -ERR_FAULT);
	ktest_expect("vm/kernel_reads_mapping",
		     rt_log_write((const void *)b, 16), 0);
	/* The handle allowed writing, so protect may grant it later. */
	ktest_expect("vm/protect_grants_allowed_write",
		     vm_protect((uint64_t)b, PAGE, VM_READ | VM_WRITE), 0);
	pb[0] = 99;
	ktest_expect("vm/write_through_granted_mapping",
		     (int64_t)pa[4 * PAGE / 8], 99);

	/* Unmap the middle of the first mapping: both ends stay. */
	ktest_expect("vm/unmap_middle", vm_unmap((uint64_t)a + 4 * PAGE,
						 4 * PAGE),
		     0);
	ktest_expect("vm/unmap_left_part_intact", (int64_t)pa[3 * PAGE / 8],
		     0xabc003);
	ktest_expect("vm/unmap_right_part_intact", (int64_t)pa[8 * PAGE / 8],
		     0xabc008);
	ktest_expect("vm/unmapped_hole_refused_by_kernel",
		     rt_log_write((const void *)(a + 5 * PAGE), 8), -ERR_FAULT);
	ktest_expect("vm/unmap_hole_again",
		     vm_unmap((uint64_t)a + 4 * PAGE, 4 * PAGE), -ERR_NOT_FOUND);
	ktest_expect("vm/protect_over_hole",
		     vm_protect((uint64_t)a, 16 * PAGE, VM_READ), -ERR_NOT_FOUND);
	ktest_expect("vm/protect_read_only", vm_protect((uint64_t)a, 4 * PAGE,
							VM_READ),
		     0);
	ktest_expect("vm/kernel_write_after_protect",
		     rt_syscall6(SYS_QUEUE_CREATE, 4, 4, (uint64_t)a, 0, 0, 0),
		     -ERR_FAULT);
	ktest_expect("vm/protect_back_rw", vm_protect((uint64_t)a, 4 * PAGE,
						      VM_READ | VM_WRITE),
		     0);
	pa[0] = 5;
	ktest_expect("vm/write_after_protect_back", (int64_t)pa[0], 5);
	/* The object outlives its handle while mapped. */
	ktest_expect("vm/close_mapped_object",
		     rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)mem, 0), 0);
	ktest_expect("vm/mapping_outlives_handle", (int64_t)pb[PAGE / 8], 77);
	ktest_expect("vm/unmap_all_a", vm_unmap((uint64_t)a, 16 * PAGE), 0);
	ktest_expect("vm/unmap_all_b", vm_unmap((uint64_t)b, 8 * PAGE), 0);
}

static void test_hostile(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, 4 * PAGE, 0);
	int64_t ro, q;
	uint64_t qaddr;

	ktest_expect("vm/memory_create_zero",
		     rt_syscall2(SYS_MEMORY_CREATE, 0, 0), -ERR_INVALID);
	ktest_expect("vm/memory_create_huge",
		     rt_syscall2(SYS_MEMORY_CREATE, 1ul << 62, 0), -ERR_INVALID);
	ktest_expect("vm/map_bad_handle", vm_map(0x4444, 0, PAGE, 0, VM_READ),
		     -ERR_BAD_HANDLE);
	q = rt_syscall6(SYS_QUEUE_CREATE, 4, 4, (uint64_t)&qaddr, 0, 0, 0);
	ktest_expect("vm/map_wrong_type", vm_map(q, 0, PAGE, 0, VM_READ),
		     -ERR_WRONG_TYPE);
	ktest_expect("vm/map_zero_size", vm_map(mem, 0, 0, 0, VM_READ),
		     -ERR_INVALID);
	ktest_expect("vm/map_unaligned_size", vm_map(mem, 0, 100, 0, VM_READ),
		     -ERR_INVALID);
	ktest_expect("vm/map_unaligned_offset",
		     vm_map(mem, 10, PAGE, 0, VM_READ), -ERR_INVALID);
	ktest_expect("vm/map_past_end", vm_map(mem, 2 * PAGE, 4 * PAGE, 0,
					       VM_READ),
		     -ERR_RANGE);
	ktest_expect("vm/map_offset_huge",
		     vm_map(mem, 1ul << 60, PAGE, 0, VM_READ), -ERR_RANGE);
	ktest_expect("vm/map_fixed_kernel_half",
		     vm_map(mem, 0, PAGE, KERNEL_ADDR & ~(PAGE - 1),
			    VM_READ | VM_FIXED),
		     -ERR_INVALID);
	ktest_expect("vm/map_fixed_page_zero",
		     vm_map(mem, 0, PAGE, 0, VM_READ | VM_FIXED), -ERR_INVALID);
	ktest_expect("vm/map_fixed_crossing_top",
		     vm_map(mem, 0, 2 * PAGE, 0x00007ffffffff000ul,
			    VM_READ | VM_FIXED),
		     -ERR_INVALID);
	ktest_expect("vm/map_fixed_over_program",
		     vm_map(mem, 0, PAGE, 0x400000, VM_READ | VM_FIXED),
		     -ERR_EXISTS);
	ktest_expect("vm/map_unknown_flags",
		     vm_map(mem, 0, PAGE, 0, VM_READ | 0x100), -ERR_INVALID);
	ktest_expect("vm/map_without_read", vm_map(mem, 0, PAGE, 0, VM_WRITE),
		     -ERR_INVALID);
	ktest_expect("vm/map_other_space",
		     rt_syscall6(SYS_VM_MAP, 99, (uint64_t)mem, 0, PAGE, 0,
				 VM_READ),
		     -ERR_BAD_HANDLE);
	ro = rt_syscall2(SYS_HANDLE_DUPLICATE, (uint64_t)mem,
			 RIGHT_MAP | RIGHT_READ);
	ktest_expect("vm/map_write_needs_right",
		     vm_map(ro, 0, PAGE, 0, VM_READ | VM_WRITE), -ERR_ACCESS);
	ktest_expect("vm/map_exec_needs_right",
		     vm_map(ro, 0, PAGE, 0, VM_READ | VM_EXEC), -ERR_ACCESS);
	int64_t r = vm_map(ro, 0, PAGE, 0, VM_READ);
	ktest_check("vm/map_read_only_handle", r > 0, "refused");
	ktest_expect("vm/protect_beyond_right",
		     vm_protect((uint64_t)r, PAGE, VM_READ | VM_WRITE),
		     -ERR_ACCESS);
	int64_t nomap = rt_syscall2(SYS_HANDLE_DUPLICATE, (uint64_t)mem,
				    RIGHT_READ);
	ktest_expect("vm/map_needs_map_right",
		     vm_map(nomap, 0, PAGE, 0, VM_READ), -ERR_ACCESS);
	ktest_expect("vm/unmap_kernel_half", vm_unmap(KERNEL_ADDR & ~(PAGE - 1),
						      PAGE),
		     -ERR_INVALID);
	ktest_expect("vm/unmap_unaligned", vm_unmap(0x200000001ul, PAGE),
		     -ERR_INVALID);
	ktest_expect("vm/unmap_nothing", vm_unmap(0x300000000ul, PAGE),
		     -ERR_NOT_FOUND);
	ktest_expect("vm/protect_bad_flags",
		     vm_protect((uint64_t)r, PAGE, VM_READ | 0x40), -ERR_INVALID);
	rt_syscall2(SYS_HANDLE_CLOSE, (uint64_t)q, 0);
}

/* Private anonymous memory (handle 0): demand-zero, no access at all
 * with protection 0, as Linux's PROT_NONE. */
static void test_anon(void)
{
	int64_t a = vm_map(0, 0, 8 * PAGE, 0, VM_READ | VM_WRITE);
	volatile uint64_t *p = (volatile uint64_t *)a;
	uint64_t word = 0;

	ktest_check("vm/anon_map", a > 0 && (a & (PAGE - 1)) == 0,
		    "no address");
	if (a <= 0) {
		return;
	}
	ktest_expect("vm/anon_demand_zero", (int64_t)p[PAGE / 8 * 5], 0);
	p[0] = 0x1234;
	p[PAGE / 8 * 7] = 99;
	ktest_expect("vm/anon_protect_none",
		     vm_protect((uint64_t)a, 8 * PAGE, 0), 0);
	ktest_expect("vm/anon_none_refused_by_kernel",
		     rt_syscall6(SYS_VM_READ, 0, (uint64_t)a, (uint64_t)&word,
				 sizeof(word), 0, 0),
		     -ERR_FAULT);
	ktest_expect("vm/anon_protect_back",
		     vm_protect((uint64_t)a, 8 * PAGE, VM_READ | VM_WRITE), 0);
	ktest_expect("vm/anon_data_kept", (int64_t)p[0], 0x1234);
	ktest_expect("vm/anon_kernel_reads",
		     rt_syscall6(SYS_VM_READ, 0, (uint64_t)a + 7 * PAGE,
				 (uint64_t)&word, sizeof(word), 0, 0),
		     (int64_t)sizeof(word));
	ktest_expect("vm/anon_kernel_read_value", (int64_t)word, 99);
	ktest_expect("vm/anon_exec_granted",
		     vm_protect((uint64_t)a, PAGE, VM_READ | VM_EXEC), 0);
	ktest_expect("vm/anon_with_offset",
		     vm_map(0, PAGE, PAGE, 0, VM_READ), -ERR_INVALID);
	ktest_expect("vm/anon_fixed_overlap",
		     vm_map(0, 0, PAGE, (uint64_t)a, VM_READ | VM_FIXED),
		     -ERR_EXISTS);
	ktest_expect("vm/anon_none_at_map",
		     vm_unmap((uint64_t)a, 8 * PAGE), 0);
	a = vm_map(0, 0, PAGE, (uint64_t)a, VM_FIXED);
	ktest_check("vm/anon_map_none", a > 0, "refused");
	ktest_expect("vm/anon_unmap", vm_unmap((uint64_t)a, PAGE), 0);
}

int main(void)
{
	test_basic();
	test_anon();
	test_hostile();
	rt_printf("vm_test: %d failed", ktest_failures());
	return ktest_failures();
}
