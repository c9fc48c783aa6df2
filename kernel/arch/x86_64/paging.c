/*
 * Page tables (see paging.h). Table pages come from pmm_alloc_page, which
 * before pmm_init is a bump allocator below 1 GiB; such pages are reached
 * through the boot mapping of the kernel image window until the direct
 * map exists (table_virt).
 *
 * Locking: kernel-half changes (MMIO mappings) take paging_kernel_lock;
 * user-half changes are serialised by the owner of the address space.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/paging.h>
#include <base/string.h>
#include <log/log.h>
#include <mm/pmm.h>
#include <smp/smp.h>
#include <sync/spinlock.h>

#define LOG_SUBSYS "paging"

extern uint64_t boot_pml4[512];
extern uint64_t boot_pdpt_high[512];

static bool direct_map_ready;
static bool nx_supported;
static struct spinlock paging_kernel_lock = SPINLOCK_INIT;

static uint64_t *table_virt(paddr_t pa)
{
	if (!direct_map_ready) {
		return (uint64_t *)(pa + KERNEL_VMA);
	}
	return phys_to_virt(pa);
}

paddr_t paging_kernel_root(void)
{
	return virt_to_phys(boot_pml4);
}

static unsigned pt_index(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

/* Returns the table that entry @idx of @table points to, creating it when
 * @create. NULL if absent (or a large page is there). */
static uint64_t *pt_next(uint64_t *table, unsigned idx, bool create,
			 uint64_t flags)
{
	uint64_t e = table[idx];
	paddr_t pa;

	if (e & PTE_PRESENT) {
		if (e & PTE_LARGE) {
			return NULL;
		}
		return table_virt(e & PTE_ADDR_MASK);
	}
	if (!create || pmm_alloc_page(&pa) != ERR_OK) {
		return NULL;
	}
	table[idx] = pa | flags;
	return table_virt(pa);
}

uint64_t paging_cache_bits(enum paging_cache cache)
{
	/* PAT as programmed by paging_init_cpu: 0 WB, 1 WC, 3 UC. */
	switch (cache) {
	case PAGING_CACHE_WC:
		return PTE_PWT;
	case PAGING_CACHE_UC:
		return PTE_PCD | PTE_PWT;
	default:
		return 0;
	}
}

void paging_init_cpu(void)
{
	uint32_t a, b, c, d;
	/* PAT0 WB, PAT1 WC, PAT2 UC-, PAT3 UC, and the same again. */
	uint64_t pat = 0x0007010600070106ul;

	cpu_cpuid(0x80000001, 0, &a, &b, &c, &d);
	nx_supported = d & (1u << 20);
	if (nx_supported) {
		cpu_wrmsr(MSR_EFER, cpu_rdmsr(MSR_EFER) | EFER_NXE);
	}
	cpu_wrmsr(MSR_PAT, pat);
	cpu_write_cr4(cpu_read_cr4() | CR4_PGE);
	/* SMEP: the kernel never executes user pages. (SMAP would need
	 * stac/clac around uaccess_copy; not yet.) */
	cpu_cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 7) {
		cpu_cpuid(7, 0, &a, &b, &c, &d);
		if (b & (1u << 7)) {
			cpu_write_cr4(cpu_read_cr4() | CR4_SMEP);
		}
	}
}

void paging_init(void)
{
	uint64_t *pml4 = boot_pml4;
	paddr_t top = ALIGN_UP(pmm_ram_top(), LARGE_PAGE_SIZE);
	/* Cover the first 4 GiB too: ACPI tables and firmware data live in
	 * reserved RAM below the PCI hole; MMIO there is remapped UC. */
	paddr_t end = top > 0x100000000ul ? top : 0x100000000ul;

	paging_init_cpu();
	/* Pre-allocate every kernel-half PDPT (see paging.h). */
	for (unsigned i = 256; i < 511; i++) {
		paddr_t pa;

		if (pmm_alloc_page(&pa) != ERR_OK) {
			panic("no memory for kernel page tables");
		}
		pml4[i] = pa | PTE_PRESENT | PTE_WRITE;
	}
	for (paddr_t pa = 0; pa < end; pa += LARGE_PAGE_SIZE) {
		uint64_t va = DIRECT_MAP_BASE + pa;
		uint64_t *pdpt = table_virt(pml4[pt_index(va, 3)] &
					    PTE_ADDR_MASK);
		uint64_t *pd = pt_next(pdpt, pt_index(va, 2), true,
				       PTE_PRESENT | PTE_WRITE);

		if (!pd) {
			panic("no memory for the direct map");
		}
		pd[pt_index(va, 1)] = pa | PTE_PRESENT | PTE_WRITE |
				      PTE_LARGE | PTE_GLOBAL |
				      (nx_supported ? PTE_NX : 0);
	}
	cpu_write_cr3(cpu_read_cr3());
	direct_map_ready = true;
	/* The identity map of the boot is no longer needed by the boot CPU;
	 * the AP trampoline uses its own PML4. */
	pml4[0] = 0;
	cpu_write_cr3(cpu_read_cr3());
	LOG("direct map: %lu MiB", end >> 20);
}

void *paging_map_phys(paddr_t pa, size_t size, enum paging_cache cache)
{
	paddr_t first = ALIGN_DOWN(pa, PAGE_SIZE);
	paddr_t last = ALIGN_UP(pa + size, PAGE_SIZE);
	uint64_t want = paging_cache_bits(cache);
	void *result = phys_to_virt(pa);
	bool need_flush = false;

	if (size == 0 || last < first || last > DIRECT_MAP_SIZE) {
		return NULL;
	}
	spin_lock(&paging_kernel_lock);
	for (paddr_t p = first; p < last; p += PAGE_SIZE) {
		uint64_t va = DIRECT_MAP_BASE + p;
		uint64_t *pdpt = table_virt(boot_pml4[pt_index(va, 3)] &
					    PTE_ADDR_MASK);
		uint64_t *pd = pt_next(pdpt, pt_index(va, 2), true,
				       PTE_PRESENT | PTE_WRITE);
		uint64_t *pde, *pt;
		uint64_t leaf = PTE_PRESENT | PTE_WRITE | PTE_GLOBAL | want |
				(nx_supported ? PTE_NX : 0);

		if (!pd) {
			result = NULL;
			break;
		}
		pde = &pd[pt_index(va, 1)];
		if ((*pde & PTE_PRESENT) && (*pde & PTE_LARGE)) {
			paddr_t base = *pde & PTE_ADDR_MASK & ~(LARGE_PAGE_SIZE - 1);
			uint64_t attrs = *pde & ~PTE_ADDR_MASK & ~PTE_LARGE;
			paddr_t pt_pa;

			if ((*pde & (PTE_PCD | PTE_PWT)) == want) {
				continue; /* already mapped this way */
			}
			if (pmm_alloc_page(&pt_pa) != ERR_OK) {
				result = NULL;
				break;
			}
			pt = table_virt(pt_pa);
			for (unsigned i = 0; i < 512; i++) {
				pt[i] = (base + i * PAGE_SIZE) | attrs;
			}
			*pde = pt_pa | PTE_PRESENT | PTE_WRITE;
			need_flush = true;
		}
		pt = pt_next(pd, pt_index(va, 1), true, PTE_PRESENT | PTE_WRITE);
		if (!pt) {
			result = NULL;
			break;
		}
		if (pt[pt_index(va, 0)] != (p | leaf)) {
			bool was_present = pt[pt_index(va, 0)] & PTE_PRESENT;

			pt[pt_index(va, 0)] = p | leaf;
			need_flush |= was_present;
		}
	}
	spin_unlock(&paging_kernel_lock);
	/* Outside the lock: a shootdown waits for every CPU. Before SMP
	 * start only this CPU exists and the flush is local. */
	if (need_flush) {
		smp_tlb_flush_all();
	}
	return result;
}

err_t paging_create_root(paddr_t *root)
{
	paddr_t pa;
	uint64_t *pml4;
	err_t err = pmm_alloc_page(&pa);

	if (err) {
		return err;
	}
	pml4 = phys_to_virt(pa);
	for (unsigned i = 256; i < 512; i++) {
		pml4[i] = boot_pml4[i];
	}
	*root = pa;
	return ERR_OK;
}

static void free_table(paddr_t pa, int level)
{
	uint64_t *t = phys_to_virt(pa);

	if (level > 0) {
		for (unsigned i = 0; i < 512; i++) {
			if ((t[i] & PTE_PRESENT) && !(t[i] & PTE_LARGE)) {
				free_table(t[i] & PTE_ADDR_MASK, level - 1);
			}
		}
	}
	pmm_free(pa, 0);
}

void paging_destroy_root(paddr_t root)
{
	uint64_t *pml4 = phys_to_virt(root);

	for (unsigned i = 0; i < 256; i++) {
		if (pml4[i] & PTE_PRESENT) {
			free_table(pml4[i] & PTE_ADDR_MASK, 2);
		}
	}
	pmm_free(root, 0);
}

static bool is_user_page(uint64_t va)
{
	return va < USER_TOP && (va & (PAGE_SIZE - 1)) == 0;
}

/* Walks to the last-level table for @va; NULL when absent. */
static uint64_t *walk(paddr_t root, uint64_t va, bool create)
{
	uint64_t *t = phys_to_virt(root);
	uint64_t flags = PTE_PRESENT | PTE_WRITE | PTE_USER;

	for (int level = 3; level > 0 && t; level--) {
		t = pt_next(t, pt_index(va, level), create, flags);
	}
	return t;
}

err_t paging_map(paddr_t root, uint64_t va, paddr_t pa, uint64_t flags)
{
	uint64_t *pt;

	if (!is_user_page(va) || (pa & (PAGE_SIZE - 1))) {
		return ERR_INVALID;
	}
	if (!nx_supported) {
		flags &= ~PTE_NX;
	}
	pt = walk(root, va, true);
	if (!pt) {
		return ERR_NO_MEMORY;
	}
	if (pt[pt_index(va, 0)] & PTE_PRESENT) {
		return ERR_EXISTS;
	}
	pt[pt_index(va, 0)] = pa | flags | PTE_PRESENT;
	return ERR_OK;
}

err_t paging_unmap(paddr_t root, uint64_t va, paddr_t *pa)
{
	uint64_t *pt;

	if (!is_user_page(va)) {
		return ERR_INVALID;
	}
	pt = walk(root, va, false);
	if (!pt || !(pt[pt_index(va, 0)] & PTE_PRESENT)) {
		return ERR_NOT_FOUND;
	}
	*pa = pt[pt_index(va, 0)] & PTE_ADDR_MASK;
	pt[pt_index(va, 0)] = 0;
	return ERR_OK;
}

err_t paging_query(paddr_t root, uint64_t va, uint64_t *pte)
{
	uint64_t *pt;

	if (va >= USER_TOP) {
		return ERR_INVALID;
	}
	pt = walk(root, ALIGN_DOWN(va, PAGE_SIZE), false);
	if (!pt || !(pt[pt_index(va, 0)] & PTE_PRESENT)) {
		return ERR_NOT_FOUND;
	}
	*pte = pt[pt_index(va, 0)];
	return ERR_OK;
}

void paging_switch(paddr_t root)
{
	if (cpu_read_cr3() != root) {
		cpu_write_cr3(root);
	}
}
