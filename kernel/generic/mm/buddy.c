/*
 * Binary buddy allocator (see buddy.h for the model and the invariants).
 *
 * The buddy of the block of order o at pfn p is the block at p ^ 2^o; the
 * pfns are absolute, so alignment holds in physical memory whatever the
 * zone's base. A free block is merged with its buddy as long as the buddy
 * lies in the zone and is the head of a free block of the same order;
 * reserved frames and frames outside the zone never merge, which is how
 * holes and zone edges stop coalescing.
 *
 * Entry points: buddy_init, buddy_add_free_range, buddy_alloc, buddy_free,
 * buddy_free_pages, buddy_check. None of them locks; the caller does.
 */
#include <mm/buddy.h>

#define BLOCK_PAGES(order) ((uint64_t)1 << (order))

static uint64_t frame_pfn(const struct buddy_zone *zone,
			  const struct buddy_frame *frame)
{
	return zone->base_pfn + (uint64_t)(frame - zone->frames);
}

/* Puts the block of @order at @pfn on its free list (free_pages is the
 * caller's business). */
static void push_free(struct buddy_zone *zone, uint64_t pfn, unsigned order)
{
	struct buddy_frame *frame = &zone->frames[pfn - zone->base_pfn];

	frame->flags = BUDDY_FRAME_FREE;
	frame->order = (uint8_t)order;
	list_add_head(&zone->free_lists[order], &frame->node);
}

/*
 * Returns a block whose frames are all tails (head flags already cleared)
 * to the free lists, merging it with free buddies as far as it goes.
 */
static void release_block(struct buddy_zone *zone, uint64_t pfn,
			  unsigned order)
{
	while (order + 1 < BUDDY_MAX_ORDER) {
		uint64_t buddy_pfn = pfn ^ BLOCK_PAGES(order);
		struct buddy_frame *buddy = buddy_frame_of(zone, buddy_pfn);

		if (!buddy || buddy->flags != BUDDY_FRAME_FREE ||
		    buddy->order != order) {
			break;
		}
		/* The buddy's head becomes a tail of the merged block. */
		list_remove(&buddy->node);
		buddy->flags = 0;
		buddy->order = 0;
		pfn &= ~BLOCK_PAGES(order);
		order++;
	}
	push_free(zone, pfn, order);
}

void buddy_init(struct buddy_zone *zone, uint64_t base_pfn, uint64_t npages,
		struct buddy_frame *frames)
{
	zone->base_pfn = base_pfn;
	zone->npages = npages;
	zone->frames = frames;
	zone->free_pages = 0;
	zone->managed_pages = 0;
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		list_init(&zone->free_lists[o]);
	}
	for (uint64_t i = 0; i < npages; i++) {
		list_init(&frames[i].node);
		frames[i].order = 0;
		frames[i].flags = BUDDY_FRAME_RESERVED;
		frames[i].spare = 0;
		frames[i].refcount = 0;
	}
}

/* True if every frame of the block of @order at @pfn is still reserved. */
static bool block_is_reserved(const struct buddy_zone *zone, uint64_t pfn,
			      unsigned order)
{
	const struct buddy_frame *frame = &zone->frames[pfn - zone->base_pfn];

	for (uint64_t i = 0; i < BLOCK_PAGES(order); i++) {
		if (frame[i].flags != BUDDY_FRAME_RESERVED) {
			return false;
		}
	}
	return true;
}

void buddy_add_free_range(struct buddy_zone *zone, uint64_t pfn,
			  uint64_t count)
{
	uint64_t limit = zone->base_pfn + zone->npages;
	uint64_t end;

	/* Clip to the zone, without overflowing on huge counts. */
	if (pfn < zone->base_pfn) {
		if (count <= zone->base_pfn - pfn) {
			return;
		}
		count -= zone->base_pfn - pfn;
		pfn = zone->base_pfn;
	}
	if (pfn >= limit) {
		return;
	}
	end = count > limit - pfn ? limit : pfn + count;

	while (pfn < end) {
		unsigned order = 0;

		/* The largest aligned block that starts here and fits. */
		while (order + 1 < BUDDY_MAX_ORDER &&
		       !(pfn & (BLOCK_PAGES(order + 1) - 1)) &&
		       end - pfn >= BLOCK_PAGES(order + 1)) {
			order++;
		}
		/* Frames handed over twice are skipped, never freed again. */
		while (order > 0 && !block_is_reserved(zone, pfn, order)) {
			order--;
		}
		if (block_is_reserved(zone, pfn, order)) {
			zone->frames[pfn - zone->base_pfn].flags = 0;
			for (uint64_t i = 1; i < BLOCK_PAGES(order); i++) {
				zone->frames[pfn - zone->base_pfn + i].flags =
					0;
			}
			zone->managed_pages += BLOCK_PAGES(order);
			zone->free_pages += BLOCK_PAGES(order);
			release_block(zone, pfn, order);
		}
		pfn += BLOCK_PAGES(order);
	}
}

err_t buddy_alloc(struct buddy_zone *zone, unsigned order, uint64_t *pfn)
{
	struct buddy_frame *frame;
	struct list_node *node;
	uint64_t head;
	unsigned o = order;

	if (order >= BUDDY_MAX_ORDER) {
		return ERR_INVALID;
	}
	while (o < BUDDY_MAX_ORDER && list_is_empty(&zone->free_lists[o])) {
		o++;
	}
	if (o == BUDDY_MAX_ORDER) {
		return ERR_NO_MEMORY;
	}
	node = list_pop_head(&zone->free_lists[o]);
	frame = container_of(node, struct buddy_frame, node);
	head = frame_pfn(zone, frame);
	/* Split: the upper halves go back on the lower free lists. */
	while (o > order) {
		o--;
		push_free(zone, head + BLOCK_PAGES(o), o);
	}
	frame->flags = BUDDY_FRAME_ALLOCATED;
	frame->order = (uint8_t)order;
	zone->free_pages -= BLOCK_PAGES(order);
	*pfn = head;
	return ERR_OK;
}

err_t buddy_free(struct buddy_zone *zone, uint64_t pfn, unsigned order)
{
	struct buddy_frame *frame;
	uint64_t index;

	if (order >= BUDDY_MAX_ORDER || pfn < zone->base_pfn) {
		return ERR_INVALID;
	}
	index = pfn - zone->base_pfn;
	if (index >= zone->npages ||
	    BLOCK_PAGES(order) > zone->npages - index ||
	    (pfn & (BLOCK_PAGES(order) - 1))) {
		return ERR_INVALID;
	}
	frame = &zone->frames[index];
	if (frame->flags != BUDDY_FRAME_ALLOCATED || frame->order != order) {
		return ERR_INVALID;
	}
	frame->flags = 0;
	frame->order = 0;
	zone->free_pages += BLOCK_PAGES(order);
	release_block(zone, pfn, order);
	return ERR_OK;
}

uint64_t buddy_free_pages(const struct buddy_zone *zone)
{
	return zone->free_pages;
}

/*
 * Walks the free list of @order: every node must be a free block head of
 * that order inside the zone, and the links must agree. Adds the blocks
 * and pages found to *@blocks and *@pages. The walk is bounded, so a
 * corrupted (non-closing) list fails instead of looping forever.
 */
static bool check_free_list(const struct buddy_zone *zone, unsigned order,
			    uint64_t *blocks, uint64_t *pages)
{
	const struct list_node *head = &zone->free_lists[order];
	const struct list_node *node = head;
	uintptr_t first = (uintptr_t)zone->frames;
	uintptr_t last = first + zone->npages * sizeof(struct buddy_frame);
	uint64_t n = 0;

	for (;;) {
		const struct list_node *next = node->next;
		const struct buddy_frame *frame;
		uintptr_t addr;

		if (next != head) {
			/* Validate the node before reading through it. */
			frame = container_of(next, struct buddy_frame, node);
			addr = (uintptr_t)frame;
			if (addr < first || addr >= last ||
			    (addr - first) % sizeof(struct buddy_frame)) {
				return false;
			}
			if (frame->flags != BUDDY_FRAME_FREE ||
			    frame->order != order || ++n > zone->npages) {
				return false;
			}
		}
		if (next->prev != node) {
			return false;
		}
		if (next == head) {
			break;
		}
		node = next;
	}
	*blocks += n;
	*pages += n * BLOCK_PAGES(order);
	return true;
}

bool buddy_check(const struct buddy_zone *zone)
{
	uint64_t list_blocks = 0, list_pages = 0;
	uint64_t free_blocks = 0, free_pages = 0, managed = 0;
	uint64_t i = 0;

	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		if (!check_free_list(zone, o, &list_blocks, &list_pages)) {
			return false;
		}
	}
	/* Block by block: a head, then only tails up to its end. */
	while (i < zone->npages) {
		const struct buddy_frame *frame = &zone->frames[i];
		uint64_t pfn = zone->base_pfn + i;
		uint64_t size;

		if (frame->flags == BUDDY_FRAME_RESERVED) {
			i++;
			continue;
		}
		if ((frame->flags != BUDDY_FRAME_FREE &&
		     frame->flags != BUDDY_FRAME_ALLOCATED) ||
		    frame->order >= BUDDY_MAX_ORDER) {
			return false; /* an orphan tail or bad flags */
		}
		size = BLOCK_PAGES(frame->order);
		if ((pfn & (size - 1)) || size > zone->npages - i) {
			return false;
		}
		for (uint64_t k = 1; k < size; k++) {
			if (frame[k].flags != 0) {
				return false; /* overlapping blocks */
			}
		}
		if (frame->flags == BUDDY_FRAME_FREE) {
			const struct buddy_frame *buddy;

			if (!list_is_linked(&frame->node)) {
				return false;
			}
			buddy = buddy_frame_of(zone, pfn ^ size);
			if (frame->order + 1 < BUDDY_MAX_ORDER && buddy &&
			    buddy->flags == BUDDY_FRAME_FREE &&
			    buddy->order == frame->order) {
				return false; /* should have been merged */
			}
			free_blocks++;
			free_pages += size;
		}
		managed += size;
		i += size;
	}
	return free_blocks == list_blocks && free_pages == list_pages &&
	       free_pages == zone->free_pages &&
	       managed == zone->managed_pages;
}
