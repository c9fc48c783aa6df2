/*
 * Binary buddy allocator of 4 KiB page frames over one contiguous range of
 * page frame numbers (a zone), with one caller-provided descriptor per
 * frame. Blocks are 2^order frames, order 0 .. BUDDY_MAX_ORDER - 1, and
 * always aligned to their size in absolute pfns (so a zone whose base is
 * not aligned still hands out naturally aligned blocks, and 2 MiB-capable
 * blocks really are 2 MiB aligned in physical memory).
 *
 * Every frame is in exactly one of three states: reserved (never handed
 * over, or a hole), the head of a block (free or allocated, with its
 * order), or a tail frame inside such a block. Only block heads carry
 * BUDDY_FRAME_FREE or BUDDY_FRAME_ALLOCATED; that is what lets buddy_free
 * refuse double frees, frees of tails or of the wrong order in O(1).
 *
 * Pure code: no locks, no globals; the caller serialises every call on a
 * zone (the kernel wraps it in mm/pmm.c).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <base/list.h>
#include <keel/error.h>

#define BUDDY_MAX_ORDER 11 /* orders 0..10: blocks up to 4 MiB */

/* Frame flags. */
#define BUDDY_FRAME_RESERVED 0x01  /* not managed: hole or never handed over */
#define BUDDY_FRAME_FREE 0x02      /* head of a free block (on a free list) */
#define BUDDY_FRAME_ALLOCATED 0x04 /* head of an allocated block */

/*
 * One per page frame. The buddy code owns node, order and flags; refcount
 * and spare are left for the kernel's page descriptor (set to 0 by
 * buddy_init and never touched again).
 */
struct buddy_frame {
	struct list_node node; /* free-list link, only for free block heads */
	uint8_t order;         /* block order, meaningful in block heads */
	uint8_t flags;         /* BUDDY_FRAME_* */
	uint16_t spare;
	uint32_t refcount;
};

_Static_assert(sizeof(struct buddy_frame) <= 24, "buddy_frame too large");

struct buddy_zone {
	uint64_t base_pfn; /* first frame of the zone */
	uint64_t npages;   /* frames in the zone (reserved ones included) */
	struct buddy_frame *frames; /* npages descriptors, frames[pfn - base] */
	struct list_node free_lists[BUDDY_MAX_ORDER];
	uint64_t free_pages;    /* frames in free blocks */
	uint64_t managed_pages; /* frames ever handed over (not reserved) */
};

/* Sets up @zone over @npages frames from @base_pfn, using @frames
 * (npages descriptors, contents ignored); every frame starts reserved. */
void buddy_init(struct buddy_zone *zone, uint64_t base_pfn, uint64_t npages,
		struct buddy_frame *frames);

/* Hands the frames [@pfn, @pfn + @count) over to the allocator as free
 * memory, merged into the largest aligned blocks. The part outside the
 * zone and frames that are not reserved any more are ignored. */
void buddy_add_free_range(struct buddy_zone *zone, uint64_t pfn,
			  uint64_t count);

/* Allocates a block of 2^@order frames into *@pfn. ERR_INVALID for an
 * order of BUDDY_MAX_ORDER or more, ERR_NO_MEMORY when no block is free. */
err_t buddy_alloc(struct buddy_zone *zone, unsigned order, uint64_t *pfn);

/* Frees the block of 2^@order frames at @pfn from buddy_alloc, merging it
 * with its free buddies. ERR_INVALID (and nothing changes) if @pfn is not
 * the head of an allocated block of exactly that order: out of the zone,
 * reserved, misaligned, already free, a tail frame, or the wrong order. */
err_t buddy_free(struct buddy_zone *zone, uint64_t pfn, unsigned order);

/* Returns the number of free frames in @zone. */
uint64_t buddy_free_pages(const struct buddy_zone *zone);

/* Walks the whole zone and its free lists; returns true when they are
 * consistent (counts match, blocks aligned and disjoint, every free block
 * on the right list, no free block with a free buddy of the same order). */
bool buddy_check(const struct buddy_zone *zone);

/* Returns the descriptor of @pfn, or NULL if it is outside @zone. */
static inline struct buddy_frame *buddy_frame_of(const struct buddy_zone *zone,
						 uint64_t pfn)
{
	if (pfn < zone->base_pfn || pfn - zone->base_pfn >= zone->npages) {
		return NULL;
	}
	return &zone->frames[pfn - zone->base_pfn];
}
