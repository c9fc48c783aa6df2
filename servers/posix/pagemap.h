/*
 * A sparse map from page index to page, for the data of in-memory files
 * (tmpfs): a radix tree of 64-way nodes that grows in height as larger
 * indices are stored, so a file written at 1 TiB after a seek holds one
 * page and a few nodes, not the gap. Absent pages are holes (read as
 * zeros by the file system).
 *
 * Pages are opaque to the map: the caller allocates them and frees them
 * through the callback truncate and fini take. Nodes are freed as soon as
 * they are empty. No locking: callers serialise.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PAGEMAP_BITS 6
#define PAGEMAP_FANOUT (1u << PAGEMAP_BITS)
/* Indices must be below 2^PAGEMAP_INDEX_BITS (9 levels). */
#define PAGEMAP_INDEX_BITS 54
#define PAGEMAP_MAX_HEIGHT (PAGEMAP_INDEX_BITS / PAGEMAP_BITS)

struct pagemap {
	void *root;		/* the top node, NULL when empty */
	unsigned height;	/* levels of nodes above the pages */
	uint64_t count;		/* pages held */
};

typedef void (*pagemap_free_fn)(void *page, void *ctx);

void pagemap_init(struct pagemap *pm);
/* The page at @index, or NULL (a hole). */
void *pagemap_get(const struct pagemap *pm, uint64_t index);
/* Stores @page at @index, which must be a hole. 0, -LINUX_ENOMEM or
 * -LINUX_EFBIG (index too large), with nothing changed. */
int pagemap_set(struct pagemap *pm, uint64_t index, void *page);
/* Frees (through @fn) every page at @first or above; returns how many. */
uint64_t pagemap_truncate(struct pagemap *pm, uint64_t first,
			  pagemap_free_fn fn, void *ctx);
/* The smallest index >= @from holding a page, in *@index; false if none. */
bool pagemap_next(const struct pagemap *pm, uint64_t from, uint64_t *index);
/* Frees every page and node. */
void pagemap_fini(struct pagemap *pm, pagemap_free_fn fn, void *ctx);
