/*
 * Memory objects: pages that can be mapped into address spaces. For now
 * anonymous ones, whose pages are allocated zeroed on first touch (the
 * page-fault path asks vmo_get_page). The object owns its frames; the
 * address spaces that map it mark those entries PTE_SHARED and hold a
 * reference through their region. Physical, DMA and copy-on-write
 * objects come with drivers and fork. Anonymous objects can be resized;
 * the others have a fixed size (their pages are one physical range).
 */
#pragma once

#include <stdint.h>

#include <keel/error.h>
#include <mm/addr.h>
#include <object/kobject.h>
#include <base/list.h>
#include <sync/mutex.h>
#include <sync/spinlock.h>

#define VMO_MAX_PAGES (1ul << 24) /* 64 GiB */

enum vmo_kind {
	VMO_ANON,	/* demand-zero pages, owned */
	VMO_CONTIG,	/* one physically contiguous block, owned (DMA) */
	VMO_PHYS,	/* a physical range outside RAM (device memory) */
};

struct vmo {
	struct kobject obj;
	enum vmo_kind kind;
	struct spinlock lock;	/* pages, frames, committed, mappings */
	struct mutex resize;	/* one resize at a time */
	uint64_t pages;
	paddr_t *frames;	/* VMO_ANON: 0 = not allocated yet */
	struct list_node mappings; /* vm_regions mapping it (vm.h) */
	uint64_t committed;	/* VMO_ANON: frames allocated */
	paddr_t base;		/* VMO_CONTIG, VMO_PHYS */
	unsigned order;		/* VMO_CONTIG: the buddy block's order */
	uint64_t cache_bits;	/* PTE cache bits for mappings */
};

/* Creates an anonymous object of @pages pages (one reference). */
err_t vmo_create_anon(uint64_t pages, struct vmo **out);
/* Creates a physically contiguous, zeroed object of @pages pages (for DMA;
 * rounded up to a power of two internally, at most 4 MiB). */
err_t vmo_create_contig(uint64_t pages, struct vmo **out);
/* Creates an object for physical memory [@base, @base + @pages pages)
 * with cache bits @cache_bits, whose frames it never frees: device memory
 * (SYS_MEMORY_CREATE_PHYS refuses RAM before calling this), or RAM the
 * kernel keeps reserved for good (the initrd). */
err_t vmo_create_phys(paddr_t base, uint64_t pages, uint64_t cache_bits,
		      struct vmo **out);
/* Resizes anonymous object @vmo to @pages pages: new pages are demand-
 * zero; pages past a smaller end are unmapped from every mapping and
 * freed. Thread context. ERR_NOT_SUPPORTED (not anonymous), ERR_INVALID,
 * ERR_NO_MEMORY. */
err_t vmo_resize(struct vmo *vmo, uint64_t pages);
/* The frame of page @index, allocating a zeroed one on first use.
 * ERR_RANGE, ERR_NO_MEMORY. */
err_t vmo_get_page(struct vmo *vmo, uint64_t index, paddr_t *out);
