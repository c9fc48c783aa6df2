/*
 * Per-process handle tables. A slot holds an object reference and the
 * handle's rights; a handle value is (generation << 20) | (slot + 1), so
 * a stale handle whose slot was reused fails cleanly with ERR_BAD_HANDLE.
 * The table grows by doubling, up to HANDLE_TABLE_MAX slots.
 *
 * Locking: the table's spinlock; object callbacks (on_last_handle,
 * destroy) always run after it is released.
 *
 * Each thread keeps a few of its recent lookups in its own process's
 * table (struct handle_cache, handle_get_own), each holding a reference
 * to its object: a lookup that hits needs no lock. The table's epoch
 * counts removals (close, transfer, teardown); an entry is only good
 * while the epoch it was filled at is current, since nothing but a
 * removal changes what a live handle value names or its rights. A hit
 * that races with a removal acts as a lookup made just before it.
 */
#pragma once

#include <stdint.h>

#include <keel/error.h>
#include <keel/handle.h>
#include <object/kobject.h>
#include <sync/spinlock.h>

#define HANDLE_TABLE_MAX 65536

struct handle_slot {
	struct kobject *obj;	/* NULL when free */
	uint32_t rights;
	uint16_t generation;
	uint32_t next_free;	/* free list link, slot index + 1 */
};

struct handle_table {
	struct spinlock lock;
	struct handle_slot *slots;
	uint32_t capacity;
	uint32_t free_head;	/* slot index + 1; 0 = none */
	uint32_t count;
	uint64_t epoch;		/* removals so far (atomic loads) */
};

#define HANDLE_CACHE_ENTRIES 8	/* direct-mapped by slot number */

struct handle_cache_entry {
	struct kobject *obj;	/* referenced; NULL when empty */
	handle_t handle;
	uint32_t rights;
	uint64_t epoch;		/* the table's when filled */
};

/* A thread's cache (struct thread); only its thread touches it. */
struct handle_cache {
	struct handle_cache_entry entries[HANDLE_CACHE_ENTRIES];
};

void handle_table_init(struct handle_table *table);
/* Closes every handle and frees the table. */
void handle_table_fini(struct handle_table *table);
/* Adds a handle to @obj with @rights, taking a new reference to @obj.
 * ERR_NO_MEMORY when the table cannot grow. */
err_t handle_insert(struct handle_table *table, struct kobject *obj,
		    uint32_t rights, handle_t *out);
/* Looks @h up and checks it names an object of @type (OBJECT_NONE: any)
 * with all of @rights; returns a new reference in @out (kobject_put it)
 * and optionally the handle's rights. ERR_BAD_HANDLE, ERR_WRONG_TYPE,
 * ERR_ACCESS. */
err_t handle_get(struct handle_table *table, handle_t h,
		 enum object_type type, uint32_t rights, struct kobject **out,
		 uint32_t *out_rights);
/* handle_get in the current process's table, through the current
 * thread's cache. */
err_t handle_get_own(handle_t h, enum object_type type, uint32_t rights,
		     struct kobject **out);
/* Drops a cache's references (its thread is ending). */
void handle_cache_flush(struct handle_cache *cache);
/* Removes @h; returns its object reference and rights to the caller (who
 * now owns that reference) when @out is given, else drops it. */
err_t handle_remove(struct handle_table *table, handle_t h,
		    struct kobject **out, uint32_t *out_rights);
/* As handle_remove with @out, but the object's handle count is left for
 * the caller to drop with kobject_handle_closed once it holds no lock
 * (its last-handle callback may take any lock: a stream endpoint's
 * takes its stream's). */
err_t handle_take(struct handle_table *table, handle_t h,
		  struct kobject **out, uint32_t *out_rights);
/* Duplicates @h with @rights (must be a subset of its rights, and it must
 * have RIGHT_DUPLICATE). */
err_t handle_duplicate(struct handle_table *table, handle_t h,
		       uint32_t rights, handle_t *out);
