/*
 * Host tests of the slab allocator (kernel/generic/mm/slab.c): argument
 * checks, every size and alignment, random churn against a shadow set with
 * a pattern written into each live object, pages going back to the page
 * source, running out of pages, and hostile frees.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "rng.h"
#include <mm/slab.h>


/* A page source over aligned_alloc that counts and can run dry. */
struct test_pages {
	long live;      /* pages handed out and not returned */
	long allocated; /* calls that returned a page */
	long freed;
	long limit;     /* live pages allowed; < 0 means no limit */
	int misalign;   /* hand out pages off by this many bytes */
};

static void *tp_alloc(void *ctx)
{
	struct test_pages *tp = ctx;
	char *page;

	if (tp->limit >= 0 && tp->live >= tp->limit) {
		return NULL;
	}
	page = aligned_alloc(SLAB_PAGE_SIZE, 2 * SLAB_PAGE_SIZE);
	if (!page) {
		return NULL;
	}
	memset(page, 0xa5, 2 * SLAB_PAGE_SIZE); /* not zeroed on purpose */
	tp->live++;
	tp->allocated++;
	return page + tp->misalign;
}

static void tp_free(void *ctx, void *page)
{
	struct test_pages *tp = ctx;

	tp->live--;
	tp->freed++;
	free((char *)page - tp->misalign);
}

static void tp_init(struct test_pages *tp, struct slab_page_source *src)
{
	*tp = (struct test_pages){ .limit = -1 };
	*src = (struct slab_page_source){ tp_alloc, tp_free, tp };
}

static void fill(void *obj, size_t size, uint64_t tag)
{
	unsigned char *p = obj;

	for (size_t i = 0; i < size; i++) {
		p[i] = (unsigned char)(tag * 131 + i * 7 + (tag >> 8));
	}
}

static bool intact(const void *obj, size_t size, uint64_t tag)
{
	const unsigned char *p = obj;

	for (size_t i = 0; i < size; i++) {
		if (p[i] != (unsigned char)(tag * 131 + i * 7 + (tag >> 8))) {
			return false;
		}
	}
	return true;
}

TEST(init_checks_arguments)
{
	struct test_pages tp;
	struct slab_page_source src, no_free;
	struct slab_cache c;
	void *obj = NULL;

	tp_init(&tp, &src);
	no_free = src;
	no_free.free_page = NULL;
	CHECK_EQ(slab_cache_init(&c, "x", 0, 8, &src), ERR_INVALID);
	CHECK_EQ(slab_cache_init(&c, "x", 16, 3, &src), ERR_INVALID);
	CHECK_EQ(slab_cache_init(&c, "x", 16, 24, &src), ERR_INVALID);
	CHECK_EQ(slab_cache_init(&c, "x", 16, 8192, &src), ERR_INVALID);
	CHECK_EQ(slab_cache_init(&c, "x", 16, 8, NULL), ERR_INVALID);
	CHECK_EQ(slab_cache_init(&c, "x", 16, 8, &no_free), ERR_INVALID);
	CHECK_EQ(slab_cache_init(&c, "x", 2049, 8, &src), ERR_TOO_BIG);
	CHECK_EQ(slab_cache_init(&c, "x", 4096, 16, &src), ERR_TOO_BIG);
	CHECK_EQ(slab_cache_init(&c, "x", (size_t)-1, 16, &src), ERR_TOO_BIG);
	/* 2048 bytes aligned to 4096 cannot share a page with the header. */
	CHECK_EQ(slab_cache_init(&c, "x", 2048, 4096, &src), ERR_TOO_BIG);
	/* A cache whose init failed refuses to work. */
	CHECK_EQ(slab_alloc(&c, &obj), ERR_INVALID);
	CHECK(obj == NULL);
	CHECK_EQ(slab_free(&c, &obj), ERR_INVALID);
	CHECK(slab_cache_check(&c));
	CHECK_EQ(tp.allocated, 0);

	CHECK_EQ(slab_cache_init(&c, "x", 2048, 16, &src), ERR_OK);
	CHECK_EQ(c.objs_per_slab, 1);
	CHECK_EQ(slab_cache_init(&c, "x", 2048, 2048, &src), ERR_OK);
	CHECK_EQ(c.objs_per_slab, 1);
	CHECK_EQ(slab_cache_init(&c, "x", 1, 0, &src), ERR_OK);
	CHECK_EQ(c.align, 8);
	CHECK(c.objs_per_slab > 400);
	CHECK_STR_EQ(c.name, "x");
}

TEST(kmalloc_classes)
{
	struct test_pages tp;
	struct slab_page_source src;
	struct slab_cache c;

	tp_init(&tp, &src);
	for (size_t size = 32; size <= 2048; size *= 2) {
		CHECK_EQ(slab_cache_init(&c, "k", size, 16, &src), ERR_OK);
		CHECK(c.objs_per_slab >= 1);
		CHECK(c.objs_per_slab * size + c.first_offset <=
		      SLAB_PAGE_SIZE);
	}
	CHECK_EQ(slab_cache_init(&c, "k", 4096, 16, &src), ERR_TOO_BIG);
}

/* Fills three slabs' worth of objects of one shape and checks each. */
static void exercise(size_t size, size_t align)
{
	struct test_pages tp;
	struct slab_page_source src;
	struct slab_cache c;
	struct slab_stats st;
	size_t want_align = align ? align : 8;
	void **objs;
	size_t n;

	tp_init(&tp, &src);
	REQUIRE(slab_cache_init(&c, "shape", size, align, &src) == ERR_OK);
	n = 3 * (size_t)c.objs_per_slab;
	objs = calloc(n, sizeof(*objs));
	for (size_t i = 0; i < n; i++) {
		REQUIRE(slab_alloc(&c, &objs[i]) == ERR_OK);
		CHECK_EQ((uintptr_t)objs[i] % want_align, 0);
		fill(objs[i], size, i);
	}
	CHECK_EQ(tp.live, 3);
	slab_cache_stats(&c, &st);
	CHECK_EQ(st.objs_in_use, n);
	CHECK_EQ(st.slabs, 3);
	CHECK_EQ(st.objs_per_slab, c.objs_per_slab);
	CHECK_EQ(st.obj_size, size);
	CHECK(slab_cache_check(&c));
	for (size_t i = 0; i < n; i++) {
		CHECK(intact(objs[i], size, i));
	}
	for (size_t i = 0; i < n; i++) {
		CHECK_EQ(slab_free(&c, objs[i]), ERR_OK);
	}
	CHECK_EQ(c.objs_in_use, 0);
	CHECK_EQ(tp.live, 1); /* one empty slab kept */
	CHECK(slab_cache_check(&c));
	CHECK_EQ(slab_cache_fini(&c), ERR_OK);
	CHECK_EQ(tp.live, 0);
	free(objs);
}

TEST(every_size_and_alignment)
{
	static const size_t sizes[] = { 1,   7,   8,   9,    24,   32,  48,
					100, 128, 500, 1000, 1024, 2000, 2048 };
	static const size_t aligns[] = { 0, 1, 8, 16, 64, 256, 1024 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t a = 0; a < sizeof(aligns) / sizeof(aligns[0]);
		     a++) {
			exercise(sizes[s], aligns[a]);
		}
	}
}

struct live_obj {
	void *p;
	uint64_t tag;
};

static void churn(size_t size, size_t align, uint64_t seed, unsigned steps)
{
	struct test_pages tp;
	struct slab_page_source src;
	struct slab_cache c;
	struct live_obj *live = calloc(steps + 1, sizeof(*live));
	size_t nlive = 0, max_live = 0;
	uint64_t tag = 0;

	tp_init(&tp, &src);
	REQUIRE(slab_cache_init(&c, "churn", size, align, &src) == ERR_OK);
	rng_seed(seed);
	for (unsigned step = 0; step < steps; step++) {
		/* Phases of growth and shrinkage, so slabs empty out. */
		unsigned grow = (step / 2000) % 2 ? 35 : 65;

		if (nlive == 0 || rng_next() % 100 < grow) {
			void *p;

			REQUIRE(slab_alloc(&c, &p) == ERR_OK);
			CHECK_EQ((uintptr_t)p % (align ? align : 8), 0);
			fill(p, size, ++tag);
			live[nlive++] = (struct live_obj){ p, tag };
			if (nlive > max_live) {
				max_live = nlive;
			}
		} else {
			size_t k = rng_next() % nlive;

			/* A neighbour's writes would break the pattern. */
			size_t slabs = c.slabs;

			CHECK(intact(live[k].p, size, live[k].tag));
			CHECK_EQ(slab_free(&c, live[k].p), ERR_OK);
			/* The same pointer again is a double free (unless its
			 * page went back to the source). */
			if (step % 97 == 0 && c.slabs == slabs) {
				CHECK_EQ(slab_free(&c, live[k].p), ERR_INVALID);
			}
			live[k] = live[--nlive];
		}
		CHECK_EQ(c.objs_in_use, nlive);
		CHECK_EQ((size_t)tp.live, c.slabs);
		/* Never more pages than the live objects need, plus the one
		 * empty slab and the partial ones holes leave behind. */
		CHECK(c.slabs <= nlive + 1);
		if (step % 1000 == 0) {
			CHECK(slab_cache_check(&c));
		}
	}
	for (size_t i = 0; i < nlive; i++) {
		CHECK(intact(live[i].p, size, live[i].tag));
		CHECK_EQ(slab_free(&c, live[i].p), ERR_OK);
	}
	CHECK_EQ(c.objs_in_use, 0);
	CHECK_EQ(tp.live, 1);
	CHECK(slab_cache_check(&c));
	CHECK(tp.allocated > 1); /* the phases did give pages back */
	CHECK_EQ(slab_cache_fini(&c), ERR_OK);
	CHECK_EQ(tp.live, 0);
	CHECK_EQ(tp.allocated, tp.freed);
	CHECK(max_live > c.objs_per_slab);
	free(live);
}

TEST(random_churn)
{
	churn(24, 8, 1, 40000);
	churn(64, 64, 2, 40000);
	churn(200, 16, 3, 30000);
	churn(1500, 32, 4, 20000);
	churn(2048, 16, 5, 10000);
}

TEST(pages_go_back)
{
	struct test_pages tp;
	struct slab_page_source src;
	struct slab_cache c;
	struct slab_stats st;
	void *objs[10 * 64];
	unsigned n;

	tp_init(&tp, &src);
	REQUIRE(slab_cache_init(&c, "pages", 512, 64, &src) == ERR_OK);
	n = 10 * c.objs_per_slab;
	REQUIRE(n <= 10 * 64);
	for (unsigned i = 0; i < n; i++) {
		REQUIRE(slab_alloc(&c, &objs[i]) == ERR_OK);
	}
	CHECK_EQ(tp.live, 10);
	/* Empty all but the last slab: only one empty slab stays. */
	for (unsigned i = 0; i < n - c.objs_per_slab; i++) {
		CHECK_EQ(slab_free(&c, objs[i]), ERR_OK);
	}
	CHECK_EQ(tp.live, 2);
	slab_cache_stats(&c, &st);
	CHECK_EQ(st.slabs, 2);
	CHECK_EQ(st.empty_slabs, 1);
	CHECK_EQ(st.objs_in_use, c.objs_per_slab);
	CHECK(slab_cache_check(&c));
	/* Busy caches refuse fini. */
	CHECK_EQ(slab_cache_fini(&c), ERR_BUSY);
	CHECK_EQ(tp.live, 2);
	/* The cached empty slab is used before a new page is asked for. */
	{
		long before = tp.allocated;
		void *extra;

		REQUIRE(slab_alloc(&c, &extra) == ERR_OK);
		CHECK_EQ(tp.allocated, before);
		CHECK_EQ(slab_free(&c, extra), ERR_OK);
	}
	for (unsigned i = n - c.objs_per_slab; i < n; i++) {
		CHECK_EQ(slab_free(&c, objs[i]), ERR_OK);
	}
	CHECK_EQ(tp.live, 1);
	CHECK_EQ(slab_cache_fini(&c), ERR_OK);
	CHECK_EQ(tp.live, 0);
	CHECK(slab_cache_check(&c));
}

TEST(partial_slabs_filled_first)
{
	struct test_pages tp;
	struct slab_page_source src;
	struct slab_cache c;
	void *a[8], *b;

	tp_init(&tp, &src);
	REQUIRE(slab_cache_init(&c, "partial", 1024, 8, &src) == ERR_OK);
	REQUIRE(c.objs_per_slab == 3);
	for (int i = 0; i < 6; i++) {
		REQUIRE(slab_alloc(&c, &a[i]) == ERR_OK);
	}
	CHECK_EQ(tp.live, 2);
	CHECK_EQ(slab_free(&c, a[1]), ERR_OK);
	/* The hole is reused: no new page. */
	REQUIRE(slab_alloc(&c, &b) == ERR_OK);
	CHECK(b == a[1]);
	CHECK_EQ(tp.live, 2);
	CHECK(slab_cache_check(&c));
	for (int i = 0; i < 6; i++) {
		CHECK_EQ(slab_free(&c, a[i]), ERR_OK);
	}
	CHECK_EQ(slab_cache_fini(&c), ERR_OK);
	CHECK_EQ(tp.live, 0);
}

TEST(out_of_pages)
{
	struct test_pages tp;
	struct slab_page_source src;
	struct slab_cache c;
	void *objs[64], *p = NULL;
	unsigned n = 0;

	tp_init(&tp, &src);
	tp.limit = 2;
	REQUIRE(slab_cache_init(&c, "dry", 1024, 8, &src) == ERR_OK);
	while (n < 64 && slab_alloc(&c, &objs[n]) == ERR_OK) {
		n++;
	}
	CHECK_EQ(n, 2 * c.objs_per_slab);
	CHECK_EQ(slab_alloc(&c, &p), ERR_NO_MEMORY);
	CHECK(p == NULL);
	CHECK(slab_cache_check(&c));
	CHECK_EQ(c.objs_in_use, n);
	tp.limit = -1;
	CHECK_EQ(slab_alloc(&c, &p), ERR_OK);
	CHECK_EQ(slab_free(&c, p), ERR_OK);
	while (n) {
		CHECK_EQ(slab_free(&c, objs[--n]), ERR_OK);
	}
	CHECK_EQ(slab_cache_fini(&c), ERR_OK);
	CHECK_EQ(tp.live, 0);
}

TEST(misaligned_page_source)
{
	struct test_pages tp;
	struct slab_page_source src;
	struct slab_cache c;
	void *p = NULL;

	tp_init(&tp, &src);
	tp.misalign = 64;
	REQUIRE(slab_cache_init(&c, "bent", 64, 8, &src) == ERR_OK);
	CHECK_EQ(slab_alloc(&c, &p), ERR_INVALID);
	CHECK(p == NULL);
	CHECK_EQ(tp.live, 0); /* the bad page was given back */
	CHECK_EQ(c.slabs, 0);
	CHECK(slab_cache_check(&c));
}

TEST(hostile_frees)
{
	struct test_pages tp;
	struct slab_page_source src;
	struct slab_cache c, other;
	void *a, *b, *o;
	char *foreign;

	tp_init(&tp, &src);
	REQUIRE(slab_cache_init(&c, "victim", 96, 32, &src) == ERR_OK);
	REQUIRE(slab_cache_init(&other, "other", 96, 32, &src) == ERR_OK);
	REQUIRE(slab_alloc(&c, &a) == ERR_OK);
	REQUIRE(slab_alloc(&c, &b) == ERR_OK);
	REQUIRE(slab_alloc(&other, &o) == ERR_OK);
	foreign = aligned_alloc(SLAB_PAGE_SIZE, SLAB_PAGE_SIZE);
	REQUIRE(foreign);
	memset(foreign, 0, SLAB_PAGE_SIZE);

	CHECK_EQ(slab_free(&c, NULL), ERR_INVALID);
	CHECK_EQ(slab_free(&c, (char *)a + 1), ERR_INVALID);
	CHECK_EQ(slab_free(&c, (char *)a + 32), ERR_INVALID);
	CHECK_EQ(slab_free(&c, (char *)b - 8), ERR_INVALID);
	/* The header at the start of the page is not an object. */
	CHECK_EQ(slab_free(&c, (void *)((uintptr_t)a & ~(uintptr_t)4095)),
		 ERR_INVALID);
	/* The slot after the last object: on the stride, but past the end. */
	{
		uintptr_t page = (uintptr_t)a & ~(uintptr_t)4095;
		size_t end = c.first_offset + c.objs_per_slab * c.stride;

		REQUIRE(end < SLAB_PAGE_SIZE);
		CHECK_EQ(slab_free(&c, (void *)(page + end)), ERR_INVALID);
		CHECK_EQ(slab_free(&c, (void *)(page + 4095)), ERR_INVALID);
	}
	/* An object of another cache, and memory that is no slab at all. */
	CHECK_EQ(slab_free(&c, o), ERR_INVALID);
	CHECK_EQ(slab_free(&other, a), ERR_INVALID);
	CHECK_EQ(slab_free(&c, foreign + 256), ERR_INVALID);
	/* A free slot that was never handed out. */
	CHECK_EQ(slab_free(&c, (char *)b + c.stride), ERR_INVALID);
	CHECK_EQ(c.objs_in_use, 2);
	CHECK_EQ(other.objs_in_use, 1);
	CHECK(slab_cache_check(&c));
	CHECK(slab_cache_check(&other));

	/* Double frees, including of the last object of the slab. */
	CHECK_EQ(slab_free(&c, a), ERR_OK);
	CHECK_EQ(slab_free(&c, a), ERR_INVALID);
	CHECK_EQ(slab_free(&c, b), ERR_OK);
	CHECK_EQ(slab_free(&c, b), ERR_INVALID); /* slab empty but cached */
	CHECK_EQ(c.objs_in_use, 0);
	CHECK(slab_cache_check(&c));
	CHECK_EQ(slab_free(&other, o), ERR_OK);
	CHECK_EQ(slab_cache_fini(&c), ERR_OK);
	CHECK_EQ(slab_cache_fini(&other), ERR_OK);
	CHECK_EQ(tp.live, 0);
	free(foreign);
}

TEST(check_catches_corruption)
{
	struct test_pages tp;
	struct slab_page_source src;
	struct slab_cache c;
	void *a;

	tp_init(&tp, &src);
	REQUIRE(slab_cache_init(&c, "corrupt", 64, 8, &src) == ERR_OK);
	REQUIRE(slab_alloc(&c, &a) == ERR_OK);
	REQUIRE(slab_cache_check(&c));
	c.objs_in_use++;
	CHECK(!slab_cache_check(&c));
	c.objs_in_use--;
	c.slabs++;
	CHECK(!slab_cache_check(&c));
	c.slabs--;
	/* Flip an in-use bit behind the allocator's back (the bitmap is
	 * the fifth word of the private page header). */
	((uint64_t *)((uintptr_t)a & ~(uintptr_t)4095))[4] ^= 2;
	CHECK(!slab_cache_check(&c));
	((uint64_t *)((uintptr_t)a & ~(uintptr_t)4095))[4] ^= 2;
	CHECK(slab_cache_check(&c));
	CHECK_EQ(slab_free(&c, a), ERR_OK);
	CHECK_EQ(slab_cache_fini(&c), ERR_OK);
}

int main(void)
{
	RUN(init_checks_arguments);
	RUN(kmalloc_classes);
	RUN(every_size_and_alignment);
	RUN(random_churn);
	RUN(pages_go_back);
	RUN(partial_slabs_filled_first);
	RUN(out_of_pages);
	RUN(misaligned_page_source);
	RUN(hostile_frees);
	RUN(check_catches_corruption);
	return check_done();
}
