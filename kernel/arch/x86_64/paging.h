/*
 * x86_64 4-level page tables. The kernel half (PML4 entries 256..511) is
 * shared by every address space: its PDPTs are all allocated at boot, so
 * a mapping added there later is seen everywhere without copying. The
 * direct map covers all RAM with 2 MiB pages; device memory is mapped
 * into the same window on demand with 4 KiB pages of the right cache type
 * (splitting a 2 MiB page where needed).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/error.h>
#include <mm/addr.h>

#define PTE_PRESENT (1ul << 0)
#define PTE_WRITE (1ul << 1)
#define PTE_USER (1ul << 2)
#define PTE_PWT (1ul << 3)
#define PTE_PCD (1ul << 4)
#define PTE_ACCESSED (1ul << 5)
#define PTE_DIRTY (1ul << 6)
#define PTE_LARGE (1ul << 7)
#define PTE_GLOBAL (1ul << 8)
#define PTE_SHARED (1ul << 9) /* software: frame owned by a kernel object,
			       * not by the address space */
#define PTE_COW (1ul << 10)   /* software: writable once copied */
#define PTE_NX (1ul << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ul

enum paging_cache {
	PAGING_CACHE_WB,	/* normal memory */
	PAGING_CACHE_WC,	/* framebuffers */
	PAGING_CACHE_UC,	/* device registers */
};

/* Builds the kernel's page tables (direct map of all RAM) and switches to
 * them; drops the boot identity map. Boot CPU, once. */
void paging_init(void);
/* Per-CPU setup: PAT, NX, global pages. Every CPU. */
void paging_init_cpu(void);
/* Physical address of the kernel's PML4. */
paddr_t paging_kernel_root(void);
/* Returns a kernel pointer to physical range [@pa, @pa + @size) mapped
 * with @cache, mapping it into the direct-map window if needed. NULL if
 * out of the window or out of memory. */
void *paging_map_phys(paddr_t pa, size_t size, enum paging_cache cache);

/* The PTE bits (PWT/PCD, with the PAT set up by paging_init_cpu) that
 * give @cache. */
uint64_t paging_cache_bits(enum paging_cache cache);
/* Creates an address space root sharing the kernel half. */
err_t paging_create_root(paddr_t *root);
/* Frees the user half's tables of @root and @root itself; the frames
 * mapped in it are the caller's business. */
void paging_destroy_root(paddr_t root);
/* Maps one 4 KiB page @va -> @pa in @root with PTE_* @flags. ERR_EXISTS if
 * something is mapped there, ERR_INVALID for a kernel-half or unaligned
 * address, ERR_NO_MEMORY. */
err_t paging_map(paddr_t root, uint64_t va, paddr_t pa, uint64_t flags);
/* Unmaps the page at @va; returns the frame in @pa (ERR_NOT_FOUND if none).
 * The caller flushes TLBs. */
err_t paging_unmap(paddr_t root, uint64_t va, paddr_t *pa);
/* Reads the leaf entry for @va (4 KiB granularity). */
err_t paging_query(paddr_t root, uint64_t va, uint64_t *pte);
/* Loads @root into CR3 if it is not already there. */
void paging_switch(paddr_t root);
