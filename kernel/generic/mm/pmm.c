/*
 * Physical memory (see pmm.h). The frame descriptor array covers every
 * frame from 0 to the top of RAM (holes stay reserved); it lives in RAM
 * taken from the early bump allocator. Unknown memory-map types are
 * treated as reserved.
 */
#include <base/string.h>
#include <boot/multiboot2.h>
#include <log/log.h>
#include <mm/buddy.h>
#include <mm/pmm.h>
#include <sync/spinlock.h>

#define LOG_SUBSYS "pmm"
#define PMM_MAX_RESERVED 32
#define PMM_MAX_RAM 64
#define LOW_LIMIT 0x100000ul
#define EARLY_LIMIT 0x40000000ul /* reachable through the boot mapping */

struct pmm_range {
	paddr_t start, end;
};

extern char kernel_phys_start[], kernel_phys_end[];

static struct pmm_range ram[PMM_MAX_RAM];
static unsigned ram_count;
static struct pmm_range reserved[PMM_MAX_RESERVED];
static unsigned reserved_count;

static paddr_t early_next;	/* next page the bump allocator looks at */
static unsigned early_region;
static paddr_t early_start[PMM_MAX_RAM], early_end[PMM_MAX_RAM];
static paddr_t low_pages;
static bool pmm_ready;

static struct buddy_zone zone;
static struct spinlock pmm_lock = SPINLOCK_INIT;
static uint64_t total_pages;

static void reserve(paddr_t start, paddr_t end)
{
	if (reserved_count == PMM_MAX_RESERVED) {
		panic("pmm: too many reserved ranges");
	}
	reserved[reserved_count++] =
		(struct pmm_range){ ALIGN_DOWN(start, PAGE_SIZE),
				    ALIGN_UP(end, PAGE_SIZE) };
}

static bool is_reserved(paddr_t start, paddr_t end)
{
	for (unsigned i = 0; i < reserved_count; i++) {
		if (start < reserved[i].end && reserved[i].start < end) {
			return true;
		}
	}
	return false;
}

void pmm_early_init(const struct mb2_info *info, paddr_t info_phys)
{
	for (unsigned i = 0; i < info->mmap_count; i++) {
		const struct mb2_mmap_entry *e = &info->mmap[i];
		paddr_t start = ALIGN_UP(e->base, PAGE_SIZE);
		paddr_t end = ALIGN_DOWN(e->base + e->length, PAGE_SIZE);

		if (e->type != MB2_MMAP_AVAILABLE || end <= start) {
			continue;
		}
		if (ram_count == PMM_MAX_RAM) {
			LOG("memory map: ignoring range %#lx-%#lx", start, end);
			continue;
		}
		ram[ram_count++] = (struct pmm_range){ start, end };
	}
	if (ram_count == 0) {
		panic("no usable RAM in the memory map");
	}
	reserve((paddr_t)kernel_phys_start, (paddr_t)kernel_phys_end);
	reserve(info_phys, info_phys + info->total_size);
	for (unsigned i = 0; i < info->module_count; i++) {
		reserve(info->modules[i].start, info->modules[i].end);
	}
	/* Two free pages below 1 MiB for the AP trampoline (real mode). */
	for (unsigned i = 0; i < ram_count && !low_pages; i++) {
		for (paddr_t p = ALIGN_UP(ram[i].start, PAGE_SIZE);
		     p + 2 * PAGE_SIZE <= ram[i].end && p + 2 * PAGE_SIZE <=
		     LOW_LIMIT; p += PAGE_SIZE) {
			if (p >= 0x1000 && !is_reserved(p, p + 2 * PAGE_SIZE)) {
				low_pages = p;
				break;
			}
		}
	}
	/* Everything else below 1 MiB stays out of the allocator: firmware
	 * and boot loaders keep things there that the map does not say. */
	reserve(0, LOW_LIMIT);
	early_next = ram[0].start;
}

static err_t early_alloc_page(paddr_t *out)
{
	while (early_region < ram_count) {
		struct pmm_range *r = &ram[early_region];
		paddr_t p = early_next < r->start ? r->start : early_next;

		for (; p + PAGE_SIZE <= r->end && p + PAGE_SIZE <= EARLY_LIMIT;
		     p += PAGE_SIZE) {
			if (is_reserved(p, p + PAGE_SIZE)) {
				continue;
			}
			if (!early_start[early_region]) {
				early_start[early_region] = p;
			}
			early_end[early_region] = p + PAGE_SIZE;
			early_next = p + PAGE_SIZE;
			/* Below 1 GiB the boot mapping reaches it. */
			memset((void *)(p + KERNEL_VMA), 0, PAGE_SIZE);
			*out = p;
			return ERR_OK;
		}
		early_region++;
	}
	return ERR_NO_MEMORY;
}

bool pmm_range_has_ram(paddr_t start, uint64_t size)
{
	for (unsigned i = 0; i < ram_count; i++) {
		if (start < ram[i].end && ram[i].start < start + size) {
			return true;
		}
	}
	return false;
}

paddr_t pmm_ram_top(void)
{
	paddr_t top = 0;

	for (unsigned i = 0; i < ram_count; i++) {
		if (ram[i].end > top) {
			top = ram[i].end;
		}
	}
	return top;
}

void pmm_init(void)
{
	uint64_t npages = pmm_ram_top() / PAGE_SIZE;
	uint64_t array_pages =
		ALIGN_UP(npages * sizeof(struct buddy_frame), PAGE_SIZE) /
		PAGE_SIZE;
	paddr_t array = 0;

	/* The frame array: a contiguous run of RAM that nothing uses. */
	for (unsigned i = 0; i < ram_count && !array; i++) {
		paddr_t p = ALIGN_UP(ram[i].start, PAGE_SIZE);

		for (; p + array_pages * PAGE_SIZE <= ram[i].end;
		     p += PAGE_SIZE) {
			paddr_t end = p + array_pages * PAGE_SIZE;
			bool used = is_reserved(p, end);

			for (unsigned j = 0; j < ram_count && !used; j++) {
				used = early_start[j] && p < early_end[j] &&
				       early_start[j] < end;
			}
			if (!used) {
				array = p;
				break;
			}
		}
	}
	if (!array) {
		panic("no room for %lu frame descriptors", npages);
	}
	reserve(array, array + array_pages * PAGE_SIZE);
	for (unsigned j = 0; j < ram_count; j++) {
		if (early_start[j]) {
			reserve(early_start[j], early_end[j]);
		}
	}

	buddy_init(&zone, 0, npages, phys_to_virt(array));
	for (unsigned i = 0; i < ram_count; i++) {
		paddr_t p = ram[i].start;

		while (p < ram[i].end) {
			paddr_t q = p;

			/* The longest run from p that is not reserved. */
			while (q < ram[i].end && !is_reserved(q, q + PAGE_SIZE)) {
				q += PAGE_SIZE;
			}
			if (q > p) {
				buddy_add_free_range(&zone, p / PAGE_SIZE,
						     (q - p) / PAGE_SIZE);
				total_pages += (q - p) / PAGE_SIZE;
				p = q;
			} else {
				p += PAGE_SIZE;
			}
		}
	}
	pmm_ready = true;
	LOG("%lu MiB usable, %lu MiB free, frame array %lu KiB at %#lx",
	    total_pages >> 8, buddy_free_pages(&zone) >> 8,
	    array_pages * 4, array);
}

err_t pmm_alloc(unsigned order, paddr_t *out)
{
	uint64_t pfn;
	err_t err;

	if (!pmm_ready) {
		return order == 0 ? early_alloc_page(out) : ERR_NO_MEMORY;
	}
	spin_lock(&pmm_lock);
	err = buddy_alloc(&zone, order, &pfn);
	spin_unlock(&pmm_lock);
	if (err) {
		return err;
	}
	*out = pfn * PAGE_SIZE;
	memset(phys_to_virt(*out), 0, PAGE_SIZE << order);
	return ERR_OK;
}

err_t pmm_alloc_page(paddr_t *out)
{
	return pmm_alloc(0, out);
}

err_t pmm_free(paddr_t pa, unsigned order)
{
	err_t err;

	if (!pmm_ready || (pa & (PAGE_SIZE - 1))) {
		return ERR_INVALID;
	}
	spin_lock(&pmm_lock);
	err = buddy_free(&zone, pa / PAGE_SIZE, order);
	spin_unlock(&pmm_lock);
	return err;
}

/* The frame's refcount field counts the owners beyond the first. */
static uint32_t *share_count(paddr_t pa)
{
	struct buddy_frame *f = buddy_frame_of(&zone, pa / PAGE_SIZE);

	KASSERT(f);
	return &f->refcount;
}

void pmm_page_share(paddr_t pa)
{
	__atomic_fetch_add(share_count(pa), 1, __ATOMIC_RELAXED);
}

void pmm_page_release(paddr_t pa)
{
	uint32_t *count = share_count(pa);
	uint32_t c = __atomic_load_n(count, __ATOMIC_ACQUIRE);

	for (;;) {
		if (c == 0) {
			pmm_free(pa, 0);
			return;
		}
		if (__atomic_compare_exchange_n(count, &c, c - 1, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			return;
		}
	}
}

bool pmm_page_is_shared(paddr_t pa)
{
	return __atomic_load_n(share_count(pa), __ATOMIC_ACQUIRE) != 0;
}

uint64_t pmm_total_pages(void)
{
	return total_pages;
}

uint64_t pmm_free_pages(void)
{
	uint64_t n;

	spin_lock(&pmm_lock);
	n = buddy_free_pages(&zone);
	spin_unlock(&pmm_lock);
	return n;
}

bool pmm_check(void)
{
	bool ok;

	spin_lock(&pmm_lock);
	ok = buddy_check(&zone);
	spin_unlock(&pmm_lock);
	return ok;
}

paddr_t pmm_low_pages(void)
{
	return low_pages;
}
