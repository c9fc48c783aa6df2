/*
 * Directory entry index (see dirindex.h): chained hash table with FNV-1a
 * hashes, doubled when the load passes one; the order array doubles too
 * and is compacted when half tombstones.
 */
#include "dirindex.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>
#include <linux_abi/errno.h>

#define FIRST_BUCKETS 16
#define FIRST_ORDER 16
#define MIN_TOMBSTONES 32

static uint32_t hash_name(const char *name, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)name[i];
		h *= 16777619u;
	}
	return h;
}

void dirindex_init(struct dirindex *d, uint64_t first_cookie)
{
	memset(d, 0, sizeof(*d));
	d->next_cookie = first_cookie;
}

void dirindex_fini(struct dirindex *d)
{
	free(d->buckets);
	free(d->order);
	d->buckets = NULL;
	d->order = NULL;
	d->nbuckets = 0;
	d->order_len = d->order_cap = 0;
	d->count = 0;
	d->tombstones = 0;
}

struct dirindex_entry *dirindex_find(const struct dirindex *d,
				     const char *name, size_t len)
{
	uint32_t h;

	if (d->nbuckets == 0) {
		return NULL;
	}
	h = hash_name(name, len);
	for (struct dirindex_entry *e = d->buckets[h & (d->nbuckets - 1)]; e;
	     e = e->hash_next) {
		if (e->hash == h && e->len == len &&
		    memcmp(e->name, name, len) == 0) {
			return e;
		}
	}
	return NULL;
}

/* Rehashes every entry into @n buckets. */
static int rehash(struct dirindex *d, size_t n)
{
	struct dirindex_entry **b = calloc(n, sizeof(*b));

	if (!b) {
		return -LINUX_ENOMEM;
	}
	for (size_t i = 0; i < d->nbuckets; i++) {
		struct dirindex_entry *e = d->buckets[i], *next;

		for (; e; e = next) {
			next = e->hash_next;
			e->hash_next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(d->buckets);
	d->buckets = b;
	d->nbuckets = n;
	return 0;
}

/* Drops the tombstones (cookies of live entries are kept). */
static void compact(struct dirindex *d)
{
	size_t j = 0;

	for (size_t i = 0; i < d->order_len; i++) {
		if (d->order[i].entry) {
			d->order[j++] = d->order[i];
		}
	}
	d->order_len = j;
	d->tombstones = 0;
}

int dirindex_insert(struct dirindex *d, struct dirindex_entry *e)
{
	size_t b;

	/* Grow both tables first, so a failure changes nothing. */
	if (d->count + 1 > d->nbuckets) {
		int err = rehash(d, d->nbuckets ? d->nbuckets * 2
						 : FIRST_BUCKETS);

		if (err < 0) {
			return err;
		}
	}
	if (d->order_len == d->order_cap && d->tombstones > 0 &&
	    d->tombstones >= d->order_len / 4) {
		compact(d);
	}
	if (d->order_len == d->order_cap) {
		size_t cap = d->order_cap ? d->order_cap * 2 : FIRST_ORDER;
		struct dirindex_slot *o = realloc(d->order, cap * sizeof(*o));

		if (!o) {
			return -LINUX_ENOMEM;
		}
		d->order = o;
		d->order_cap = cap;
	}
	e->hash = hash_name(e->name, e->len);
	e->cookie = d->next_cookie++;
	b = e->hash & (d->nbuckets - 1);
	e->hash_next = d->buckets[b];
	d->buckets[b] = e;
	d->order[d->order_len].cookie = e->cookie;
	d->order[d->order_len].entry = e;
	d->order_len++;
	d->count++;
	return 0;
}

/* The index of the first slot whose cookie is >= @pos. */
static size_t lower_bound(const struct dirindex *d, uint64_t pos)
{
	size_t lo = 0, hi = d->order_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->order[mid].cookie < pos) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

void dirindex_remove(struct dirindex *d, struct dirindex_entry *e)
{
	struct dirindex_entry **pp = &d->buckets[e->hash & (d->nbuckets - 1)];
	size_t i;

	while (*pp != e) {
		pp = &(*pp)->hash_next;
	}
	*pp = e->hash_next;
	e->hash_next = NULL;
	i = lower_bound(d, e->cookie);
	d->order[i].entry = NULL;
	d->count--;
	d->tombstones++;
	/* Trailing tombstones cost nothing to drop. */
	while (d->order_len > 0 && !d->order[d->order_len - 1].entry) {
		d->order_len--;
		d->tombstones--;
	}
	if (d->tombstones > MIN_TOMBSTONES && d->tombstones > d->count) {
		compact(d);
	}
}

struct dirindex_entry *dirindex_seek(const struct dirindex *d, uint64_t pos)
{
	for (size_t i = lower_bound(d, pos); i < d->order_len; i++) {
		if (d->order[i].entry) {
			return d->order[i].entry;
		}
	}
	return NULL;
}
