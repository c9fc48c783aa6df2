/*
 * Pairing heap (see timer_heap.h): a heap-ordered multiway tree kept as
 * child/sibling lists. Removing the root merges its children pairwise
 * left to right, then right to left into one tree.
 */
#include <stddef.h>

#include <time/timer_heap.h>

static struct timer_heap_node *meld(struct timer_heap_node *a,
				    struct timer_heap_node *b)
{
	struct timer_heap_node *tmp;

	if (!a) {
		return b;
	}
	if (!b) {
		return a;
	}
	if (b->key < a->key) {
		tmp = a;
		a = b;
		b = tmp;
	}
	/* b becomes the first child of a. */
	b->next = a->child;
	if (a->child) {
		a->child->prev = b;
	}
	b->prev = a;
	a->child = b;
	a->next = NULL;
	a->prev = NULL;
	return a;
}

/* Merges a sibling list into one tree (the two-pass pairing). */
static struct timer_heap_node *merge_pairs(struct timer_heap_node *first)
{
	struct timer_heap_node *pairs = NULL; /* pass one's result, reversed */
	struct timer_heap_node *result = NULL;

	while (first) {
		struct timer_heap_node *a = first;
		struct timer_heap_node *b = a->next;
		struct timer_heap_node *rest = b ? b->next : NULL;
		struct timer_heap_node *m;

		a->next = a->prev = NULL;
		if (b) {
			b->next = b->prev = NULL;
		}
		m = meld(a, b);
		m->next = pairs; /* a stack linked through next */
		pairs = m;
		first = rest;
	}
	while (pairs) {
		struct timer_heap_node *next = pairs->next;

		pairs->next = NULL;
		result = meld(pairs, result);
		pairs = next;
	}
	return result;
}

void timer_heap_insert(struct timer_heap *heap, struct timer_heap_node *node,
		       uint64_t key)
{
	node->key = key;
	node->child = node->next = node->prev = NULL;
	heap->root = meld(heap->root, node);
	heap->count++;
}

struct timer_heap_node *timer_heap_pop(struct timer_heap *heap)
{
	struct timer_heap_node *min = heap->root;

	if (min) {
		timer_heap_remove(heap, min);
	}
	return min;
}

void timer_heap_remove(struct timer_heap *heap, struct timer_heap_node *node)
{
	struct timer_heap_node *sub;

	if (node != heap->root) {
		/* Cut node's subtree out of its sibling list. */
		if (node->prev->child == node) {
			node->prev->child = node->next;
		} else {
			node->prev->next = node->next;
		}
		if (node->next) {
			node->next->prev = node->prev;
		}
		node->next = node->prev = NULL;
		sub = merge_pairs(node->child);
		heap->root = meld(heap->root, sub);
	} else {
		heap->root = merge_pairs(node->child);
	}
	if (heap->root) {
		heap->root->prev = NULL;
	}
	node->child = node->next = node->prev = NULL;
	heap->count--;
}
