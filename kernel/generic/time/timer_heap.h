/*
 * An intrusive pairing heap of deadlines: insert O(1), removing the
 * earliest O(log n) amortised, removing any node (cancellation) O(log n)
 * amortised. Pure data structure: no locks, no allocation; the timer
 * queue (timer.c) locks around it. Ties keep no particular order.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct timer_heap_node {
	uint64_t key;
	struct timer_heap_node *child;	/* first child */
	struct timer_heap_node *next;	/* next sibling */
	struct timer_heap_node *prev;	/* previous sibling, or the parent
					 * for a first child; NULL at root */
};

struct timer_heap {
	struct timer_heap_node *root;
	uint64_t count;
};

static inline void timer_heap_init(struct timer_heap *heap)
{
	heap->root = 0;
	heap->count = 0;
}

static inline struct timer_heap_node *timer_heap_min(const struct timer_heap *h)
{
	return h->root;
}

/* Adds @node with key @key. @node must not be in a heap. */
void timer_heap_insert(struct timer_heap *heap, struct timer_heap_node *node,
		       uint64_t key);
/* Removes @node, which must be in @heap. */
void timer_heap_remove(struct timer_heap *heap, struct timer_heap_node *node);
/* Removes and returns the node with the smallest key, or NULL. */
struct timer_heap_node *timer_heap_pop(struct timer_heap *heap);
