/*
 * Host tests of the posix server's memory maps (vma.c), including a
 * random sequence checked against a page-by-page model.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"
#include <linux_abi/errno.h>

#include "../../servers/posix/vma.h"

#define P 4096ull

static struct vma anon(uint32_t prot, const char *name)
{
	struct vma v = { .prot = prot, .flags = VMA_ANON,
			 .name = (char *)name };

	return v;
}

/* Areas sorted, non-overlapping, non-empty. */
static int well_formed(const struct vma_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->v[i].start >= m->v[i].end) {
			return 0;
		}
		if (i && m->v[i - 1].end > m->v[i].start) {
			return 0;
		}
	}
	return 1;
}

TEST(insert_find_remove)
{
	struct vma_map m;
	struct vma t = anon(3, "[heap]");

	vma_map_init(&m);
	REQUIRE(vma_insert(&m, 10 * P, 20 * P, &t) == 0);
	CHECK_EQ(m.n, 1);
	CHECK(vma_find(&m, 10 * P) != NULL);
	CHECK(vma_find(&m, 20 * P) == NULL);
	CHECK(vma_find(&m, 9 * P) == NULL);
	CHECK_STR_EQ(vma_find(&m, 15 * P)->name, "[heap]");
	REQUIRE(vma_remove(&m, 12 * P, 14 * P) == 0);
	CHECK_EQ(m.n, 2);
	CHECK(vma_find(&m, 13 * P) == NULL);
	CHECK_EQ(vma_find(&m, 15 * P)->start, 14 * P);
	CHECK_STR_EQ(vma_find(&m, 15 * P)->name, "[heap]");
	CHECK(well_formed(&m));
	vma_map_fini(&m);
}

TEST(insert_replaces_and_splits)
{
	struct vma_map m;
	struct vma a = anon(3, NULL), b = anon(1, "b");

	vma_map_init(&m);
	REQUIRE(vma_insert(&m, 0, 100 * P, &a) == 0);
	REQUIRE(vma_insert(&m, 40 * P, 60 * P, &b) == 0);
	CHECK_EQ(m.n, 3);
	CHECK_EQ(vma_find(&m, 39 * P)->prot, 3);
	CHECK_EQ(vma_find(&m, 40 * P)->prot, 1);
	CHECK_EQ(vma_find(&m, 60 * P)->prot, 3);
	CHECK(well_formed(&m));
	/* Over everything. */
	REQUIRE(vma_insert(&m, 0, 200 * P, &b) == 0);
	CHECK_EQ(m.n, 1);
	vma_map_fini(&m);
}

TEST(file_offsets_follow_splits)
{
	struct vma_map m;
	struct vma f = { .prot = 1, .offset = 8 * P, .name = "/bin/x" };

	vma_map_init(&m);
	REQUIRE(vma_insert(&m, 100 * P, 110 * P, &f) == 0);
	REQUIRE(vma_remove(&m, 103 * P, 104 * P) == 0);
	CHECK_EQ(vma_find(&m, 105 * P)->offset, 8 * P + 4 * P);
	CHECK_EQ(vma_find(&m, 101 * P)->offset, 8 * P);
	vma_map_fini(&m);
}

TEST(protect_and_covers)
{
	struct vma_map m;
	struct vma a = anon(3, NULL);

	vma_map_init(&m);
	REQUIRE(vma_insert(&m, 0, 10 * P, &a) == 0);
	REQUIRE(vma_insert(&m, 12 * P, 20 * P, &a) == 0);
	CHECK(vma_covers(&m, 0, 10 * P));
	CHECK(!vma_covers(&m, 0, 12 * P));
	CHECK(!vma_covers(&m, 9 * P, 13 * P));
	CHECK_EQ(vma_protect(&m, 5 * P, 15 * P, 1), -LINUX_ENOMEM);
	CHECK_EQ(vma_find(&m, 5 * P)->prot, 3); /* untouched */
	REQUIRE(vma_protect(&m, 2 * P, 4 * P, 1) == 0);
	CHECK_EQ(vma_find(&m, 1 * P)->prot, 3);
	CHECK_EQ(vma_find(&m, 2 * P)->prot, 1);
	CHECK_EQ(vma_find(&m, 4 * P)->prot, 3);
	CHECK(vma_is_free(&m, 10 * P, 12 * P));
	CHECK(!vma_is_free(&m, 10 * P, 13 * P));
	CHECK(vma_is_free(&m, 30 * P, 40 * P));
	CHECK(well_formed(&m));
	vma_map_fini(&m);
}

TEST(clone_is_deep)
{
	struct vma_map m, c;
	struct vma a = anon(3, "[stack]");

	vma_map_init(&m);
	REQUIRE(vma_insert(&m, 0, 10 * P, &a) == 0);
	REQUIRE(vma_map_clone(&c, &m) == 0);
	vma_map_fini(&m);
	CHECK_EQ(c.n, 1);
	CHECK_STR_EQ(c.v[0].name, "[stack]");
	vma_map_fini(&c);
}

/* Random inserts, removes and protections against a model of 256
 * pages holding (prot + 1) or 0. */
TEST(random_against_model)
{
	enum { PAGES = 256 };
	unsigned model[PAGES] = { 0 };
	struct vma_map m;

	rng_seed(42);
	vma_map_init(&m);
	for (int step = 0; step < 20000; step++) {
		unsigned a = (unsigned)(rng() % PAGES), b = (unsigned)(rng() % PAGES);
		unsigned lo = a < b ? a : b, hi = (a < b ? b : a) + 1;
		unsigned op = (unsigned)(rng() % 3), prot = (unsigned)(rng() % 8);
		struct vma t = anon(prot, (step & 1) ? "n" : NULL);

		if (op == 0) {
			REQUIRE(vma_insert(&m, lo * P, hi * P, &t) == 0);
			for (unsigned i = lo; i < hi; i++) {
				model[i] = prot + 1;
			}
		} else if (op == 1) {
			REQUIRE(vma_remove(&m, lo * P, hi * P) == 0);
			for (unsigned i = lo; i < hi; i++) {
				model[i] = 0;
			}
		} else {
			bool covered = true;

			for (unsigned i = lo; i < hi; i++) {
				covered &= model[i] != 0;
			}
			CHECK_EQ(vma_protect(&m, lo * P, hi * P, prot),
				 covered ? 0 : -LINUX_ENOMEM);
			if (covered) {
				for (unsigned i = lo; i < hi; i++) {
					model[i] = prot + 1;
				}
			}
		}
		REQUIRE(well_formed(&m));
		for (unsigned i = 0; i < PAGES; i++) {
			const struct vma *v = vma_find(&m, i * P + 7);

			if (model[i] == 0) {
				REQUIRE(v == NULL);
			} else {
				REQUIRE(v && v->prot + 1 == model[i]);
			}
		}
	}
	vma_map_fini(&m);
}

TEST(neighbours_merge)
{
	struct vma_map m;
	struct vma a = anon(3, NULL), b = anon(1, NULL);

	vma_map_init(&m);
	REQUIRE(vma_insert(&m, 0, 10 * P, &a) == 0);
	REQUIRE(vma_insert(&m, 10 * P, 20 * P, &a) == 0);
	CHECK_EQ(m.n, 1);
	CHECK_EQ(vma_find(&m, 0)->end, 20 * P);
	REQUIRE(vma_insert(&m, 20 * P, 30 * P, &b) == 0);
	CHECK_EQ(m.n, 2);
	REQUIRE(vma_protect(&m, 20 * P, 30 * P, 3) == 0);
	CHECK_EQ(m.n, 1);
	REQUIRE(vma_protect(&m, 5 * P, 6 * P, 1) == 0);
	CHECK_EQ(m.n, 3);
	REQUIRE(vma_protect(&m, 5 * P, 6 * P, 3) == 0);
	CHECK_EQ(m.n, 1);
	vma_map_fini(&m);
}

int main(void)
{
	RUN(neighbours_merge);
	RUN(insert_find_remove);
	RUN(insert_replaces_and_splits);
	RUN(file_offsets_follow_splits);
	RUN(protect_and_covers);
	RUN(clone_is_deep);
	RUN(random_against_model);
	return check_done();
}
