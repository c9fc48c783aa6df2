/*
 * The allocator core (heap.h): size classes, slabs with allocation
 * bitmaps, large blocks with mappings of their own, the page map that
 * checks every pointer handed back, and the metadata memory behind the
 * descriptors and the map.
 *
 * Invariants:
 *   - a slab's descriptor stays bound to its 64 KiB for good (the page
 *     map entries of its 16 pages point to it); only its kind changes
 *     between HEAP_SPAN_SLAB and HEAP_SPAN_FREE_SLAB;
 *   - a slab is on h->partial[cls] iff it has a free object; a full
 *     slab is on no list; at most one empty slab per class stays on its
 *     partial list, others go to h->free_slabs;
 *   - in a slab bitmap a set bit is a live object; the bits past the
 *     last object are set, so the search never finds them;
 *   - a large block has one page map entry, for the page of the pointer
 *     handed out (aligned blocks start past their mapping's base).
 */
#include <rt/heap.h>

#include <base/string.h>

enum heap_span_kind {
	HEAP_SPAN_SLAB = 1,
	HEAP_SPAN_FREE_SLAB,
	HEAP_SPAN_LARGE,
	HEAP_SPAN_CHUNK,
};

#define BITMAP_WORDS (HEAP_SLAB_MAX_OBJECTS / 64)
#define MAP_NODE_SIZE (sizeof(void *) << HEAP_MAP_MID_BITS)

struct heap_span {
	struct list_node link;	/* partial, free_slabs, chunks or large */
	uintptr_t base;		/* first byte of the slab / mapping */
	size_t size;		/* bytes mapped at base */
	enum heap_span_kind kind;
	/* Slabs. */
	uint32_t cls;
	uint32_t obj_size;
	uint32_t count;		/* objects in the slab */
	uint32_t used;		/* live objects */
	uint32_t hint;		/* no free object in words below this */
	/* Large blocks: the block starts at base + offset. */
	size_t offset;
	uint64_t bits[BITMAP_WORDS];
};

_Static_assert(HEAP_MAP_ROOT_BITS + HEAP_MAP_MID_BITS + HEAP_MAP_LEAF_BITS +
			       12 ==
		       HEAP_ADDR_BITS,
	       "the page map covers the user half");
_Static_assert(HEAP_MAP_MID_BITS == HEAP_MAP_LEAF_BITS,
	       "map nodes share one size");
_Static_assert(HEAP_CHUNK_SIZE % HEAP_SLAB_SIZE == 0, "chunks hold slabs");
_Static_assert(HEAP_SMALL_MAX <= HEAP_SLAB_SIZE / 8,
	       "a slab holds several of the largest objects");

static void report(struct heap *h, const char *what, const void *p)
{
	h->src->report(h->src->ctx, what, p);
}

/* --- size classes ------------------------------------------------------ */

/* 16..128 by 16, then four steps per power of two up to 8192. */
size_t heap_class_size(unsigned cls)
{
	unsigned e, k;

	if (cls < 8) {
		return 16ul * (cls + 1);
	}
	e = 7 + (cls - 8) / 4;
	k = (cls - 8) % 4 + 1;
	return (1ul << e) + ((size_t)k << (e - 2));
}

unsigned heap_size_class(size_t size)
{
	unsigned e;

	if (size <= 128) {
		return size == 0 ? 0 : (unsigned)((size + 15) / 16 - 1);
	}
	e = 63 - (unsigned)__builtin_clzl(size - 1); /* 2^e < size <= 2^e+1 */
	return 8 + (e - 7) * 4 +
	       (unsigned)((size - (1ul << e) - 1) >> (e - 2));
}

/* --- metadata ---------------------------------------------------------- */

static void *source_map(struct heap *h, size_t size)
{
	void *p = h->src->map(h->src->ctx, size);

	if (p) {
		h->stats.mapped += size;
	}
	return p;
}

static void source_unmap(struct heap *h, void *p, size_t size)
{
	h->stats.mapped -= size;
	h->src->unmap(h->src->ctx, p, size);
}

/* @size bytes of zeroed metadata, 16-byte aligned, never given back
 * before heap_fini; NULL when out of memory. A new metadata chunk starts
 * with the link to the previous one. */
static void *meta_alloc(struct heap *h, size_t size)
{
	void *p;

	size = (size + 15) & ~15ul;
	if ((size_t)(h->meta_end - h->meta_next) < size) {
		uint8_t *chunk = source_map(h, HEAP_META_CHUNK);

		if (!chunk) {
			return NULL;
		}
		*(void **)chunk = h->meta_chunks;
		h->meta_chunks = chunk;
		h->meta_next = chunk + 16;
		h->meta_end = chunk + HEAP_META_CHUNK;
	}
	p = h->meta_next;
	h->meta_next += size;
	return p;
}

static struct heap_span *span_create(struct heap *h, enum heap_span_kind kind)
{
	struct heap_span *s = h->spare;

	if (s) {
		h->spare = (struct heap_span *)s->link.next;
	} else {
		s = meta_alloc(h, sizeof(*s));
		if (!s) {
			return NULL;
		}
	}
	s->kind = kind;
	list_init(&s->link);
	return s;
}

static void span_destroy(struct heap *h, struct heap_span *s)
{
	s->kind = 0;
	s->link.next = (struct list_node *)h->spare;
	h->spare = s;
}

/* --- page map ---------------------------------------------------------- */

#define MAP_MASK(bits) ((1ul << (bits)) - 1)

/* The page map slot of address @a; with @create, missing nodes are made
 * (NULL when that fails), else NULL when there is none. */
static struct heap_span **map_slot(struct heap *h, uintptr_t a, bool create)
{
	uintptr_t pn = a >> 12;
	uintptr_t ri = pn >> (HEAP_MAP_MID_BITS + HEAP_MAP_LEAF_BITS);
	uintptr_t mi = (pn >> HEAP_MAP_LEAF_BITS) & MAP_MASK(HEAP_MAP_MID_BITS);
	struct heap_span ***mid, **leaf;

	if (a >> HEAP_ADDR_BITS) {
		return NULL;
	}
	mid = h->map[ri];
	if (!mid) {
		if (!create || !(mid = meta_alloc(h, MAP_NODE_SIZE))) {
			return NULL;
		}
		h->map[ri] = mid;
	}
	leaf = mid[mi];
	if (!leaf) {
		if (!create || !(leaf = meta_alloc(h, MAP_NODE_SIZE))) {
			return NULL;
		}
		mid[mi] = leaf;
	}
	return &leaf[pn & MAP_MASK(HEAP_MAP_LEAF_BITS)];
}

static struct heap_span *map_lookup(struct heap *h, const void *p)
{
	struct heap_span **slot = map_slot(h, (uintptr_t)p, false);

	return slot ? *slot : NULL;
}

/* Points the page map entries of [@a, @a + @size) at @s; false (and no
 * entry changed) when a map node cannot be made. */
static bool map_set(struct heap *h, uintptr_t a, size_t size,
		    struct heap_span *s)
{
	for (uintptr_t x = a; x < a + size; x += HEAP_PAGE) {
		struct heap_span **slot = map_slot(h, x, true);

		if (!slot) {
			while (x > a) {
				x -= HEAP_PAGE;
				*map_slot(h, x, false) = NULL;
			}
			return false;
		}
		*slot = s;
	}
	return true;
}

/* --- slabs ------------------------------------------------------------- */

/* A slab with no class: an emptied one, or a new one carved from the
 * current chunk (a new chunk when it is used up). NULL when out of
 * memory. */
static struct heap_span *slab_take(struct heap *h)
{
	struct heap_span *s, *chunk;

	if (!list_is_empty(&h->free_slabs)) {
		s = container_of(h->free_slabs.next, struct heap_span, link);
		list_remove(&s->link);
		h->stats.free_slabs--;
		return s;
	}
	if (h->chunk_next == h->chunk_end) {
		chunk = span_create(h, HEAP_SPAN_CHUNK);
		if (!chunk) {
			return NULL;
		}
		chunk->size = HEAP_CHUNK_SIZE;
		chunk->base = (uintptr_t)source_map(h, HEAP_CHUNK_SIZE);
		if (!chunk->base) {
			span_destroy(h, chunk);
			return NULL;
		}
		list_add_tail(&h->chunks, &chunk->link);
		h->chunk_next = chunk->base;
		h->chunk_end = chunk->base + HEAP_CHUNK_SIZE;
	}
	s = span_create(h, HEAP_SPAN_FREE_SLAB);
	if (!s) {
		return NULL;
	}
	s->base = h->chunk_next;
	s->size = HEAP_SLAB_SIZE;
	if (!map_set(h, s->base, s->size, s)) {
		span_destroy(h, s);
		return NULL;
	}
	h->chunk_next += HEAP_SLAB_SIZE;
	return s;
}

static void slab_init(struct heap_span *s, unsigned cls)
{
	s->kind = HEAP_SPAN_SLAB;
	s->cls = cls;
	s->obj_size = (uint32_t)heap_class_size(cls);
	s->count = (uint32_t)(HEAP_SLAB_SIZE / s->obj_size);
	s->used = 0;
	s->hint = 0;
	memset(s->bits, 0, sizeof(s->bits));
	for (uint32_t i = s->count; i < HEAP_SLAB_MAX_OBJECTS; i++) {
		s->bits[i / 64] |= 1ull << (i % 64);
	}
}

static void *small_alloc(struct heap *h, unsigned cls)
{
	struct list_node *head = &h->partial[cls];
	struct heap_span *s;
	uint32_t w;
	unsigned bit;

	if (list_is_empty(head)) {
		s = slab_take(h);
		if (!s) {
			return NULL;
		}
		slab_init(s, cls);
		list_add_head(head, &s->link);
		h->stats.slabs++;
	}
	s = container_of(head->next, struct heap_span, link);
	/* On a partial list, so some word at or past the hint has a 0. */
	for (w = s->hint; s->bits[w] == ~0ull; w++) {
	}
	bit = (unsigned)__builtin_ctzll(~s->bits[w]);
	s->bits[w] |= 1ull << bit;
	s->hint = w;
	if (++s->used == s->count) {
		list_remove(&s->link);
	}
	return (void *)(s->base + (w * 64 + bit) * (size_t)s->obj_size);
}

/* Frees @p in slab @s (kind HEAP_SPAN_SLAB); reports a pointer inside an
 * object or to a free one. */
static void small_free(struct heap *h, struct heap_span *s, void *p)
{
	size_t off = (uintptr_t)p - s->base;
	size_t i = off / s->obj_size;
	uint64_t mask = 1ull << (i % 64);
	struct list_node *head = &h->partial[s->cls];

	if (off % s->obj_size != 0) {
		report(h, "pointer inside a block", p);
		return;
	}
	if (!(s->bits[i / 64] & mask)) {
		report(h, "double free (block not allocated)", p);
		return;
	}
	s->bits[i / 64] &= ~mask;
	if (i / 64 < s->hint) {
		s->hint = (uint32_t)(i / 64);
	}
	if (s->used-- == s->count) {
		list_add_head(head, &s->link);
	}
	/* Keep one empty slab per class against alloc/free ping-pong. */
	if (s->used == 0 && (head->next != &s->link || head->prev != &s->link)) {
		list_remove(&s->link);
		s->kind = HEAP_SPAN_FREE_SLAB;
		list_add_head(&h->free_slabs, &s->link);
		h->stats.slabs--;
		h->stats.free_slabs++;
	}
}

/* --- large blocks ------------------------------------------------------ */

static void *large_alloc(struct heap *h, size_t size, size_t align)
{
	struct heap_span *s;
	size_t pages = (size + HEAP_PAGE - 1) & ~(HEAP_PAGE - 1);
	uintptr_t block;
	struct heap_span **slot;

	if (pages == 0) {
		pages = HEAP_PAGE; /* an aligned block of 0 bytes */
	}

	s = span_create(h, HEAP_SPAN_LARGE);
	if (!s) {
		return NULL;
	}
	/* Over-map by up to @align: the pages before the aligned start are
	 * never touched, so they cost address space only. */
	s->size = align > HEAP_PAGE ? pages + align - HEAP_PAGE : pages;
	s->base = (uintptr_t)source_map(h, s->size);
	if (!s->base) {
		goto out_destroy;
	}
	block = (s->base + align - 1) & ~(align - 1);
	s->offset = block - s->base;
	slot = map_slot(h, block, true);
	if (!slot) {
		goto out_unmap;
	}
	*slot = s;
	list_add_tail(&h->large, &s->link);
	h->stats.large++;
	return (void *)block;

out_unmap:
	source_unmap(h, (void *)s->base, s->size);
out_destroy:
	span_destroy(h, s);
	return NULL;
}

static void large_free(struct heap *h, struct heap_span *s)
{
	*map_slot(h, s->base + s->offset, false) = NULL;
	list_remove(&s->link);
	source_unmap(h, (void *)s->base, s->size);
	span_destroy(h, s);
	h->stats.large--;
}

/* --- entry points ------------------------------------------------------ */

void heap_init(struct heap *h, const struct heap_page_source *src)
{
	memset(h, 0, sizeof(*h));
	h->src = src;
	for (unsigned i = 0; i < HEAP_CLASSES; i++) {
		list_init(&h->partial[i]);
	}
	list_init(&h->free_slabs);
	list_init(&h->chunks);
	list_init(&h->large);
}

void heap_fini(struct heap *h)
{
	const struct heap_page_source *src = h->src;
	struct heap_span *s;
	void *meta;

	while (!list_is_empty(&h->large)) {
		s = container_of(h->large.next, struct heap_span, link);
		list_remove(&s->link);
		source_unmap(h, (void *)s->base, s->size);
	}
	while (!list_is_empty(&h->chunks)) {
		s = container_of(h->chunks.next, struct heap_span, link);
		list_remove(&s->link);
		source_unmap(h, (void *)s->base, s->size);
	}
	/* Descriptors and map nodes live here: last. */
	while ((meta = h->meta_chunks) != NULL) {
		h->meta_chunks = *(void **)meta;
		source_unmap(h, meta, HEAP_META_CHUNK);
	}
	heap_init(h, src);
}

/* The live block @p is, or NULL after reporting what is wrong with it. */
static struct heap_span *block_lookup(struct heap *h, const void *p)
{
	struct heap_span *s = map_lookup(h, p);

	if (s && s->kind == HEAP_SPAN_LARGE &&
	    (uintptr_t)p != s->base + s->offset) {
		s = NULL;
	}
	if (!s || s->kind == HEAP_SPAN_FREE_SLAB) {
		report(h, "pointer not from malloc, or freed", p);
		return NULL;
	}
	return s;
}

void *heap_alloc(struct heap *h, size_t size)
{
	if (size <= HEAP_SMALL_MAX) {
		return small_alloc(h, heap_size_class(size));
	}
	if (size > HEAP_MAX_ALLOC) {
		return NULL;
	}
	return large_alloc(h, size, HEAP_PAGE);
}

void *heap_alloc_aligned(struct heap *h, size_t align, size_t size)
{
	size_t need;

	if (align == 0 || (align & (align - 1)) != 0) {
		return NULL;
	}
	if (align <= HEAP_ALIGN) {
		return heap_alloc(h, size);
	}
	if (size > HEAP_MAX_ALLOC || align > HEAP_MAX_ALLOC) {
		return NULL;
	}
	/* A power-of-two class holds objects at multiples of its size from
	 * a page-aligned slab start. */
	need = size > align ? size : align;
	if (align <= HEAP_PAGE && need <= HEAP_SMALL_MAX) {
		need = 1ul << (64 - __builtin_clzl(need - 1));
		return small_alloc(h, heap_size_class(need));
	}
	return large_alloc(h, size, align > HEAP_PAGE ? align : HEAP_PAGE);
}

void *heap_calloc(struct heap *h, size_t n, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(n, size, &total)) {
		return NULL;
	}
	p = heap_alloc(h, total);
	/* A large block is a fresh mapping, zero already: not touching it
	 * keeps its pages unallocated until used. */
	if (p && total <= HEAP_SMALL_MAX) {
		memset(p, 0, total);
	}
	return p;
}

static size_t span_usable(const struct heap_span *s)
{
	return s->kind == HEAP_SPAN_SLAB ? s->obj_size : s->size - s->offset;
}

void heap_free(struct heap *h, void *p)
{
	struct heap_span *s;

	if (!p) {
		return;
	}
	s = block_lookup(h, p);
	if (!s) {
		return;
	}
	if (s->kind == HEAP_SPAN_SLAB) {
		small_free(h, s, p);
	} else {
		large_free(h, s);
	}
}

size_t heap_usable_size(struct heap *h, const void *p)
{
	struct heap_span *s;

	if (!p) {
		return 0;
	}
	s = block_lookup(h, p);
	if (!s) {
		return 0;
	}
	if (s->kind == HEAP_SPAN_SLAB) {
		size_t off = (uintptr_t)p - s->base;
		size_t i = off / s->obj_size;

		if (off % s->obj_size != 0 ||
		    !(s->bits[i / 64] & (1ull << (i % 64)))) {
			report(h, "pointer not from malloc, or freed", p);
			return 0;
		}
	}
	return span_usable(s);
}

void *heap_realloc(struct heap *h, void *p, size_t size)
{
	size_t have;
	void *q;

	if (!p) {
		return heap_alloc(h, size);
	}
	have = heap_usable_size(h, p);
	if (!have) {
		return NULL;
	}
	/* Stay when it fits and would not waste more than half. */
	if (size <= have && size > have / 2) {
		return p;
	}
	if (size <= have && have <= 16) {
		return p;
	}
	q = heap_alloc(h, size);
	if (!q) {
		return NULL;
	}
	memcpy(q, p, size < have ? size : have);
	heap_free(h, p);
	return q;
}

void heap_get_stats(const struct heap *h, struct heap_stats *out)
{
	*out = h->stats;
}
