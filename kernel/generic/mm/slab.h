/*
 * Slab allocator: caches of fixed-size objects (up to SLAB_MAX_OBJ_SIZE
 * bytes) carved out of 4 KiB pages that a caller-supplied page source
 * provides. Each page (a slab) starts with a header that holds a magic
 * value, its cache and a bitmap of the objects in use; slab_free finds the
 * header by masking the object's address, which is how it refuses objects
 * of other caches, pointers into the middle of objects and double frees.
 *
 * A cache keeps its slabs on three lists (partial, full, empty) and holds
 * on to at most one empty slab; further empty slabs go back to the page
 * source at once.
 *
 * Pure code: no locks, no globals; the caller serialises every call on a
 * cache (mm/kmalloc.c holds one lock per cache). The page source callbacks
 * are called from slab_alloc and slab_free, with whatever the caller holds.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <base/list.h>
#include <keel/error.h>

#define SLAB_PAGE_SIZE 4096
#define SLAB_MAX_OBJ_SIZE 2048 /* larger objects: ERR_TOO_BIG */
#define SLAB_MIN_OBJ_SIZE 8    /* smaller ones are rounded up */

/*
 * Where slabs come from. alloc_page returns a 4 KiB-aligned page of
 * SLAB_PAGE_SIZE bytes or NULL; free_page takes back a page from
 * alloc_page. ctx is passed to both.
 */
struct slab_page_source {
	void *(*alloc_page)(void *ctx);
	void (*free_page)(void *ctx, void *page);
	void *ctx;
};

struct slab_cache {
	const char *name;
	size_t obj_size;       /* as asked for */
	size_t align;          /* every object is aligned to this */
	size_t stride;         /* distance between objects */
	size_t first_offset;   /* of object 0 from the start of its page */
	unsigned objs_per_slab; /* 0 if slab_cache_init failed */
	struct list_node partial; /* slabs with free and used objects */
	struct list_node full;    /* slabs with no free object */
	struct list_node empty;   /* at most one slab with no used object */
	size_t objs_in_use;
	size_t slabs; /* pages held, the cached empty one included */
	struct slab_page_source src;
};

struct slab_stats {
	size_t obj_size;
	size_t objs_per_slab;
	size_t objs_in_use;
	size_t slabs;       /* pages held from the page source */
	size_t empty_slabs; /* of which empty (0 or 1) */
};

/* Sets up @cache for objects of @obj_size bytes aligned to @align (a power
 * of two; 0 means 8) taking pages from @src (copied). ERR_INVALID for a
 * zero size, a bad alignment or a missing callback; ERR_TOO_BIG when the
 * object is over SLAB_MAX_OBJ_SIZE or does not fit in a slab. On error
 * the cache is left unusable: slab_alloc refuses with ERR_INVALID. */
err_t slab_cache_init(struct slab_cache *cache, const char *name,
		      size_t obj_size, size_t align,
		      const struct slab_page_source *src);

/* Gives the cached empty slab back; ERR_BUSY (and nothing changes) while
 * objects are still allocated. */
err_t slab_cache_fini(struct slab_cache *cache);

/* Allocates one object (contents undefined) into *@obj. ERR_NO_MEMORY if
 * the page source has no page, ERR_INVALID for a cache that failed init
 * or a page source that returned a misaligned page. */
err_t slab_alloc(struct slab_cache *cache, void **obj);

/* Frees @obj from slab_alloc on @cache. ERR_INVALID (and nothing changes)
 * for NULL, a pointer whose page is not a slab of @cache, a pointer that
 * is not the start of an object, or an object that is not allocated. The
 * 4 KiB page around @obj must be readable (its header is checked). */
err_t slab_free(struct slab_cache *cache, void *obj);

/* Walks every slab of @cache; returns true when headers, bitmaps, lists
 * and counters agree (tests and the kernel self-test). */
bool slab_cache_check(const struct slab_cache *cache);

/* Fills *@out with the counters of @cache. */
void slab_cache_stats(const struct slab_cache *cache, struct slab_stats *out);
