/*
 * kmalloc (see kmalloc.h). Each block starts with a 16-byte header that
 * records where it came from (a size class or a buddy order), so kfree
 * needs no size and can catch wild frees.
 *
 * The small classes keep a few freed blocks per CPU (struct
 * kmalloc_cpu_cache), taken and given back with interrupts disabled and
 * no lock: the short-lived records of the IPC paths (queue requests,
 * stream messages) are then a pop and a push, not a trip through the
 * class lock and the slab bitmap. A block in a CPU cache counts as in
 * use for its slab; the header is checked (wild or double free) before
 * a block goes into a cache.
 */
#include <arch/x86_64/cpu.h>
#include <base/string.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <smp/percpu.h>
#include <sync/spinlock.h>

#define KMALLOC_MAGIC 0x6b6d616c6c6f6321ul
#define KMALLOC_CLASSES 8 /* 32 .. 4096 bytes including the header */
#define KMALLOC_MIN_SHIFT 5

struct kmalloc_header {
	uint64_t magic;
	uint32_t is_large;
	uint32_t class_or_order;
};
_Static_assert(sizeof(struct kmalloc_header) == 16, "kmalloc header");

struct kmalloc_class {
	struct slab_cache cache;
	struct spinlock lock;
	bool use_pages; /* too big for a slab: whole pages instead */
};

static struct kmalloc_class classes[KMALLOC_CLASSES];
static bool kmalloc_ready;

#define KMALLOC_CPU_CLASSES 5	/* 32 .. 512 bytes */
#define KMALLOC_CPU_BLOCKS 16

struct kmalloc_cpu_cache {
	unsigned count;
	void *blocks[KMALLOC_CPU_BLOCKS];
};

/* [cpu][class]; touched by its own CPU only, interrupts disabled. */
static struct kmalloc_cpu_cache cpu_caches[PERCPU_MAX][KMALLOC_CPU_CLASSES];

/* A block of class @c from this CPU's cache, or NULL. */
static void *cpu_cache_pop(unsigned c)
{
	bool was = cpu_irq_save();
	struct kmalloc_cpu_cache *cc = &cpu_caches[percpu_id()][c];
	void *block = cc->count ? cc->blocks[--cc->count] : NULL;

	cpu_irq_restore(was);
	return block;
}

/* Keeps @block (of class @c) in this CPU's cache; false when it is full. */
static bool cpu_cache_push(unsigned c, void *block)
{
	bool was = cpu_irq_save();
	struct kmalloc_cpu_cache *cc = &cpu_caches[percpu_id()][c];
	bool kept = cc->count < KMALLOC_CPU_BLOCKS;

	if (kept) {
		cc->blocks[cc->count++] = block;
	}
	cpu_irq_restore(was);
	return kept;
}

static void *slab_page_alloc(void *ctx)
{
	paddr_t pa;

	if (pmm_alloc_page(&pa) != ERR_OK) {
		return NULL;
	}
	return phys_to_virt(pa);
}

static void slab_page_free(void *ctx, void *page)
{
	pmm_free(virt_to_phys(page), 0);
}

static const struct slab_page_source slab_pages = {
	.alloc_page = slab_page_alloc,
	.free_page = slab_page_free,
	.ctx = NULL,
};

void kmalloc_init(void)
{
	static const char *const names[KMALLOC_CLASSES] = {
		"kmalloc-32", "kmalloc-64", "kmalloc-128", "kmalloc-256",
		"kmalloc-512", "kmalloc-1024", "kmalloc-2048", "kmalloc-4096",
	};

	for (unsigned i = 0; i < KMALLOC_CLASSES; i++) {
		size_t size = (size_t)1 << (i + KMALLOC_MIN_SHIFT);

		spin_init(&classes[i].lock);
		/* Classes the slab cannot hold (its page header takes room)
		 * fall back to whole pages. */
		if (slab_cache_init(&classes[i].cache, names[i], size, 16,
				    &slab_pages) != ERR_OK) {
			classes[i].use_pages = true;
		}
	}
	kmalloc_ready = true;
}

static unsigned size_class(size_t total)
{
	if (total <= ((size_t)1 << KMALLOC_MIN_SHIFT)) {
		return 0;
	}
	/* The smallest power of two >= total, as a class number. */
	return (unsigned)(64 - __builtin_clzl(total - 1)) - KMALLOC_MIN_SHIFT;
}

void *kmalloc(size_t size)
{
	size_t total = size + sizeof(struct kmalloc_header);
	struct kmalloc_header *h = NULL;
	unsigned c;

	if (!kmalloc_ready || size > (1ul << 30)) {
		return NULL;
	}
	c = size_class(total);
	if (c < KMALLOC_CPU_CLASSES && (h = cpu_cache_pop(c))) {
		/* its header still says class c */
	} else if (c < KMALLOC_CLASSES && !classes[c].use_pages) {
		void *obj;
		err_t err;

		spin_lock(&classes[c].lock);
		err = slab_alloc(&classes[c].cache, &obj);
		spin_unlock(&classes[c].lock);
		if (err) {
			return NULL;
		}
		h = obj;
		h->is_large = 0;
		h->class_or_order = c;
	} else {
		unsigned order = 0;
		paddr_t pa;

		while ((PAGE_SIZE << order) < total) {
			order++;
		}
		if (pmm_alloc(order, &pa) != ERR_OK) {
			return NULL;
		}
		h = phys_to_virt(pa);
		h->is_large = 1;
		h->class_or_order = order;
	}
	h->magic = KMALLOC_MAGIC;
	return h + 1;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p) {
		memset(p, 0, size);
	}
	return p;
}

void kfree(void *ptr)
{
	struct kmalloc_header *h;

	if (!ptr) {
		return;
	}
	h = (struct kmalloc_header *)ptr - 1;
	if (h->magic != KMALLOC_MAGIC) {
		panic("kfree of %p: not a kmalloc block (or freed twice)", ptr);
	}
	h->magic = 0;
	if (h->is_large) {
		if (pmm_free(virt_to_phys(h), h->class_or_order) != ERR_OK) {
			panic("kfree of %p: bad block", ptr);
		}
		return;
	}
	if (h->class_or_order >= KMALLOC_CLASSES) {
		panic("kfree of %p: bad size class", ptr);
	}
	if (h->class_or_order < KMALLOC_CPU_CLASSES &&
	    cpu_cache_push(h->class_or_order, h)) {
		return;
	}
	spin_lock(&classes[h->class_or_order].lock);
	if (slab_free(&classes[h->class_or_order].cache, h) != ERR_OK) {
		spin_unlock(&classes[h->class_or_order].lock);
		panic("kfree of %p: slab refused it", ptr);
	}
	spin_unlock(&classes[h->class_or_order].lock);
}
