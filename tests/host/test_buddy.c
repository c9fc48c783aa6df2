/*
 * Host tests of the buddy allocator (kernel/generic/mm/buddy.c): every
 * order, exhaustion and refill, random churn against a shadow bitmap,
 * fragmentation and coalescing, unaligned zones, holes, and hostile frees.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "rng.h"
#include <mm/buddy.h>

#define MAX_BLOCK BLOCK(BUDDY_MAX_ORDER - 1)
#define BLOCK(order) ((uint64_t)1 << (order))


struct test_zone {
	struct buddy_zone zone;
	struct buddy_frame *frames;
	uint8_t *shadow; /* 1 = frame handed out */
	uint8_t *usable; /* 1 = frame was handed to the allocator */
};

static void tz_init(struct test_zone *tz, uint64_t base, uint64_t npages)
{
	tz->frames = calloc(npages ? npages : 1, sizeof(*tz->frames));
	tz->shadow = calloc(npages ? npages : 1, 1);
	tz->usable = calloc(npages ? npages : 1, 1);
	buddy_init(&tz->zone, base, npages, tz->frames);
}

static void tz_add(struct test_zone *tz, uint64_t pfn, uint64_t count)
{
	for (uint64_t p = pfn; p < pfn + count; p++) {
		if (p >= tz->zone.base_pfn &&
		    p < tz->zone.base_pfn + tz->zone.npages) {
			tz->usable[p - tz->zone.base_pfn] = 1;
		}
	}
	buddy_add_free_range(&tz->zone, pfn, count);
}

static void tz_fini(struct test_zone *tz)
{
	free(tz->frames);
	free(tz->shadow);
	free(tz->usable);
}

/* Marks a block handed out in the shadow; false if any frame of it was
 * already out, not usable, or outside the zone, or it is misaligned. */
static bool tz_take(struct test_zone *tz, uint64_t pfn, unsigned order)
{
	uint64_t base = tz->zone.base_pfn;

	if (pfn < base || pfn + BLOCK(order) > base + tz->zone.npages ||
	    (pfn & (BLOCK(order) - 1))) {
		return false;
	}
	for (uint64_t i = 0; i < BLOCK(order); i++) {
		if (tz->shadow[pfn - base + i] || !tz->usable[pfn - base + i]) {
			return false;
		}
		tz->shadow[pfn - base + i] = 1;
	}
	return true;
}

static void tz_give(struct test_zone *tz, uint64_t pfn, unsigned order)
{
	for (uint64_t i = 0; i < BLOCK(order); i++) {
		tz->shadow[pfn - tz->zone.base_pfn + i] = 0;
	}
}

static uint64_t list_len(const struct list_node *head)
{
	const struct list_node *n;
	uint64_t len = 0;

	list_for_each(n, head) {
		len++;
	}
	return len;
}

/* Free blocks per order in @zone, as an array of counts. */
static void free_blocks(const struct buddy_zone *zone,
			uint64_t count[BUDDY_MAX_ORDER])
{
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		count[o] = list_len(&zone->free_lists[o]);
	}
}

TEST(frame_is_small)
{
	CHECK(sizeof(struct buddy_frame) <= 24);
	CHECK_EQ(BUDDY_MAX_ORDER, 11);
}

TEST(starts_reserved)
{
	struct test_zone tz;
	uint64_t pfn = 77;

	tz_init(&tz, 0, 4096);
	CHECK_EQ(buddy_free_pages(&tz.zone), 0);
	CHECK(buddy_check(&tz.zone));
	CHECK_EQ(buddy_alloc(&tz.zone, 0, &pfn), ERR_NO_MEMORY);
	CHECK_EQ(pfn, 77);
	CHECK_EQ(buddy_alloc(&tz.zone, BUDDY_MAX_ORDER, &pfn), ERR_INVALID);
	CHECK_EQ(buddy_alloc(&tz.zone, 1000, &pfn), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, 0, 0), ERR_INVALID);
	CHECK(buddy_check(&tz.zone));
	tz_fini(&tz);
}

TEST(empty_zone)
{
	struct buddy_zone zone;
	uint64_t pfn;

	buddy_init(&zone, 123, 0, NULL);
	buddy_add_free_range(&zone, 0, 1000);
	CHECK_EQ(buddy_free_pages(&zone), 0);
	CHECK_EQ(buddy_alloc(&zone, 0, &pfn), ERR_NO_MEMORY);
	CHECK_EQ(buddy_free(&zone, 123, 0), ERR_INVALID);
	CHECK(buddy_check(&zone));
}

TEST(add_range_makes_max_blocks)
{
	struct test_zone tz;
	uint64_t count[BUDDY_MAX_ORDER];

	tz_init(&tz, 0, 4 * MAX_BLOCK);
	tz_add(&tz, 0, 4 * MAX_BLOCK);
	CHECK_EQ(buddy_free_pages(&tz.zone), 4 * MAX_BLOCK);
	CHECK_EQ(tz.zone.managed_pages, 4 * MAX_BLOCK);
	free_blocks(&tz.zone, count);
	CHECK_EQ(count[BUDDY_MAX_ORDER - 1], 4);
	for (unsigned o = 0; o + 1 < BUDDY_MAX_ORDER; o++) {
		CHECK_EQ(count[o], 0);
	}
	CHECK(buddy_check(&tz.zone));
	tz_fini(&tz);
}

TEST(pieces_merge_across_calls)
{
	struct test_zone tz;
	uint64_t count[BUDDY_MAX_ORDER];

	/* Page by page, in a shuffled order: must end as one 4 MiB block. */
	tz_init(&tz, 0, MAX_BLOCK);
	for (uint64_t i = 0; i < MAX_BLOCK; i++) {
		/* 389 is odd, so this visits every frame once. */
		uint64_t j = (i * 389 + 17) % MAX_BLOCK;

		tz_add(&tz, j, 1);
	}
	free_blocks(&tz.zone, count);
	CHECK_EQ(count[BUDDY_MAX_ORDER - 1], 1);
	CHECK_EQ(buddy_free_pages(&tz.zone), MAX_BLOCK);
	CHECK(buddy_check(&tz.zone));
	tz_fini(&tz);
}

TEST(every_order)
{
	struct test_zone tz;
	uint64_t pfns[BUDDY_MAX_ORDER];
	uint64_t total = 4 * MAX_BLOCK;
	uint64_t used = 0;
	uint64_t count[BUDDY_MAX_ORDER];

	tz_init(&tz, 0, total);
	tz_add(&tz, 0, total);
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		REQUIRE(buddy_alloc(&tz.zone, o, &pfns[o]) == ERR_OK);
		CHECK(tz_take(&tz, pfns[o], o));
		used += BLOCK(o);
		CHECK_EQ(buddy_free_pages(&tz.zone), total - used);
		CHECK(buddy_check(&tz.zone));
	}
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		CHECK_EQ(buddy_free(&tz.zone, pfns[o], o), ERR_OK);
		tz_give(&tz, pfns[o], o);
		CHECK(buddy_check(&tz.zone));
	}
	CHECK_EQ(buddy_free_pages(&tz.zone), total);
	free_blocks(&tz.zone, count);
	CHECK_EQ(count[BUDDY_MAX_ORDER - 1], 4);
	tz_fini(&tz);
}

TEST(exhaust_and_refill)
{
	struct test_zone tz;
	uint64_t total = 2 * MAX_BLOCK;
	uint64_t *pfns = calloc(total, sizeof(*pfns));
	uint64_t n = 0, pfn, count[BUDDY_MAX_ORDER];

	tz_init(&tz, 0, total);
	tz_add(&tz, 0, total);
	for (int round = 0; round < 2; round++) {
		n = 0;
		while (buddy_alloc(&tz.zone, 0, &pfn) == ERR_OK) {
			CHECK(n < total);
			if (n >= total || !tz_take(&tz, pfn, 0)) {
				CHECK(!"frame handed out twice");
				break;
			}
			pfns[n++] = pfn;
		}
		CHECK_EQ(n, total);
		CHECK_EQ(buddy_free_pages(&tz.zone), 0);
		CHECK_EQ(buddy_alloc(&tz.zone, 0, &pfn), ERR_NO_MEMORY);
		CHECK_EQ(buddy_alloc(&tz.zone, 3, &pfn), ERR_NO_MEMORY);
		CHECK(buddy_check(&tz.zone));
		/* Free in a shuffled order. */
		rng_seed(42 + round);
		for (uint64_t i = n; i > 1; i--) {
			uint64_t j = rng_next() % i, t = pfns[i - 1];

			pfns[i - 1] = pfns[j];
			pfns[j] = t;
		}
		for (uint64_t i = 0; i < n; i++) {
			CHECK_EQ(buddy_free(&tz.zone, pfns[i], 0), ERR_OK);
			tz_give(&tz, pfns[i], 0);
		}
		CHECK_EQ(buddy_free_pages(&tz.zone), total);
		free_blocks(&tz.zone, count);
		CHECK_EQ(count[BUDDY_MAX_ORDER - 1], 2);
		CHECK(buddy_check(&tz.zone));
	}
	/* Exhaust with the largest order too. */
	CHECK_EQ(buddy_alloc(&tz.zone, BUDDY_MAX_ORDER - 1, &pfns[0]), ERR_OK);
	CHECK_EQ(buddy_alloc(&tz.zone, BUDDY_MAX_ORDER - 1, &pfns[1]), ERR_OK);
	CHECK_EQ(buddy_alloc(&tz.zone, 0, &pfn), ERR_NO_MEMORY);
	CHECK(pfns[0] != pfns[1]);
	CHECK_EQ(buddy_free(&tz.zone, pfns[0], BUDDY_MAX_ORDER - 1), ERR_OK);
	CHECK_EQ(buddy_free(&tz.zone, pfns[1], BUDDY_MAX_ORDER - 1), ERR_OK);
	CHECK_EQ(buddy_free_pages(&tz.zone), total);
	free(pfns);
	tz_fini(&tz);
}

struct live_block {
	uint64_t pfn;
	unsigned order;
};

/* Random alloc/free against the shadow, then frees everything and checks
 * the zone is back to exactly the blocks it started with. */
static void churn(struct test_zone *tz, uint64_t seed, unsigned steps,
		  unsigned max_order)
{
	uint64_t cap = tz->zone.npages + 1;
	struct live_block *live = calloc(cap, sizeof(*live));
	uint64_t nlive = 0, out = 0, start = buddy_free_pages(&tz->zone);
	uint64_t count[BUDDY_MAX_ORDER], before[BUDDY_MAX_ORDER];

	free_blocks(&tz->zone, before);
	rng_seed(seed);
	for (unsigned step = 0; step < steps; step++) {
		bool do_alloc = nlive == 0 || rng_next() % 100 < 55;

		if (do_alloc) {
			/* Small orders much more often than large ones. */
			unsigned order =
				(unsigned)(rng_next() % (max_order + 1));
			uint64_t pfn;
			err_t err;

			if (rng_next() % 4) {
				order = order / 3;
			}
			err = buddy_alloc(&tz->zone, order, &pfn);
			if (err == ERR_NO_MEMORY) {
				continue;
			}
			CHECK_EQ(err, ERR_OK);
			if (err || !tz_take(tz, pfn, order)) {
				CHECK(!"bad or doubly handed out block");
				break;
			}
			live[nlive++] = (struct live_block){ pfn, order };
			out += BLOCK(order);
		} else {
			uint64_t k = rng_next() % nlive;

			CHECK_EQ(buddy_free(&tz->zone, live[k].pfn,
					    live[k].order),
				 ERR_OK);
			tz_give(tz, live[k].pfn, live[k].order);
			out -= BLOCK(live[k].order);
			live[k] = live[--nlive];
		}
		CHECK_EQ(buddy_free_pages(&tz->zone), start - out);
		if (step % 512 == 0) {
			CHECK(buddy_check(&tz->zone));
		}
	}
	CHECK(buddy_check(&tz->zone));
	while (nlive) {
		nlive--;
		CHECK_EQ(buddy_free(&tz->zone, live[nlive].pfn,
				    live[nlive].order),
			 ERR_OK);
		tz_give(tz, live[nlive].pfn, live[nlive].order);
	}
	CHECK_EQ(buddy_free_pages(&tz->zone), start);
	CHECK(buddy_check(&tz->zone));
	/* Everything coalesced back to the blocks there were at the start. */
	free_blocks(&tz->zone, count);
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		CHECK_EQ(count[o], before[o]);
	}
	free(live);
}

TEST(random_churn)
{
	struct test_zone tz;

	tz_init(&tz, 0, 8 * MAX_BLOCK);
	tz_add(&tz, 0, 8 * MAX_BLOCK);
	churn(&tz, 0x6b65656cull, 60000, BUDDY_MAX_ORDER - 1);
	churn(&tz, 12345, 60000, 4);
	tz_fini(&tz);
}

TEST(random_churn_small_zone_pressure)
{
	struct test_zone tz;

	/* Small enough that allocations fail often. */
	tz_init(&tz, 0, 300);
	tz_add(&tz, 0, 300);
	churn(&tz, 99, 40000, 6);
	tz_fini(&tz);
}

TEST(fragment_then_coalesce)
{
	struct test_zone tz;
	uint64_t total = MAX_BLOCK * 2;
	uint64_t pfn, count[BUDDY_MAX_ORDER];

	tz_init(&tz, 0, total);
	tz_add(&tz, 0, total);
	for (uint64_t i = 0; i < total; i++) {
		REQUIRE(buddy_alloc(&tz.zone, 0, &pfn) == ERR_OK);
	}
	/* Free every other frame: nothing can merge. */
	for (uint64_t p = 0; p < total; p += 2) {
		CHECK_EQ(buddy_free(&tz.zone, p, 0), ERR_OK);
	}
	CHECK_EQ(buddy_free_pages(&tz.zone), total / 2);
	free_blocks(&tz.zone, count);
	CHECK_EQ(count[0], total / 2);
	CHECK_EQ(buddy_alloc(&tz.zone, 1, &pfn), ERR_NO_MEMORY);
	CHECK(buddy_check(&tz.zone));
	/* Free the rest: back to two 4 MiB blocks. */
	for (uint64_t p = 1; p < total; p += 2) {
		CHECK_EQ(buddy_free(&tz.zone, p, 0), ERR_OK);
	}
	free_blocks(&tz.zone, count);
	CHECK_EQ(count[BUDDY_MAX_ORDER - 1], 2);
	for (unsigned o = 0; o + 1 < BUDDY_MAX_ORDER; o++) {
		CHECK_EQ(count[o], 0);
	}
	CHECK_EQ(buddy_free_pages(&tz.zone), total);
	CHECK(buddy_check(&tz.zone));
	tz_fini(&tz);
}

TEST(split_keeps_low_half)
{
	struct test_zone tz;
	uint64_t a, b, c;

	tz_init(&tz, 0, 8);
	tz_add(&tz, 0, 8);
	CHECK_EQ(buddy_alloc(&tz.zone, 0, &a), ERR_OK);
	CHECK_EQ(buddy_alloc(&tz.zone, 1, &b), ERR_OK);
	CHECK_EQ(buddy_alloc(&tz.zone, 2, &c), ERR_OK);
	CHECK_EQ(a, 0);
	CHECK_EQ(b, 2);
	CHECK_EQ(c, 4);
	CHECK_EQ(buddy_free_pages(&tz.zone), 1);
	CHECK(buddy_check(&tz.zone));
	tz_fini(&tz);
}

TEST(unaligned_base_odd_size)
{
	struct test_zone tz;
	uint64_t base = 1000003, npages = 5003, pfn, n = 0, pages = 0;
	struct live_block *blocks = calloc(npages, sizeof(*blocks));

	tz_init(&tz, base, npages);
	tz_add(&tz, base, npages);
	CHECK_EQ(buddy_free_pages(&tz.zone), npages);
	CHECK(buddy_check(&tz.zone));
	/* Every free block aligned in absolute pfns. */
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		const struct list_node *node;

		list_for_each(node, &tz.zone.free_lists[o]) {
			const struct buddy_frame *f =
				container_of(node, struct buddy_frame, node);
			uint64_t p = base + (uint64_t)(f - tz.frames);

			CHECK_EQ(p & (BLOCK(o) - 1), 0);
		}
	}
	/* Exhaust from the largest order down; check each block. */
	for (int o = BUDDY_MAX_ORDER - 1; o >= 0; o--) {
		while (buddy_alloc(&tz.zone, (unsigned)o, &pfn) == ERR_OK) {
			CHECK(tz_take(&tz, pfn, (unsigned)o));
			blocks[n++] = (struct live_block){ pfn, (unsigned)o };
			pages += BLOCK(o);
		}
	}
	CHECK_EQ(pages, npages);
	CHECK_EQ(buddy_free_pages(&tz.zone), 0);
	for (uint64_t i = 0; i < n; i++) {
		CHECK_EQ(buddy_free(&tz.zone, blocks[i].pfn, blocks[i].order),
			 ERR_OK);
		tz_give(&tz, blocks[i].pfn, blocks[i].order);
	}
	CHECK_EQ(buddy_free_pages(&tz.zone), npages);
	CHECK(buddy_check(&tz.zone));
	churn(&tz, 2024, 20000, BUDDY_MAX_ORDER - 1);
	free(blocks);
	tz_fini(&tz);
}

TEST(holes_never_handed_out)
{
	/* Like a PC: a low hole, RAM, a hole, RAM, odd edges. */
	static const uint64_t ram[][2] = {
		{ 1, 158 }, { 256, 1700 }, { 2049, 1023 }, { 3333, 2667 },
	};
	struct test_zone tz;
	uint64_t npages = 6000, added = 0, pfn, got = 0;

	tz_init(&tz, 0, npages);
	for (unsigned i = 0; i < 4; i++) {
		tz_add(&tz, ram[i][0], ram[i][1]);
		added += ram[i][1];
	}
	CHECK_EQ(buddy_free_pages(&tz.zone), added);
	CHECK(buddy_check(&tz.zone));
	while (buddy_alloc(&tz.zone, 0, &pfn) == ERR_OK) {
		if (!tz_take(&tz, pfn, 0)) {
			CHECK(!"hole or doubly handed out frame");
			break;
		}
		got++;
	}
	CHECK_EQ(got, added);
	for (uint64_t p = 0; p < npages; p++) {
		if (tz.shadow[p]) {
			CHECK_EQ(buddy_free(&tz.zone, p, 0), ERR_OK);
			tz_give(&tz, p, 0);
		} else {
			/* Hole frames are reserved: freeing them is refused. */
			CHECK_EQ(buddy_free(&tz.zone, p, 0), ERR_INVALID);
		}
	}
	CHECK_EQ(buddy_free_pages(&tz.zone), added);
	CHECK(buddy_check(&tz.zone));
	churn(&tz, 31337, 30000, 8);
	tz_fini(&tz);
}

TEST(add_range_clipped_and_twice)
{
	struct test_zone tz;
	uint64_t count[BUDDY_MAX_ORDER];

	tz_init(&tz, 4096, 1024);
	/* Starts below the zone, ends inside. */
	tz_add(&tz, 0, 4096 + 100);
	CHECK_EQ(buddy_free_pages(&tz.zone), 100);
	/* Overlaps what was added: only the new part counts. */
	tz_add(&tz, 4096 + 50, 200);
	CHECK_EQ(buddy_free_pages(&tz.zone), 250);
	/* Runs past the end (huge count: no overflow). */
	buddy_add_free_range(&tz.zone, 4096 + 250, UINT64_MAX);
	CHECK_EQ(buddy_free_pages(&tz.zone), 1024);
	/* Entirely outside, and everything again. */
	buddy_add_free_range(&tz.zone, 0, 4096);
	buddy_add_free_range(&tz.zone, 4096 + 1024, 5000);
	buddy_add_free_range(&tz.zone, UINT64_MAX - 10, 20);
	buddy_add_free_range(&tz.zone, 4096, 1024);
	CHECK_EQ(buddy_free_pages(&tz.zone), 1024);
	CHECK_EQ(tz.zone.managed_pages, 1024);
	free_blocks(&tz.zone, count);
	CHECK_EQ(count[BUDDY_MAX_ORDER - 1], 1);
	CHECK(buddy_check(&tz.zone));
	tz_fini(&tz);
}

TEST(add_range_over_allocated_frames)
{
	struct test_zone tz;
	uint64_t pfn;

	tz_init(&tz, 0, 64);
	tz_add(&tz, 0, 16);
	CHECK_EQ(buddy_alloc(&tz.zone, 2, &pfn), ERR_OK);
	/* Handing the same RAM over while part of it is allocated must not
	 * free the allocated frames. */
	buddy_add_free_range(&tz.zone, 0, 64);
	CHECK_EQ(buddy_free_pages(&tz.zone), 64 - 4);
	CHECK(buddy_check(&tz.zone));
	CHECK_EQ(buddy_free(&tz.zone, pfn, 2), ERR_OK);
	CHECK_EQ(buddy_free_pages(&tz.zone), 64);
	CHECK_EQ(list_len(&tz.zone.free_lists[6]), 1);
	CHECK(buddy_check(&tz.zone));
	tz_fini(&tz);
}

TEST(hostile_frees)
{
	struct test_zone tz;
	uint64_t a, b, free_before;

	tz_init(&tz, 100, 900);
	tz_add(&tz, 128, 512);
	REQUIRE(buddy_alloc(&tz.zone, 3, &a) == ERR_OK);
	REQUIRE(buddy_alloc(&tz.zone, 0, &b) == ERR_OK);
	free_before = buddy_free_pages(&tz.zone);

	/* Wrong order, tail frames, misaligned, out of range, reserved. */
	CHECK_EQ(buddy_free(&tz.zone, a, 2), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, a, 4), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, a + 1, 0), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, a + 4, 2), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, a + 1, 3), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, 99, 0), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, 0, 0), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, 1000, 0), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, UINT64_MAX, 0), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, 896, 3), ERR_INVALID); /* runs past */
	CHECK_EQ(buddy_free(&tz.zone, 100, 0), ERR_INVALID); /* reserved */
	CHECK_EQ(buddy_free(&tz.zone, 700, 0), ERR_INVALID); /* reserved */
	CHECK_EQ(buddy_free(&tz.zone, a, BUDDY_MAX_ORDER), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, a, 200), ERR_INVALID);
	/* A frame that is free (never allocated). */
	CHECK_EQ(buddy_free(&tz.zone, 600, 0), ERR_INVALID);
	CHECK_EQ(buddy_free_pages(&tz.zone), free_before);
	CHECK(buddy_check(&tz.zone));

	/* Double frees. */
	CHECK_EQ(buddy_free(&tz.zone, a, 3), ERR_OK);
	CHECK_EQ(buddy_free(&tz.zone, a, 3), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, a, 0), ERR_INVALID);
	CHECK_EQ(buddy_free(&tz.zone, b, 0), ERR_OK);
	CHECK_EQ(buddy_free(&tz.zone, b, 0), ERR_INVALID);
	CHECK_EQ(buddy_free_pages(&tz.zone), 512);
	CHECK(buddy_check(&tz.zone));
	/* [128, 640) is 128-255 (order 7), 256-511 (8), 512-639 (7). */
	CHECK_EQ(list_len(&tz.zone.free_lists[7]), 2);
	CHECK_EQ(list_len(&tz.zone.free_lists[8]), 1);
	tz_fini(&tz);
}

TEST(check_catches_corruption)
{
	struct test_zone tz;
	uint64_t a;
	struct buddy_frame saved;

	tz_init(&tz, 0, 64);
	tz_add(&tz, 0, 64);
	REQUIRE(buddy_alloc(&tz.zone, 2, &a) == ERR_OK);
	REQUIRE(buddy_check(&tz.zone));

	/* A tail frame that claims to be a block head (overlap). */
	saved = tz.frames[a + 1];
	tz.frames[a + 1].flags = BUDDY_FRAME_ALLOCATED;
	CHECK(!buddy_check(&tz.zone));
	tz.frames[a + 1] = saved;
	CHECK(buddy_check(&tz.zone));

	/* A head that lost its flags (orphan tails). */
	tz.frames[a].flags = 0;
	CHECK(!buddy_check(&tz.zone));
	tz.frames[a].flags = BUDDY_FRAME_ALLOCATED;

	/* Free count out of step with the lists. */
	tz.zone.free_pages++;
	CHECK(!buddy_check(&tz.zone));
	tz.zone.free_pages--;

	/* A free list whose links do not close. */
	{
		struct list_node *first = tz.zone.free_lists[2].next;

		REQUIRE(first != &tz.zone.free_lists[2]);
		first->next = first;
		CHECK(!buddy_check(&tz.zone));
	}
	tz_fini(&tz);
}

int main(void)
{
	RUN(frame_is_small);
	RUN(starts_reserved);
	RUN(empty_zone);
	RUN(add_range_makes_max_blocks);
	RUN(pieces_merge_across_calls);
	RUN(every_order);
	RUN(exhaust_and_refill);
	RUN(random_churn);
	RUN(random_churn_small_zone_pressure);
	RUN(fragment_then_coalesce);
	RUN(split_keeps_low_half);
	RUN(unaligned_base_odd_size);
	RUN(holes_never_handed_out);
	RUN(add_range_clipped_and_twice);
	RUN(add_range_over_allocated_frames);
	RUN(hostile_frees);
	RUN(check_catches_corruption);
	return check_done();
}
