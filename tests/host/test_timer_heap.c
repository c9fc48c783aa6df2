/*
 * Host tests of the timer pairing heap (kernel/generic/time/timer_heap.c):
 * ordering against a sorted shadow, arbitrary removal (cancellation) of
 * roots, leaves and inner nodes, ties, and re-insertion.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "rng.h"
#include <time/timer_heap.h>

#define N 2000

static struct timer_heap_node nodes[N];
static int in_heap[N];


/* The smallest key among the nodes marked in_heap (the shadow). */
static uint64_t shadow_min(void)
{
	uint64_t min = UINT64_MAX;

	for (int i = 0; i < N; i++) {
		if (in_heap[i] && nodes[i].key < min) {
			min = nodes[i].key;
		}
	}
	return min;
}

TEST(empty_heap)
{
	struct timer_heap h;

	timer_heap_init(&h);
	CHECK(timer_heap_min(&h) == NULL);
	CHECK(timer_heap_pop(&h) == NULL);
	CHECK_EQ(h.count, 0);
}

TEST(pops_in_key_order)
{
	struct timer_heap h;
	uint64_t last = 0;

	timer_heap_init(&h);
	for (int i = 0; i < N; i++) {
		timer_heap_insert(&h, &nodes[i], rng() % 500); /* many ties */
	}
	CHECK_EQ(h.count, N);
	for (int i = 0; i < N; i++) {
		struct timer_heap_node *n = timer_heap_pop(&h);

		REQUIRE(n != NULL);
		CHECK(n->key >= last);
		last = n->key;
	}
	CHECK(timer_heap_pop(&h) == NULL);
	CHECK_EQ(h.count, 0);
}

TEST(random_insert_remove_pop)
{
	struct timer_heap h;
	int live = 0;

	timer_heap_init(&h);
	for (int i = 0; i < N; i++) {
		in_heap[i] = 0;
	}
	for (int step = 0; step < 50000; step++) {
		int i = (int)(rng() % N);
		uint64_t op = rng() % 3;

		if (!in_heap[i]) {
			timer_heap_insert(&h, &nodes[i], rng() % 100000);
			in_heap[i] = 1;
			live++;
		} else if (op == 0) {
			timer_heap_remove(&h, &nodes[i]);
			in_heap[i] = 0;
			live--;
		} else if (op == 1) {
			uint64_t want = shadow_min();
			struct timer_heap_node *n = timer_heap_pop(&h);

			REQUIRE(n != NULL);
			CHECK_EQ(n->key, want);
			in_heap[n - nodes] = 0;
			live--;
		}
		CHECK_EQ(h.count, live);
		if (live) {
			CHECK_EQ(timer_heap_min(&h)->key, shadow_min());
		}
	}
	while (timer_heap_pop(&h)) {
		live--;
	}
	CHECK_EQ(live, 0);
}

TEST(remove_root_and_reinsert)
{
	struct timer_heap h;
	static const uint64_t order[] = { 0, 2, 3, 4, 5, 6, 7, 8, 9 };

	timer_heap_init(&h);
	for (int i = 0; i < 10; i++) {
		timer_heap_insert(&h, &nodes[i], (uint64_t)(10 - i));
	}
	CHECK(timer_heap_min(&h) == &nodes[9]);	/* key 1 */
	timer_heap_remove(&h, &nodes[9]);
	CHECK(timer_heap_min(&h) == &nodes[8]);	/* key 2 */
	timer_heap_insert(&h, &nodes[9], 0);
	CHECK(timer_heap_min(&h) == &nodes[9]);
	timer_heap_remove(&h, &nodes[0]);	/* key 10, an inner node */
	CHECK_EQ(h.count, 9);
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct timer_heap_node *n = timer_heap_pop(&h);

		REQUIRE(n != NULL);
		CHECK_EQ(n->key, order[i]);
	}
	CHECK(timer_heap_pop(&h) == NULL);
}

int main(void)
{
	RUN(empty_heap);
	RUN(pops_in_key_order);
	RUN(random_insert_remove_pop);
	RUN(remove_root_and_reinsert);
	return check_done();
}
