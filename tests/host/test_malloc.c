/*
 * Host tests of the allocator core (lib/rt/heap.c) over a fake page
 * source built on mmap: size classes, alignment, calloc's zeroing and
 * overflow, large blocks going back at once, out-of-memory paths, every
 * kind of bad pointer reported (and ignored) instead of corrupting the
 * heap, and long random alloc/free/realloc sequences checked against a
 * shadow model (contents, no overlap, alignment).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rt/heap.h>

#include "check.h"
#include "rng.h"

/* --- the fake page source ---------------------------------------------- */

#define FAKE_MAX_MAPS 4096

static struct {
	struct {
		void *addr;
		size_t size;
	} live[FAKE_MAX_MAPS];
	unsigned live_count;
	unsigned maps;		/* successful map calls */
	int fail_after;		/* map calls left before failing; <0: never */
	unsigned bad_unmaps;	/* unmaps of ranges never mapped */
	unsigned reports;
	const char *last_what;
	const void *last_ptr;
} fake;

static void *fake_map(void *ctx, size_t size)
{
	void *p;

	if (size == 0 || size % HEAP_PAGE != 0 ||
	    fake.live_count == FAKE_MAX_MAPS) {
		return NULL;
	}
	if (fake.fail_after == 0) {
		return NULL;
	}
	if (fake.fail_after > 0) {
		fake.fail_after--;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		return NULL;
	}
	fake.live[fake.live_count].addr = p;
	fake.live[fake.live_count].size = size;
	fake.live_count++;
	fake.maps++;
	return p;
}

static void fake_unmap(void *ctx, void *addr, size_t size)
{
	for (unsigned i = 0; i < fake.live_count; i++) {
		if (fake.live[i].addr == addr && fake.live[i].size == size) {
			fake.live[i] = fake.live[--fake.live_count];
			munmap(addr, size);
			return;
		}
	}
	fake.bad_unmaps++;
}

static void fake_report(void *ctx, const char *what, const void *p)
{
	fake.reports++;
	fake.last_what = what;
	fake.last_ptr = p;
}

static const struct heap_page_source fake_source = {
	.map = fake_map,
	.unmap = fake_unmap,
	.report = fake_report,
};

static struct heap heap;

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.fail_after = -1;
	heap_init(&heap, &fake_source);
}

/* Ends a test: everything goes back, and exactly what was mapped. */
static bool teardown(void)
{
	heap_fini(&heap);
	return fake.live_count == 0 && fake.bad_unmaps == 0;
}

static bool is_aligned(const void *p, size_t align)
{
	return ((uintptr_t)p & (align - 1)) == 0;
}

/* --- tests ------------------------------------------------------------- */

TEST(size_classes_cover_every_small_size)
{
	size_t prev = 0;

	for (unsigned c = 0; c < HEAP_CLASSES; c++) {
		size_t s = heap_class_size(c);

		CHECK(s > prev);
		CHECK(s % HEAP_ALIGN == 0);
		prev = s;
	}
	CHECK_EQ(heap_class_size(HEAP_CLASSES - 1), HEAP_SMALL_MAX);
	for (size_t n = 1; n <= HEAP_SMALL_MAX; n++) {
		unsigned c = heap_size_class(n);

		REQUIRE(c < HEAP_CLASSES);
		REQUIRE(heap_class_size(c) >= n);
		/* The smallest class that fits. */
		REQUIRE(c == 0 || heap_class_size(c - 1) < n);
	}
	/* At most 25% lost to rounding past the first classes. */
	for (size_t n = 129; n <= HEAP_SMALL_MAX; n++) {
		REQUIRE(heap_class_size(heap_size_class(n)) * 4 <= n * 5 + 64);
	}
}

TEST(alloc_sizes_alignment_and_usable)
{
	static const size_t sizes[] = { 0,    1,     15,    16,    17,
					100,  128,   129,   1000,  4096,
					8191, 8192,  8193,  65536, 100000,
					1 << 20 };
	void *p[sizeof(sizes) / sizeof(sizes[0])];

	setup();
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p[i] = heap_alloc(&heap, sizes[i]);
		REQUIRE(p[i] != NULL);
		CHECK(is_aligned(p[i], HEAP_ALIGN));
		CHECK(heap_usable_size(&heap, p[i]) >= sizes[i]);
		memset(p[i], (int)i, sizes[i]);
	}
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (unsigned j = 0; j < i; j++) {
			CHECK(p[i] != p[j]);
		}
		for (size_t b = 0; b < sizes[i]; b++) {
			if (((uint8_t *)p[i])[b] != (uint8_t)i) {
				CHECK(!"block contents changed");
				break;
			}
		}
		heap_free(&heap, p[i]);
	}
	heap_free(&heap, NULL);
	CHECK_EQ(fake.reports, 0);
	CHECK(teardown());
}

TEST(calloc_zeroes_reused_memory)
{
	uint8_t *p, *q;
	bool zero = true;

	setup();
	p = heap_alloc(&heap, 200);
	REQUIRE(p != NULL);
	memset(p, 0xaa, 200);
	heap_free(&heap, p);
	q = heap_calloc(&heap, 25, 8);
	REQUIRE(q != NULL);
	CHECK(q == p); /* the same object came back... */
	for (int i = 0; i < 200; i++) {
		zero &= q[i] == 0; /* ...zeroed */
	}
	CHECK(zero);
	heap_free(&heap, q);
	/* Large: a fresh mapping, zero without being written. */
	q = heap_calloc(&heap, 3, 100000);
	REQUIRE(q != NULL);
	for (int i = 0; i < 300000; i += 511) {
		zero &= q[i] == 0;
	}
	CHECK(zero);
	heap_free(&heap, q);
	CHECK(heap_calloc(&heap, 0, 5) != NULL);
	CHECK(teardown());
}

TEST(calloc_overflow_is_null)
{
	unsigned maps;

	setup();
	maps = fake.maps;
	CHECK(heap_calloc(&heap, SIZE_MAX / 2 + 1, 2) == NULL);
	CHECK(heap_calloc(&heap, 2, SIZE_MAX / 2 + 1) == NULL);
	CHECK(heap_calloc(&heap, SIZE_MAX, SIZE_MAX) == NULL);
	CHECK(heap_calloc(&heap, (size_t)1 << 32, (size_t)1 << 32) == NULL);
	/* No overflow, but more than the heap hands out. */
	CHECK(heap_calloc(&heap, (size_t)1 << 30, (size_t)1 << 20) == NULL);
	CHECK_EQ(fake.maps, maps);
	CHECK(teardown());
}

TEST(huge_sizes_fail_cleanly)
{
	setup();
	CHECK(heap_alloc(&heap, SIZE_MAX) == NULL);
	CHECK(heap_alloc(&heap, SIZE_MAX - HEAP_PAGE + 2) == NULL);
	CHECK(heap_alloc(&heap, HEAP_MAX_ALLOC + 1) == NULL);
	CHECK(heap_alloc_aligned(&heap, 4096, SIZE_MAX) == NULL);
	CHECK(heap_alloc_aligned(&heap, (size_t)1 << 63, 16) == NULL);
	CHECK(heap_realloc(&heap, NULL, SIZE_MAX) == NULL);
	CHECK_EQ(fake.maps, 0);
	CHECK(teardown());
}

TEST(aligned_blocks)
{
	void *p[64];
	unsigned n = 0;

	setup();
	for (size_t align = 1; align <= (1u << 20); align <<= 1) {
		static const size_t sizes[] = { 0, 1, 24, 3000, 5000, 70000 };

		for (unsigned i = 0; i < 6; i++) {
			void *q = heap_alloc_aligned(&heap, align, sizes[i]);

			REQUIRE(q != NULL);
			CHECK(is_aligned(q, align < 16 ? 16 : align));
			CHECK(heap_usable_size(&heap, q) >= sizes[i]);
			memset(q, 0x5a, sizes[i]);
			if (n < 64) {
				p[n++] = q;
			} else {
				heap_free(&heap, q);
			}
		}
	}
	for (unsigned i = 0; i < n; i++) {
		heap_free(&heap, p[i]);
	}
	CHECK(heap_alloc_aligned(&heap, 0, 16) == NULL);
	CHECK(heap_alloc_aligned(&heap, 3, 16) == NULL);
	CHECK(heap_alloc_aligned(&heap, 48, 16) == NULL);
	CHECK_EQ(fake.reports, 0);
	CHECK(teardown());
}

TEST(large_blocks_go_back_at_once)
{
	struct heap_stats st;
	size_t before;
	void *p;

	setup();
	heap_free(&heap, heap_alloc(&heap, 16)); /* metadata and a chunk */
	heap_get_stats(&heap, &st);
	before = st.mapped;
	p = heap_alloc(&heap, 300000);
	REQUIRE(p != NULL);
	heap_get_stats(&heap, &st);
	CHECK_EQ(st.mapped, before + ((300000 + HEAP_PAGE - 1) & ~(HEAP_PAGE - 1)));
	CHECK_EQ(st.large, 1);
	heap_free(&heap, p);
	heap_get_stats(&heap, &st);
	CHECK_EQ(st.mapped, before);
	CHECK_EQ(st.large, 0);
	/* Aligned beyond a page: the over-mapping goes back too. */
	p = heap_alloc_aligned(&heap, 1 << 20, 100);
	REQUIRE(p != NULL);
	heap_free(&heap, p);
	heap_get_stats(&heap, &st);
	CHECK_EQ(st.mapped, before);
	CHECK(teardown());
}

TEST(emptied_slabs_are_reused_by_other_classes)
{
	enum { N = 2000 };
	static void *p[N];
	struct heap_stats st;
	unsigned maps;

	setup();
	for (int i = 0; i < N; i++) {
		p[i] = heap_alloc(&heap, 256); /* 256 per slab: 8 slabs */
		REQUIRE(p[i] != NULL);
	}
	heap_get_stats(&heap, &st);
	CHECK_EQ(st.slabs, (N + 255) / 256);
	for (int i = 0; i < N; i++) {
		heap_free(&heap, p[i]);
	}
	heap_get_stats(&heap, &st);
	CHECK_EQ(st.slabs, 1); /* one empty slab stays with its class */
	CHECK_EQ(st.free_slabs, (N + 255) / 256 - 1);
	maps = fake.maps;
	for (int i = 0; i < N; i++) {
		p[i] = heap_alloc(&heap, 1000);
		REQUIRE(p[i] != NULL);
	}
	CHECK_EQ(fake.maps, maps); /* all from the pool */
	for (int i = 0; i < N; i++) {
		heap_free(&heap, p[i]);
	}
	CHECK_EQ(fake.reports, 0);
	CHECK(teardown());
}

TEST(out_of_memory_then_recovers)
{
	enum { N = 2 * HEAP_CHUNK_SIZE / 4096 };
	static void *p[N];
	unsigned got = 0;

	setup();
	/* Metadata and one chunk, then nothing. */
	fake.fail_after = 2;
	for (int i = 0; i < N; i++) {
		p[i] = heap_alloc(&heap, 4096);
		got += p[i] != NULL;
	}
	CHECK_EQ(got, HEAP_CHUNK_SIZE / 4096);
	CHECK(heap_alloc(&heap, 100000) == NULL);
	CHECK(heap_alloc_aligned(&heap, 1 << 16, 10) == NULL);
	CHECK(heap_calloc(&heap, 1, 10000) == NULL);
	fake.fail_after = -1;
	for (int i = 0; i < N; i++) {
		heap_free(&heap, p[i]);
	}
	p[0] = heap_alloc(&heap, 100000);
	CHECK(p[0] != NULL);
	p[0] = heap_realloc(&heap, p[0], 200000);
	CHECK(p[0] != NULL);
	heap_free(&heap, p[0]);
	CHECK_EQ(fake.reports, 0);
	CHECK(teardown());
}

TEST(oom_in_realloc_keeps_the_block)
{
	uint8_t *p, *q;

	setup();
	p = heap_alloc(&heap, 100);
	REQUIRE(p != NULL);
	memset(p, 7, 100);
	fake.fail_after = 0;
	q = heap_realloc(&heap, p, 50000);
	CHECK(q == NULL);
	CHECK(p[0] == 7 && p[99] == 7);
	fake.fail_after = -1;
	CHECK_EQ(heap_usable_size(&heap, p), 112);
	heap_free(&heap, p);
	CHECK_EQ(fake.reports, 0);
	CHECK(teardown());
}

/* Runs @op on @p and checks that exactly one report naming @p came. */
#define CHECK_REPORTED(op, p)                                                \
	do {                                                                 \
		unsigned r_ = fake.reports;                                  \
		op;                                                          \
		CHECK_EQ(fake.reports, r_ + 1);                              \
		CHECK(fake.last_ptr == (const void *)(p));                  \
	} while (0)

TEST(double_free_is_reported_and_ignored)
{
	void *a, *b, *c, *big;

	setup();
	a = heap_alloc(&heap, 40);
	b = heap_alloc(&heap, 40);
	heap_free(&heap, a);
	CHECK_REPORTED(heap_free(&heap, a), a);
	CHECK(strstr(fake.last_what, "double free") != NULL);
	/* The heap is intact: the two next blocks differ, b is live. */
	c = heap_alloc(&heap, 40);
	CHECK(c == a);
	CHECK(heap_alloc(&heap, 40) != c);
	CHECK_EQ(heap_usable_size(&heap, b), 48);

	big = heap_alloc(&heap, 50000);
	heap_free(&heap, big);
	CHECK_REPORTED(heap_free(&heap, big), big);
	CHECK_REPORTED(heap_realloc(&heap, big, 10), big);
	CHECK(teardown());
}

TEST(bad_pointers_are_reported)
{
	int on_stack;
	char *a, *big, *al;
	void *r;

	setup();
	a = heap_alloc(&heap, 100);
	big = heap_alloc(&heap, 40000);
	al = heap_alloc_aligned(&heap, 1 << 16, 20000);
	REQUIRE(a && big && al);
	CHECK_REPORTED(heap_free(&heap, a + 16), a + 16);
	CHECK(strstr(fake.last_what, "inside") != NULL);
	CHECK_REPORTED(heap_free(&heap, a + 1), a + 1);
	CHECK_REPORTED(heap_free(&heap, big + 4096), big + 4096);
	CHECK_REPORTED(heap_free(&heap, big + 8), big + 8);
	CHECK_REPORTED(heap_free(&heap, &on_stack), &on_stack);
	CHECK_REPORTED(heap_free(&heap, (void *)0xffff800000001000ul),
		       0xffff800000001000ul);
	CHECK_REPORTED(heap_free(&heap, (void *)16), 16);
	/* Within the over-mapping below an aligned block. */
	CHECK_REPORTED(heap_free(&heap, al - 4096), al - 4096);
	/* Never handed out: the rest of a slab, far into a chunk. */
	CHECK_REPORTED(heap_free(&heap, a + 60000), a + 60000);
	CHECK_REPORTED(heap_free(&heap, a + HEAP_SLAB_SIZE * 10),
		       a + HEAP_SLAB_SIZE * 10);
	CHECK_REPORTED(r = heap_realloc(&heap, a + 16, 500), a + 16);
	CHECK(r == NULL);
	CHECK_REPORTED(CHECK_EQ(heap_usable_size(&heap, &on_stack), 0),
		       &on_stack);
	/* Nothing of that touched the live blocks. */
	CHECK_EQ(heap_usable_size(&heap, a), 112);
	CHECK_EQ(heap_usable_size(&heap, big), 40960);
	CHECK(heap_usable_size(&heap, al) >= 20000);
	heap_free(&heap, a);
	heap_free(&heap, big);
	heap_free(&heap, al);
	CHECK(teardown());
}

TEST(free_into_emptied_slab_is_reported)
{
	enum { N = 600 };
	static char *p[N];

	setup();
	for (int i = 0; i < N; i++) {
		p[i] = heap_alloc(&heap, 256);
	}
	for (int i = 0; i < N; i++) {
		heap_free(&heap, p[i]);
	}
	/* p[0]'s slab went to the pool (only the last emptied one stays). */
	CHECK_REPORTED(heap_free(&heap, p[0]), p[0]);
	CHECK_REPORTED(heap_free(&heap, p[N - 1]), p[N - 1]);
	CHECK(teardown());
}

TEST(realloc_keeps_contents)
{
	uint8_t *p;
	bool same = true;

	setup();
	p = heap_realloc(&heap, NULL, 10);
	REQUIRE(p != NULL);
	for (int i = 0; i < 10; i++) {
		p[i] = (uint8_t)i;
	}
	size_t n;

	for (n = 20; n < 2000000; n = n * 3 + 1) {
		p = heap_realloc(&heap, p, n);
		REQUIRE(p != NULL);
		for (size_t i = 10; i < n; i++) {
			p[i] = (uint8_t)i;
		}
	}
	for (n /= 3; n > 5; n /= 3) {
		p = heap_realloc(&heap, p, n);
		REQUIRE(p != NULL);
		for (size_t i = 0; i < n; i += 7) {
			same &= p[i] == (uint8_t)i;
		}
	}
	CHECK(same);
	/* Shrinking a lot moves to a smaller class. */
	p = heap_realloc(&heap, p, 8000);
	p = heap_realloc(&heap, p, 100);
	CHECK_EQ(heap_usable_size(&heap, p), 112);
	p = heap_realloc(&heap, p, 0);
	CHECK(p != NULL);
	heap_free(&heap, p);
	CHECK_EQ(fake.reports, 0);
	CHECK(teardown());
}

/* The shadow model: what each slot holds, checked byte for byte. */
#define SLOTS 1500
static struct {
	uint8_t *p;
	size_t size;
	size_t align;
	uint8_t seed;
} slot[SLOTS];

static uint8_t pattern(uint8_t seed, size_t i)
{
	return (uint8_t)(seed + i * 131 + (i >> 8));
}

static void fill(unsigned s, size_t from)
{
	for (size_t i = from; i < slot[s].size; i++) {
		slot[s].p[i] = pattern(slot[s].seed, i);
	}
}

static bool intact(unsigned s, size_t upto)
{
	for (size_t i = 0; i < upto; i++) {
		if (slot[s].p[i] != pattern(slot[s].seed, i)) {
			return false;
		}
	}
	return true;
}

static size_t random_size(void)
{
	uint64_t r = rng() % 100;

	if (r < 60) {
		return rng() % 129;
	}
	if (r < 90) {
		return rng() % (HEAP_SMALL_MAX + 1);
	}
	if (r < 99) {
		return rng() % 65536;
	}
	return rng() % (1 << 18);
}

static int cmp_slot(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)slot[*(const unsigned *)a].p;
	uintptr_t y = (uintptr_t)slot[*(const unsigned *)b].p;

	return x < y ? -1 : x > y;
}

/* No two live blocks overlap, and each covers its size. */
static bool no_overlap(void)
{
	static unsigned order[SLOTS];
	unsigned n = 0;

	for (unsigned s = 0; s < SLOTS; s++) {
		if (slot[s].p) {
			order[n++] = s;
		}
	}
	qsort(order, n, sizeof(order[0]), cmp_slot);
	for (unsigned i = 1; i < n; i++) {
		const uint8_t *prev = slot[order[i - 1]].p;
		size_t len = slot[order[i - 1]].size;

		if (prev + (len ? len : 1) > slot[order[i]].p) {
			return false;
		}
	}
	return true;
}

static void churn(uint64_t seed, unsigned ops)
{
	unsigned bad_contents = 0, bad_align = 0, bad_zero = 0, nulls = 0;

	rng_seed(seed);
	memset(slot, 0, sizeof(slot));
	setup();
	for (unsigned op = 0; op < ops; op++) {
		unsigned s = (unsigned)(rng() % SLOTS);
		uint64_t kind = rng() % 10;

		if (slot[s].p && kind < 4) {
			bad_contents += !intact(s, slot[s].size);
			heap_free(&heap, slot[s].p);
			slot[s].p = NULL;
		} else if (slot[s].p && kind < 8) {
			size_t n = random_size();
			size_t keep = n < slot[s].size ? n : slot[s].size;
			uint8_t *q = heap_realloc(&heap, slot[s].p, n);

			if (!q) {
				nulls++;
				continue;
			}
			slot[s].p = q;
			bad_contents += !intact(s, keep);
			slot[s].size = n;
			slot[s].align = HEAP_ALIGN;
			fill(s, keep);
		} else if (!slot[s].p) {
			size_t n = random_size();

			slot[s].align = HEAP_ALIGN;
			if (kind == 0) {
				slot[s].align = (size_t)1 << (rng() % 17);
				slot[s].p = heap_alloc_aligned(
					&heap, slot[s].align, n);
				if (slot[s].align < HEAP_ALIGN) {
					slot[s].align = HEAP_ALIGN;
				}
			} else if (kind < 4) {
				slot[s].p = heap_calloc(&heap, 1, n);
				for (size_t i = 0; slot[s].p && i < n; i++) {
					if (slot[s].p[i]) {
						bad_zero++;
						break;
					}
				}
			} else {
				slot[s].p = heap_alloc(&heap, n);
			}
			if (!slot[s].p) {
				nulls++;
				continue;
			}
			bad_align += !is_aligned(slot[s].p, slot[s].align);
			bad_align += heap_usable_size(&heap, slot[s].p) < n;
			slot[s].size = n;
			slot[s].seed = (uint8_t)rng();
			fill(s, 0);
		}
		if (op % 5000 == 0) {
			CHECK(no_overlap());
		}
	}
	CHECK(no_overlap());
	for (unsigned s = 0; s < SLOTS; s++) {
		if (slot[s].p) {
			bad_contents += !intact(s, slot[s].size);
			heap_free(&heap, slot[s].p);
		}
	}
	CHECK_EQ(bad_contents, 0);
	CHECK_EQ(bad_align, 0);
	CHECK_EQ(bad_zero, 0);
	CHECK_EQ(nulls, 0);
	CHECK_EQ(fake.reports, 0);
	{
		struct heap_stats st;

		heap_get_stats(&heap, &st);
		CHECK_EQ(st.large, 0);
		CHECK(st.slabs <= HEAP_CLASSES);
	}
	CHECK(teardown());
}

TEST(random_churn_seed_1)
{
	churn(1, 40000);
}

TEST(random_churn_seed_2)
{
	churn(0xdeadbeef, 40000);
}

TEST(fini_returns_everything)
{
	setup();
	for (int i = 0; i < 3000; i++) {
		CHECK(heap_alloc(&heap, (size_t)(i * 37) % 20000) != NULL);
	}
	CHECK(fake.live_count > 0);
	CHECK(teardown());
	/* And the heap works again afterwards. */
	CHECK(heap_alloc(&heap, 10) != NULL);
	CHECK(teardown());
}

int main(void)
{
	RUN(size_classes_cover_every_small_size);
	RUN(alloc_sizes_alignment_and_usable);
	RUN(calloc_zeroes_reused_memory);
	RUN(calloc_overflow_is_null);
	RUN(huge_sizes_fail_cleanly);
	RUN(aligned_blocks);
	RUN(large_blocks_go_back_at_once);
	RUN(emptied_slabs_are_reused_by_other_classes);
	RUN(out_of_memory_then_recovers);
	RUN(oom_in_realloc_keeps_the_block);
	RUN(double_free_is_reported_and_ignored);
	RUN(bad_pointers_are_reported);
	RUN(free_into_emptied_slab_is_reported);
	RUN(realloc_keeps_contents);
	RUN(random_churn_seed_1);
	RUN(random_churn_seed_2);
	RUN(fini_returns_everything);
	return check_done();
}
