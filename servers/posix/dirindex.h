/*
 * The entries of one directory, for file systems that keep directories in
 * memory (tmpfs): a hash table by name for lookups and an array in
 * insertion order for reading. Each entry gets a cookie when inserted,
 * increasing and never reused in this directory; readdir positions are
 * cookies, so a position stays valid whatever is removed or added while
 * a program reads the directory (an entry present throughout is returned
 * exactly once; POSIX lets entries added meanwhile show up or not).
 *
 * Removal leaves a tombstone in the order array, compacted away once
 * there are more tombstones than entries; positions are found by binary
 * search on the cookies, so lookups, insertions, removals and seeks stay
 * cheap at tens of thousands of entries.
 *
 * The entries themselves belong to the caller (embed struct
 * dirindex_entry, keep the name alive while it is indexed); the index
 * only allocates its tables. No locking: callers serialise.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct dirindex_entry {
	struct dirindex_entry *hash_next;
	const char *name;	/* not NUL-terminated necessarily */
	uint64_t cookie;	/* set by dirindex_insert */
	uint32_t hash;
	uint16_t len;
};

struct dirindex_slot {
	uint64_t cookie;
	struct dirindex_entry *entry;	/* NULL: removed */
};

struct dirindex {
	struct dirindex_entry **buckets;
	size_t nbuckets;		/* 0 or a power of two */
	size_t count;			/* live entries */
	struct dirindex_slot *order;	/* by increasing cookie */
	size_t order_len, order_cap;
	size_t tombstones;
	uint64_t next_cookie;
};

/* An empty index whose first entry gets cookie @first_cookie (positions
 * below it are the caller's, e.g. "." and ".."). */
void dirindex_init(struct dirindex *d, uint64_t first_cookie);
/* Frees the tables (not the entries). */
void dirindex_fini(struct dirindex *d);
/* The entry named @name (@len bytes), or NULL. */
struct dirindex_entry *dirindex_find(const struct dirindex *d,
				     const char *name, size_t len);
/* Adds @e (name and len set; not already present by name, which the
 * caller checks) with the next cookie. 0, or -LINUX_ENOMEM with nothing
 * changed. */
int dirindex_insert(struct dirindex *d, struct dirindex_entry *e);
/* Takes @e (indexed here) out. */
void dirindex_remove(struct dirindex *d, struct dirindex_entry *e);
/* The first entry whose cookie is >= @pos, or NULL at the end. */
struct dirindex_entry *dirindex_seek(const struct dirindex *d, uint64_t pos);
static inline size_t dirindex_count(const struct dirindex *d)
{
	return d->count;
}
