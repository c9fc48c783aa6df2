/*
 * Tests of servers/posix/dirindex.c, the directory entry index under
 * tmpfs: lookups by name (with colliding lengths and prefixes), cookies
 * that increase and survive removals and compaction, seeks to any
 * position, a name present twice for a moment (as rename does it), and
 * a random run against a model.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../servers/posix/dirindex.h"

#include "check.h"
#include "rng.h"

struct ent {
	struct dirindex_entry ix;
	char name[24];
	bool live;
};

static void name_entry(struct ent *e, const char *name)
{
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->ix.name = e->name;
	e->ix.len = (uint16_t)strlen(e->name);
}

TEST(dirindex_basic)
{
	static struct ent e[5];
	static const char *const names[] = { "a", "ab", "abc", "b", "" };
	struct dirindex d;

	dirindex_init(&d, 2);
	CHECK(dirindex_find(&d, "a", 1) == NULL);
	CHECK(dirindex_seek(&d, 0) == NULL);
	for (int i = 0; i < 4; i++) {
		name_entry(&e[i], names[i]);
		CHECK_EQ(dirindex_insert(&d, &e[i].ix), 0);
		CHECK_EQ(e[i].ix.cookie, 2 + i);
	}
	CHECK_EQ(dirindex_count(&d), 4);
	CHECK(dirindex_find(&d, "ab", 2) == &e[1].ix);
	CHECK(dirindex_find(&d, "abcd", 2) == &e[1].ix); /* by length */
	CHECK(dirindex_find(&d, "abd", 3) == NULL);
	CHECK(dirindex_find(&d, "", 0) == NULL);
	CHECK(dirindex_seek(&d, 0) == &e[0].ix);
	CHECK(dirindex_seek(&d, 3) == &e[1].ix);
	dirindex_remove(&d, &e[1].ix);
	CHECK(dirindex_find(&d, "ab", 2) == NULL);
	CHECK(dirindex_seek(&d, 3) == &e[2].ix);
	CHECK(dirindex_seek(&d, 6) == NULL);
	/* The same name twice for a moment: either is found, and removing
	 * one leaves the other. */
	name_entry(&e[4], "abc");
	CHECK_EQ(dirindex_insert(&d, &e[4].ix), 0);
	CHECK_EQ(e[4].ix.cookie, 6);
	dirindex_remove(&d, &e[2].ix);
	CHECK(dirindex_find(&d, "abc", 3) == &e[4].ix);
	CHECK(dirindex_seek(&d, 3) == &e[3].ix);
	/* Removing the last entry and adding again: cookies never reused. */
	dirindex_remove(&d, &e[4].ix);
	CHECK_EQ(dirindex_insert(&d, &e[4].ix), 0);
	CHECK_EQ(e[4].ix.cookie, 7);
	dirindex_fini(&d);
}

#define N 3000

static struct ent pool[N];

TEST(dirindex_random_against_model)
{
	struct dirindex d;
	uint64_t last_cookie = 0;

	rng_seed(99);
	dirindex_init(&d, 2);
	for (int i = 0; i < N; i++) {
		char name[24];

		snprintf(name, sizeof(name), "n%d", i);
		name_entry(&pool[i], name);
		pool[i].live = false;
	}
	for (int step = 0; step < 60000; step++) {
		int i = (int)(rng() % N);
		struct ent *e = &pool[i];

		if (!e->live) {
			REQUIRE(dirindex_find(&d, e->name, e->ix.len) == NULL);
			REQUIRE(dirindex_insert(&d, &e->ix) == 0);
			REQUIRE(e->ix.cookie > last_cookie);
			last_cookie = e->ix.cookie;
			e->live = true;
		} else if (rng() % 3) {
			REQUIRE(dirindex_find(&d, e->name, e->ix.len) ==
				&e->ix);
			dirindex_remove(&d, &e->ix);
			e->live = false;
		}
		if (step % 2000 == 0) {
			/* Seek to a random position: the first live entry
			 * with a cookie at or above it. */
			uint64_t pos = rng() % (last_cookie + 2);
			struct dirindex_entry *best = NULL;
			size_t live = 0;

			for (int k = 0; k < N; k++) {
				if (!pool[k].live) {
					continue;
				}
				live++;
				uint64_t ck = pool[k].ix.cookie;

				if (ck >= pos && (!best || ck < best->cookie)) {
					best = &pool[k].ix;
				}
			}
			CHECK(dirindex_seek(&d, pos) == best);
			CHECK_EQ(dirindex_count(&d), live);
			/* The tombstones stay bounded. */
			CHECK(d.tombstones <= d.count + 33);
		}
	}
	/* A full scan in order sees each live entry once. */
	{
		uint64_t pos = 0;
		size_t seen = 0;
		struct dirindex_entry *e;

		while ((e = dirindex_seek(&d, pos))) {
			seen++;
			pos = e->cookie + 1;
		}
		CHECK_EQ(seen, dirindex_count(&d));
	}
	dirindex_fini(&d);
}

int main(void)
{
	RUN(dirindex_basic);
	RUN(dirindex_random_against_model);
	return check_done();
}
