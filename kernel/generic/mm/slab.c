/*
 * Slab allocator (see slab.h).
 *
 * Page layout: struct slab at offset 0, then objs_per_slab objects of
 * `stride` bytes from `first_offset` (the header size rounded up to the
 * alignment). The bitmap has one bit per object, 1 = in use; the bits of
 * slots past objs_per_slab are set once when the slab is made, so the
 * search for a free slot never has to bound-check them. Nothing is kept
 * inside free objects, so a write after free cannot corrupt the
 * allocator's own state.
 *
 * Invariants: a slab is on exactly one of the cache's lists, the one its
 * in_use count calls for (empty: 0, full: objs_per_slab, partial: in
 * between); the empty list holds at most one slab; cache->slabs counts
 * every page held and cache->objs_in_use every object handed out.
 */
#include <mm/slab.h>

#define SLAB_MAGIC 0x42414c53u /* "SLAB" */
#define SLAB_BITMAP_WORDS 8

struct slab {
	uint32_t magic;
	uint32_t in_use;
	struct slab_cache *cache;
	struct list_node node;
	uint64_t bitmap[SLAB_BITMAP_WORDS];
};

_Static_assert((SLAB_PAGE_SIZE - sizeof(struct slab)) / SLAB_MIN_OBJ_SIZE <=
		       SLAB_BITMAP_WORDS * 64,
	       "slab bitmap too small for the smallest objects");

static struct slab *slab_of(const void *obj)
{
	return (struct slab *)((uintptr_t)obj &
			       ~(uintptr_t)(SLAB_PAGE_SIZE - 1));
}

static size_t align_up(size_t x, size_t align)
{
	return (x + align - 1) & ~(align - 1);
}

err_t slab_cache_init(struct slab_cache *cache, const char *name,
		      size_t obj_size, size_t align,
		      const struct slab_page_source *src)
{
	size_t stride, first;

	__builtin_memset(cache, 0, sizeof(*cache));
	cache->name = name;
	cache->obj_size = obj_size;
	list_init(&cache->partial);
	list_init(&cache->full);
	list_init(&cache->empty);
	if (align == 0) {
		align = 8;
	}
	if (!src || !src->alloc_page || !src->free_page || obj_size == 0 ||
	    (align & (align - 1)) || align > SLAB_PAGE_SIZE) {
		return ERR_INVALID;
	}
	if (obj_size > SLAB_MAX_OBJ_SIZE) {
		return ERR_TOO_BIG;
	}
	stride = align_up(obj_size < SLAB_MIN_OBJ_SIZE ? SLAB_MIN_OBJ_SIZE :
							 obj_size,
			  align);
	first = align_up(sizeof(struct slab), align);
	if (first >= SLAB_PAGE_SIZE || SLAB_PAGE_SIZE - first < stride) {
		return ERR_TOO_BIG;
	}
	cache->align = align;
	cache->stride = stride;
	cache->first_offset = first;
	cache->src = *src;
	cache->objs_per_slab = (unsigned)((SLAB_PAGE_SIZE - first) / stride);
	return ERR_OK;
}

/* Gives @slab (empty, on no list) back to the page source. */
static void release_slab(struct slab_cache *cache, struct slab *slab)
{
	slab->magic = 0;
	slab->cache = NULL;
	cache->slabs--;
	cache->src.free_page(cache->src.ctx, slab);
}

err_t slab_cache_fini(struct slab_cache *cache)
{
	struct list_node *node;

	if (cache->objs_in_use) {
		return ERR_BUSY;
	}
	while ((node = list_pop_head(&cache->empty))) {
		release_slab(cache, container_of(node, struct slab, node));
	}
	return ERR_OK;
}

/* Gets a fresh page from the source and makes it an empty slab (on no
 * list) in *@out. */
static err_t new_slab(struct slab_cache *cache, struct slab **out)
{
	void *page = cache->src.alloc_page(cache->src.ctx);
	struct slab *slab = page;

	if (!page) {
		return ERR_NO_MEMORY;
	}
	if ((uintptr_t)page & (SLAB_PAGE_SIZE - 1)) {
		cache->src.free_page(cache->src.ctx, page);
		return ERR_INVALID;
	}
	slab->magic = SLAB_MAGIC;
	slab->in_use = 0;
	slab->cache = cache;
	list_init(&slab->node);
	for (unsigned w = 0; w < SLAB_BITMAP_WORDS; w++) {
		unsigned lo = w * 64;

		/* Slots that do not exist look permanently in use. */
		if (lo >= cache->objs_per_slab) {
			slab->bitmap[w] = ~0ull;
		} else if (cache->objs_per_slab - lo >= 64) {
			slab->bitmap[w] = 0;
		} else {
			slab->bitmap[w] = ~0ull << (cache->objs_per_slab - lo);
		}
	}
	cache->slabs++;
	*out = slab;
	return ERR_OK;
}

err_t slab_alloc(struct slab_cache *cache, void **obj)
{
	struct list_node *node;
	struct slab *slab;
	unsigned index = 0;
	err_t err;

	if (cache->objs_per_slab == 0) {
		return ERR_INVALID;
	}
	node = list_first(&cache->partial);
	if (!node) {
		node = list_first(&cache->empty);
	}
	if (node) {
		slab = container_of(node, struct slab, node);
		list_remove(&slab->node);
	} else {
		err = new_slab(cache, &slab);
		if (err) {
			return err;
		}
	}
	for (unsigned w = 0; w < SLAB_BITMAP_WORDS; w++) {
		uint64_t free_slots = ~slab->bitmap[w];

		if (free_slots) {
			unsigned bit = (unsigned)__builtin_ctzll(free_slots);

			slab->bitmap[w] |= 1ull << bit;
			index = w * 64 + bit;
			break;
		}
	}
	slab->in_use++;
	cache->objs_in_use++;
	if (slab->in_use == cache->objs_per_slab) {
		list_add_head(&cache->full, &slab->node);
	} else {
		list_add_head(&cache->partial, &slab->node);
	}
	*obj = (char *)slab + cache->first_offset +
	       (size_t)index * cache->stride;
	return ERR_OK;
}

err_t slab_free(struct slab_cache *cache, void *obj)
{
	struct slab *slab;
	size_t offset, index;
	uint64_t bit;

	if (!obj || cache->objs_per_slab == 0) {
		return ERR_INVALID;
	}
	slab = slab_of(obj);
	if (slab->magic != SLAB_MAGIC || slab->cache != cache) {
		return ERR_INVALID;
	}
	offset = (size_t)((uintptr_t)obj - (uintptr_t)slab);
	if (offset < cache->first_offset ||
	    (offset - cache->first_offset) % cache->stride) {
		return ERR_INVALID;
	}
	index = (offset - cache->first_offset) / cache->stride;
	if (index >= cache->objs_per_slab) {
		return ERR_INVALID;
	}
	bit = 1ull << (index % 64);
	if (!(slab->bitmap[index / 64] & bit)) {
		return ERR_INVALID; /* double free */
	}
	slab->bitmap[index / 64] &= ~bit;
	slab->in_use--;
	cache->objs_in_use--;
	list_remove(&slab->node);
	if (slab->in_use > 0) {
		list_add_head(&cache->partial, &slab->node);
	} else if (list_is_empty(&cache->empty)) {
		list_add_head(&cache->empty, &slab->node);
	} else {
		release_slab(cache, slab);
	}
	return ERR_OK;
}

/* Bits set in @x (no __builtin_popcount: it calls libgcc, which the
 * kernel does not link). */
static unsigned popcount64(uint64_t x)
{
	unsigned n = 0;

	for (; x; x &= x - 1) {
		n++;
	}
	return n;
}

/*
 * Checks the slabs on @head: each a slab of @cache whose bitmap agrees
 * with its in_use count, which must lie in [@min_use, @max_use]. Adds the
 * slabs and objects seen to *@slabs and *@objs. Bounded by the number of
 * slabs the cache believes it holds, so a list that does not close fails.
 */
static bool check_list(const struct slab_cache *cache,
		       const struct list_node *head, unsigned min_use,
		       unsigned max_use, size_t *slabs, size_t *objs)
{
	const struct list_node *node = head;

	while (node->next != head) {
		const struct slab *slab;
		unsigned used = 0;

		if (node->next->prev != node || ++*slabs > cache->slabs) {
			return false;
		}
		node = node->next;
		slab = container_of(node, struct slab, node);
		if (((uintptr_t)slab & (SLAB_PAGE_SIZE - 1)) ||
		    slab->magic != SLAB_MAGIC || slab->cache != cache ||
		    slab->in_use < min_use || slab->in_use > max_use) {
			return false;
		}
		for (unsigned w = 0; w < SLAB_BITMAP_WORDS; w++) {
			used += popcount64(slab->bitmap[w]);
		}
		/* The bits of slots past the end are always set. */
		if (used != slab->in_use + (SLAB_BITMAP_WORDS * 64 -
					    cache->objs_per_slab)) {
			return false;
		}
		*objs += slab->in_use;
	}
	return head->prev == node;
}

bool slab_cache_check(const struct slab_cache *cache)
{
	unsigned per = cache->objs_per_slab;
	size_t slabs = 0, objs = 0;

	if (per == 0) {
		return cache->slabs == 0 && cache->objs_in_use == 0;
	}
	if (!check_list(cache, &cache->partial, 1, per - 1, &slabs, &objs) ||
	    !check_list(cache, &cache->full, per, per, &slabs, &objs)) {
		return false;
	}
	if (cache->empty.next != &cache->empty &&
	    cache->empty.next->next != &cache->empty) {
		return false; /* more than one cached empty slab */
	}
	if (!check_list(cache, &cache->empty, 0, 0, &slabs, &objs)) {
		return false;
	}
	return slabs == cache->slabs && objs == cache->objs_in_use;
}

void slab_cache_stats(const struct slab_cache *cache, struct slab_stats *out)
{
	out->obj_size = cache->obj_size;
	out->objs_per_slab = cache->objs_per_slab;
	out->objs_in_use = cache->objs_in_use;
	out->slabs = cache->slabs;
	out->empty_slabs = list_is_empty(&cache->empty) ? 0 : 1;
}
