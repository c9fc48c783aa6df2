/*
 * The allocator core behind malloc (rt/malloc.h), independent of where
 * its memory comes from: a struct heap_page_source hands it zeroed pages
 * (the kernel's memory objects in the guest, a fake in host tests).
 *
 * Small blocks (up to HEAP_SMALL_MAX bytes) come from slabs: 64 KiB runs
 * of equal objects of one of HEAP_CLASSES size classes (multiples of 16,
 * four classes per power of two), carved from 4 MiB chunks. A slab keeps
 * one bit per object, set while the object is allocated; nothing is kept
 * inside free blocks, so a write after free cannot corrupt the heap's own
 * bookkeeping. Larger blocks (and alignments above a page) get a mapping
 * of their own, given back to the page source when freed.
 *
 * A page map (a three-level radix tree over page numbers) leads from any
 * address to the descriptor of the slab or large block it lies in. Every
 * free and realloc looks its pointer up there first, so a pointer that
 * is not a live block (freed twice, inside a block, never from the heap)
 * is reported through the page source's report hook instead of
 * corrupting anything. Descriptors and the page map live apart from the
 * blocks, in metadata memory from the same page source.
 *
 * Slab memory is reused but never given back (an emptied slab goes to a
 * pool for any class); large blocks are unmapped at once.
 *
 * No locking here: one heap is used by one thread at a time (malloc.c
 * puts a mutex around it).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <base/list.h>

#define HEAP_PAGE 4096ul
#define HEAP_ALIGN 16ul			/* every block, as max_align_t */
#define HEAP_SLAB_SIZE (64ul * 1024)
#define HEAP_CHUNK_SIZE (4ul << 20)	/* slabs are carved from these */
#define HEAP_META_CHUNK (1ul << 20)	/* descriptors and page map nodes */
#define HEAP_SMALL_MAX 8192ul		/* larger blocks are mapped alone */
#define HEAP_CLASSES 32
#define HEAP_MAX_ALLOC (1ul << 40)	/* larger requests fail at once */
#define HEAP_SLAB_MAX_OBJECTS (HEAP_SLAB_SIZE / HEAP_ALIGN)

/* Addresses the page map covers: the x86_64 user half. */
#define HEAP_ADDR_BITS 47
#define HEAP_MAP_LEAF_BITS 12
#define HEAP_MAP_MID_BITS 12
#define HEAP_MAP_ROOT_BITS (HEAP_ADDR_BITS - 12 - HEAP_MAP_MID_BITS - \
			    HEAP_MAP_LEAF_BITS)

/*
 * Where a heap's memory comes from, and where it complains.
 *   map     returns @size bytes (a multiple of HEAP_PAGE) of zeroed,
 *           writable memory at a page-aligned address, or NULL;
 *   unmap   takes back exactly a range map returned;
 *   report  is told of a bad pointer passed to free or realloc (@what
 *           says what is wrong, @ptr is the pointer); it should not
 *           return (the guest's aborts the process), but if it does the
 *           heap ignores that call.
 * All three are called with the heap's caller's lock held.
 */
struct heap_page_source {
	void *(*map)(void *ctx, size_t size);
	void (*unmap)(void *ctx, void *addr, size_t size);
	void (*report)(void *ctx, const char *what, const void *ptr);
	void *ctx;
};

struct heap_stats {
	size_t mapped;		/* bytes held from the page source */
	size_t slabs;		/* slabs serving a size class */
	size_t free_slabs;	/* emptied slabs kept for reuse */
	size_t large;		/* live large blocks */
};

struct heap_span;

/* Private to heap.c; public so that a heap can be a static variable. */
struct heap {
	const struct heap_page_source *src;
	struct list_node partial[HEAP_CLASSES]; /* slabs with a free object */
	struct list_node free_slabs;	/* emptied slabs, any class */
	struct list_node chunks;	/* all slab memory, for heap_fini */
	struct list_node large;		/* live large blocks */
	uintptr_t chunk_next;		/* not yet carved part of the last */
	uintptr_t chunk_end;		/* chunk */
	uint8_t *meta_next;		/* bump area of the last metadata */
	uint8_t *meta_end;		/* chunk */
	void *meta_chunks;		/* chained through their first word */
	struct heap_span *spare;	/* recycled descriptors */
	struct heap_span ***map[1ul << HEAP_MAP_ROOT_BITS];
	struct heap_stats stats;
};

/* Makes @h an empty heap over @src (which must outlive it). */
void heap_init(struct heap *h, const struct heap_page_source *src);
/* Gives all of @h's memory back to its page source; every block is gone. */
void heap_fini(struct heap *h);

/* A block of at least @size bytes (0 is taken as 1), aligned to
 * HEAP_ALIGN; NULL when out of memory or @size > HEAP_MAX_ALLOC. */
void *heap_alloc(struct heap *h, size_t size);
/* As heap_alloc, aligned to @align (a power of two); NULL also for a bad
 * @align. */
void *heap_alloc_aligned(struct heap *h, size_t align, size_t size);
/* A zeroed block for @n objects of @size bytes; NULL also when @n * @size
 * overflows. */
void *heap_calloc(struct heap *h, size_t n, size_t size);
/* Resizes block @p (NULL: heap_alloc) to @size bytes, moving it when
 * needed; the first min(old, new) bytes are kept. NULL when out of memory
 * (@p is left alone) or @p is not a live block (reported). realloc to 0
 * bytes gives a minimal block, never NULL-and-freed. */
void *heap_realloc(struct heap *h, void *p, size_t size);
/* Frees block @p (NULL: nothing); a pointer that is not a live block is
 * reported. */
void heap_free(struct heap *h, void *p);
/* Bytes usable at live block @p; 0 for NULL or (reported) a bad pointer. */
size_t heap_usable_size(struct heap *h, const void *p);

void heap_get_stats(const struct heap *h, struct heap_stats *out);
/* The size of size class @cls (< HEAP_CLASSES); the class heap_alloc
 * serves @size (1..HEAP_SMALL_MAX) from. For tests. */
size_t heap_class_size(unsigned cls);
unsigned heap_size_class(size_t size);
