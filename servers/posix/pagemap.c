/*
 * Sparse page map (see pagemap.h). A tree of height h (>= 1 when not
 * empty) covers indices below 64^h; level-1 nodes hold the pages. Each
 * node counts its used slots so that emptied nodes are freed on the way
 * back up from a truncation, and the tree shrinks back when only its
 * first slot is left.
 *
 * A store first works out how many nodes it needs (new levels on top,
 * missing ones on the path down), allocates them all, and only then
 * links anything: out of memory leaves the map untouched.
 */
#include "pagemap.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <linux_abi/errno.h>

struct pagemap_node {
	void *slot[PAGEMAP_FANOUT];
	unsigned used;
};

/* Number of indices a subtree of @height covers (height 0: one page). */
static uint64_t span(unsigned height)
{
	return (uint64_t)1 << (height * PAGEMAP_BITS);
}

/* The slot of @index in a node at level @height (>= 1). */
static unsigned slot_of(uint64_t index, unsigned height)
{
	return (unsigned)(index >> ((height - 1) * PAGEMAP_BITS)) &
	       (PAGEMAP_FANOUT - 1);
}

void pagemap_init(struct pagemap *pm)
{
	pm->root = NULL;
	pm->height = 0;
	pm->count = 0;
}

void *pagemap_get(const struct pagemap *pm, uint64_t index)
{
	void *p = pm->root;

	if (!p || index >= span(pm->height)) {
		return NULL;
	}
	for (unsigned h = pm->height; h > 0 && p; h--) {
		p = ((struct pagemap_node *)p)->slot[slot_of(index, h)];
	}
	return p;
}

/*
 * How many nodes storing at @index in a tree grown to height @height
 * lacks on its path, not counting the @height - pm->height new levels
 * on top (which lead down through their slot 0).
 */
static unsigned missing_on_path(const struct pagemap *pm, uint64_t index,
				unsigned height)
{
	bool on_new_level = height > pm->height;
	void *p = pm->root;

	if (!pm->root) {
		return height;
	}
	for (unsigned h = height; h > 1; h--) {
		unsigned s = slot_of(index, h);

		if (on_new_level) {
			if (s != 0) {
				return h - 1;
			}
			if (h - 1 == pm->height) {
				on_new_level = false;	/* the old root */
			}
		} else {
			p = ((struct pagemap_node *)p)->slot[s];
			if (!p) {
				return h - 1;
			}
		}
	}
	return 0;
}

int pagemap_set(struct pagemap *pm, uint64_t index, void *page)
{
	struct pagemap_node *spare[2 * PAGEMAP_MAX_HEIGHT] = { 0 };
	unsigned height = pm->root ? pm->height : 1;
	unsigned grow, need, used = 0;
	struct pagemap_node *n;

	if (index >> PAGEMAP_INDEX_BITS) {
		return -LINUX_EFBIG;
	}
	while (index >= span(height)) {
		height++;
	}
	grow = pm->root ? height - pm->height : 0;
	need = grow + missing_on_path(pm, index, height);
	for (unsigned i = 0; i < need; i++) {
		spare[i] = calloc(1, sizeof(struct pagemap_node));
		if (!spare[i]) {
			while (i > 0) {
				free(spare[--i]);
			}
			return -LINUX_ENOMEM;
		}
	}
	for (unsigned i = 0; i < grow; i++) {
		n = spare[used++];
		n->slot[0] = pm->root;
		n->used = 1;
		pm->root = n;
	}
	if (!pm->root) {
		pm->root = spare[used++];
	}
	pm->height = height;
	n = pm->root;
	for (unsigned h = height; h > 1; h--) {
		void **slot = &n->slot[slot_of(index, h)];

		if (!*slot) {
			*slot = spare[used++];
			n->used++;
		}
		n = *slot;
	}
	n->slot[slot_of(index, 1)] = page;
	n->used++;
	pm->count++;
	return 0;
}

/* Frees the pages at @first or above under @n (level @h, first index
 * @base); returns how many. */
static uint64_t trunc_node(struct pagemap_node *n, unsigned h, uint64_t base,
			   uint64_t first, pagemap_free_fn fn, void *ctx)
{
	uint64_t child_span = span(h - 1), removed = 0;

	for (unsigned i = 0; i < PAGEMAP_FANOUT; i++) {
		uint64_t cbase = base + i * child_span;
		struct pagemap_node *c = n->slot[i];

		if (!c || cbase + child_span <= first) {
			continue;
		}
		if (h == 1) {
			fn(n->slot[i], ctx);
			removed++;
		} else {
			removed += trunc_node(c, h - 1, cbase, first, fn, ctx);
			if (c->used > 0) {
				continue;
			}
			free(c);
		}
		n->slot[i] = NULL;
		n->used--;
	}
	return removed;
}

uint64_t pagemap_truncate(struct pagemap *pm, uint64_t first,
			  pagemap_free_fn fn, void *ctx)
{
	uint64_t removed;

	if (!pm->root || first >= span(pm->height)) {
		return 0;
	}
	removed = trunc_node(pm->root, pm->height, 0, first, fn, ctx);
	pm->count -= removed;
	/* Drop levels that only lead to slot 0. */
	while (pm->root) {
		struct pagemap_node *r = pm->root;

		if (r->used == 0) {
			free(r);
			pm->root = NULL;
			pm->height = 0;
		} else if (pm->height > 1 && r->used == 1 && r->slot[0]) {
			pm->root = r->slot[0];
			pm->height--;
			free(r);
		} else {
			break;
		}
	}
	return removed;
}

static bool next_in(const struct pagemap_node *n, unsigned h, uint64_t base,
		    uint64_t from, uint64_t *index)
{
	uint64_t child_span = span(h - 1);

	for (unsigned i = 0; i < PAGEMAP_FANOUT; i++) {
		uint64_t cbase = base + i * child_span;

		if (!n->slot[i] || cbase + child_span <= from) {
			continue;
		}
		if (h == 1) {
			*index = cbase;
			return true;
		}
		if (next_in(n->slot[i], h - 1, cbase, from, index)) {
			return true;
		}
	}
	return false;
}

bool pagemap_next(const struct pagemap *pm, uint64_t from, uint64_t *index)
{
	if (!pm->root) {
		return false;
	}
	return next_in(pm->root, pm->height, 0, from, index);
}

void pagemap_fini(struct pagemap *pm, pagemap_free_fn fn, void *ctx)
{
	pagemap_truncate(pm, 0, fn, ctx);
}
