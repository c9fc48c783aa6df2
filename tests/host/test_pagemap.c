/*
 * Tests of servers/posix/pagemap.c, the sparse page map under tmpfs
 * files: stores at every height up to the largest index, holes, the
 * next-present search, truncation (pages counted and nodes freed, the
 * tree shrinking back), and a long random run against a simple model
 * (a sorted list of present indices).
 */
#include <stdlib.h>

#include "../../servers/posix/pagemap.h"
#include <linux_abi/errno.h>

#include "check.h"
#include "rng.h"

static int freed;

static void count_free(void *page, void *ctx)
{
	freed++;
	free(page);
}

static void *page_for(uint64_t index)
{
	uint64_t *p = malloc(sizeof(*p));

	*p = index;
	return p;
}

static uint64_t page_index(const void *page)
{
	return *(const uint64_t *)page;
}

TEST(pagemap_heights)
{
	static const uint64_t idx[] = {
		0, 1, 63, 64, 4095, 4096, 262143, 1ull << 30, (1ull << 40) + 5,
		(1ull << 54) - 1,
	};
	struct pagemap pm;
	uint64_t at;

	pagemap_init(&pm);
	CHECK(pagemap_get(&pm, 0) == NULL);
	CHECK(!pagemap_next(&pm, 0, &at));
	/* Largest first: the tree is built tall, then filled below. */
	for (int i = 9; i >= 0; i--) {
		CHECK_EQ(pagemap_set(&pm, idx[i], page_for(idx[i])), 0);
	}
	CHECK_EQ(pm.count, 10);
	CHECK_EQ(pm.height, PAGEMAP_MAX_HEIGHT);
	for (int i = 0; i < 10; i++) {
		void *p = pagemap_get(&pm, idx[i]);

		REQUIRE(p != NULL);
		CHECK_EQ(page_index(p), idx[i]);
	}
	CHECK(pagemap_get(&pm, 2) == NULL);
	CHECK(pagemap_get(&pm, (1ull << 40) + 4) == NULL);
	CHECK(pagemap_get(&pm, UINT64_MAX) == NULL);
	CHECK_EQ(pagemap_set(&pm, 1ull << 54, NULL), -LINUX_EFBIG);
	CHECK_EQ(pagemap_set(&pm, UINT64_MAX, NULL), -LINUX_EFBIG);
	CHECK(pagemap_next(&pm, 65, &at));
	CHECK_EQ(at, 4095);
	CHECK(pagemap_next(&pm, (1ull << 30) + 1, &at));
	CHECK_EQ(at, (1ull << 40) + 5);
	CHECK(pagemap_next(&pm, (1ull << 54) - 1, &at));
	CHECK(!pagemap_next(&pm, 1ull << 54, &at));
	/* Truncation frees from an index on and shrinks the tree. */
	freed = 0;
	CHECK_EQ(pagemap_truncate(&pm, 4096, count_free, NULL), 5);
	CHECK_EQ(freed, 5);
	CHECK_EQ(pm.count, 5);
	CHECK_EQ(pm.height, 2);		/* 4095 needs two levels */
	CHECK(pagemap_get(&pm, 4095) != NULL);
	CHECK(pagemap_get(&pm, 1ull << 30) == NULL);
	CHECK_EQ(pagemap_truncate(&pm, 64, count_free, NULL), 2);
	CHECK_EQ(pm.height, 1);
	CHECK_EQ(pagemap_truncate(&pm, 1, count_free, NULL), 2);
	CHECK_EQ(pm.count, 1);
	CHECK(pagemap_get(&pm, 0) != NULL);
	pagemap_fini(&pm, count_free, NULL);
	CHECK_EQ(freed, 10);
	CHECK(pm.root == NULL);
	CHECK_EQ(pm.count, 0);
}

/* A grown tree whose first slot was empty keeps working (the new top
 * levels lead down through slot 0 to nothing). */
TEST(pagemap_grow_over_empty_start)
{
	struct pagemap pm;

	pagemap_init(&pm);
	CHECK_EQ(pagemap_set(&pm, 100, page_for(100)), 0);
	CHECK_EQ(pagemap_set(&pm, 1ull << 20, page_for(1ull << 20)), 0);
	CHECK_EQ(pagemap_set(&pm, 5, page_for(5)), 0);
	CHECK_EQ(page_index(pagemap_get(&pm, 5)), 5);
	CHECK_EQ(page_index(pagemap_get(&pm, 100)), 100);
	CHECK_EQ(pagemap_truncate(&pm, 0, count_free, NULL), 3);
	CHECK(pm.root == NULL);
	CHECK_EQ(pagemap_set(&pm, 7, page_for(7)), 0);
	pagemap_fini(&pm, count_free, NULL);
}

#define MODEL_MAX 4096

static uint64_t model[MODEL_MAX];
static int model_n;

static int model_find(uint64_t idx)
{
	for (int i = 0; i < model_n; i++) {
		if (model[i] == idx) {
			return i;
		}
	}
	return -1;
}

static uint64_t random_index(void)
{
	switch (rng() % 4) {
	case 0:
		return rng() % 64;
	case 1:
		return rng() % 100000;
	case 2:
		return rng() % (1ull << 40);
	default:
		return rng() % (1ull << 54);
	}
}

TEST(pagemap_random_against_model)
{
	struct pagemap pm;

	rng_seed(1234);
	pagemap_init(&pm);
	model_n = 0;
	for (int step = 0; step < 20000; step++) {
		uint64_t idx = random_index(), at;
		int r = (int)(rng() % 10);

		if (r < 6 && model_n < MODEL_MAX) {
			if (model_find(idx) < 0) {
				REQUIRE(pagemap_set(&pm, idx, page_for(idx)) ==
					0);
				model[model_n++] = idx;
			}
		} else if (r < 7) {
			int before = model_n, kept = 0;

			for (int i = 0; i < model_n; i++) {
				if (model[i] < idx) {
					model[kept++] = model[i];
				}
			}
			model_n = kept;
			CHECK_EQ(pagemap_truncate(&pm, idx, count_free, NULL),
				 before - kept);
		} else {
			/* next >= idx agrees with the model. */
			uint64_t best = UINT64_MAX;

			for (int i = 0; i < model_n; i++) {
				if (model[i] >= idx && model[i] < best) {
					best = model[i];
				}
			}
			if (best == UINT64_MAX) {
				CHECK(!pagemap_next(&pm, idx, &at));
			} else {
				CHECK(pagemap_next(&pm, idx, &at));
				CHECK_EQ(at, best);
			}
		}
		REQUIRE(pm.count == (uint64_t)model_n);
		if (step % 1000 == 0) {
			for (int i = 0; i < model_n; i++) {
				void *p = pagemap_get(&pm, model[i]);

				REQUIRE(p && page_index(p) == model[i]);
			}
		}
		if (model_find(idx) < 0) {
			CHECK(pagemap_get(&pm, idx) == NULL);
		}
	}
	pagemap_fini(&pm, count_free, NULL);
}

int main(void)
{
	RUN(pagemap_heights);
	RUN(pagemap_grow_over_empty_start);
	RUN(pagemap_random_against_model);
	return check_done();
}
