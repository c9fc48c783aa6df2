/*
 * Intrusive circular doubly linked lists, as in most C kernels: embed a
 * struct list_node in the object and get back to the object with
 * container_of. An empty list is a head that points to itself. Nothing
 * here allocates or locks; callers serialise access.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *next;
	struct list_node *prev;
};

#define container_of(ptr, type, member)                                     \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define LIST_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_node *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_is_empty(const struct list_node *head)
{
	return head->next == head;
}

/* Inserts @node between @prev and @next. */
static inline void list_insert_between(struct list_node *node,
				       struct list_node *prev,
				       struct list_node *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

static inline void list_add_head(struct list_node *head, struct list_node *node)
{
	list_insert_between(node, head, head->next);
}

static inline void list_add_tail(struct list_node *head, struct list_node *node)
{
	list_insert_between(node, head->prev, head);
}

/* Unlinks @node and leaves it pointing to itself (so a second remove is
 * harmless and list_is_linked() is false). */
static inline void list_remove(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = node;
	node->prev = node;
}

static inline bool list_is_linked(const struct list_node *node)
{
	return node->next != node;
}

/* Returns the first node, or NULL when the list is empty. */
static inline struct list_node *list_first(const struct list_node *head)
{
	return list_is_empty(head) ? NULL : head->next;
}

/* Removes and returns the first node, or NULL when the list is empty. */
static inline struct list_node *list_pop_head(struct list_node *head)
{
	struct list_node *node = list_first(head);

	if (node) {
		list_remove(node);
	}
	return node;
}

#define list_for_each(pos, head)                                            \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* Safe against removal of @pos inside the loop body. */
#define list_for_each_safe(pos, tmp, head)                                  \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head);   \
	     (pos) = (tmp), (tmp) = (pos)->next)
