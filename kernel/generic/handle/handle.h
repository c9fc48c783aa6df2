/*
 * Per-process handle tables. A slot holds an object reference and the
 * handle's rights; a handle value is (generation << 20) | (slot + 1), so
 * a stale handle whose slot was reused fails cleanly with ERR_BAD_HANDLE.
 * The table grows by doubling, up to HANDLE_TABLE_MAX slots.
 *
 * Locking: the table's spinlock; object callbacks (on_last_handle,
 * destroy) always run after it is released.
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
/* Removes @h; returns its object reference and rights to the caller (who
 * now owns that reference) when @out is given, else drops it. */
err_t handle_remove(struct handle_table *table, handle_t h,
		    struct kobject **out, uint32_t *out_rights);
/* Duplicates @h with @rights (must be a subset of its rights, and it must
 * have RIGHT_DUPLICATE). */
err_t handle_duplicate(struct handle_table *table, handle_t h,
		       uint32_t rights, handle_t *out);
