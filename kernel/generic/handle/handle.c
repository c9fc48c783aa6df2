/*
 * Handle tables (see handle.h).
 */
#include <base/string.h>
#include <handle/handle.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <sched/sched.h>
#include <syscall/syscall.h>
#include <user/process.h>

#define HANDLE_TABLE_INITIAL 16

void handle_table_init(struct handle_table *table)
{
	spin_init(&table->lock);
	table->slots = NULL;
	table->capacity = 0;
	table->free_head = 0;
	table->count = 0;
	table->epoch = 0;
}

static handle_t make_handle(uint32_t index, uint16_t generation)
{
	return ((uint32_t)(generation & 0xfff) << HANDLE_INDEX_BITS) |
	       (index + 1);
}

/* The slot @h names, or NULL. Table lock held. */
static struct handle_slot *slot_of(struct handle_table *table, handle_t h)
{
	uint32_t index = (h & HANDLE_INDEX_MASK);
	struct handle_slot *s;

	if (index == 0 || index > table->capacity) {
		return NULL;
	}
	s = &table->slots[index - 1];
	if (!s->obj || (s->generation & 0xfff) != (h >> HANDLE_INDEX_BITS)) {
		return NULL;
	}
	return s;
}

/* Doubles the table. Called with the lock dropped; retakes it. */
static err_t grow(struct handle_table *table)
{
	uint32_t old_cap, new_cap;
	struct handle_slot *fresh, *old;

	spin_lock(&table->lock);
	old_cap = table->capacity;
	spin_unlock(&table->lock);
	new_cap = old_cap ? old_cap * 2 : HANDLE_TABLE_INITIAL;
	if (new_cap > HANDLE_TABLE_MAX) {
		return ERR_NO_MEMORY;
	}
	fresh = kzalloc(new_cap * sizeof(*fresh));
	if (!fresh) {
		return ERR_NO_MEMORY;
	}
	spin_lock(&table->lock);
	if (table->capacity != old_cap) { /* somebody else grew it */
		spin_unlock(&table->lock);
		kfree(fresh);
		return ERR_OK;
	}
	if (old_cap) {
		memcpy(fresh, table->slots, old_cap * sizeof(*fresh));
	}
	for (uint32_t i = new_cap; i > old_cap; i--) {
		fresh[i - 1].next_free = table->free_head;
		table->free_head = i;
	}
	old = table->slots;
	table->slots = fresh;
	table->capacity = new_cap;
	spin_unlock(&table->lock);
	kfree(old);
	return ERR_OK;
}

err_t handle_insert(struct handle_table *table, struct kobject *obj,
		    uint32_t rights, handle_t *out)
{
	for (;;) {
		struct handle_slot *s;
		uint32_t index;
		err_t err;

		spin_lock(&table->lock);
		if (table->free_head) {
			index = table->free_head - 1;
			s = &table->slots[index];
			table->free_head = s->next_free;
			s->obj = obj;
			s->rights = rights;
			s->generation++;
			table->count++;
			*out = make_handle(index, s->generation);
			spin_unlock(&table->lock);
			kobject_get(obj);
			kobject_handle_opened(obj);
			return ERR_OK;
		}
		spin_unlock(&table->lock);
		err = grow(table);
		if (err) {
			return err;
		}
	}
}

err_t handle_get(struct handle_table *table, handle_t h,
		 enum object_type type, uint32_t rights, struct kobject **out,
		 uint32_t *out_rights)
{
	struct handle_slot *s;
	err_t err = ERR_OK;

	spin_lock(&table->lock);
	s = slot_of(table, h);
	if (!s) {
		err = ERR_BAD_HANDLE;
	} else if (type != OBJECT_NONE && s->obj->type != type) {
		err = ERR_WRONG_TYPE;
	} else if ((s->rights & rights) != rights) {
		err = ERR_ACCESS;
	} else {
		kobject_get(s->obj);
		*out = s->obj;
		if (out_rights) {
			*out_rights = s->rights;
		}
	}
	spin_unlock(&table->lock);
	return err;
}

/* The checks of handle_get on a cache hit. */
static err_t check_entry(const struct handle_cache_entry *e,
			 enum object_type type, uint32_t rights)
{
	if (type != OBJECT_NONE && e->obj->type != type) {
		return ERR_WRONG_TYPE;
	}
	if ((e->rights & rights) != rights) {
		return ERR_ACCESS;
	}
	return ERR_OK;
}

/* handle_get_own when the cache misses: the locked lookup, which fills
 * an entry. @epoch: the table's, read before. */
static __attribute__((noinline)) err_t
get_own_slow(struct handle_cache *cache, struct handle_table *table,
	     uint64_t epoch, handle_t h, enum object_type type,
	     uint32_t rights, struct kobject **out)
{
	struct handle_cache_entry *e;
	uint32_t have;
	err_t err;

	/* The epoch was read first: a removal after it makes the entry
	 * stale. */
	err = handle_get(table, h, type, rights, out, &have);
	if (err) {
		return err;
	}
	e = &cache->entries[h % HANDLE_CACHE_ENTRIES];
	if (e->obj) {
		kobject_put(e->obj);
	}
	kobject_get(*out);
	*e = (struct handle_cache_entry){
		.obj = *out, .handle = h, .rights = have, .epoch = epoch,
	};
	return ERR_OK;
}

err_t handle_get_own(handle_t h, enum object_type type, uint32_t rights,
		     struct kobject **out)
{
	struct thread *self = sched_current();
	struct handle_table *table = &self->process->handles;
	struct handle_cache *cache = &self->handle_cache;
	uint64_t epoch = __atomic_load_n(&table->epoch, __ATOMIC_ACQUIRE);
	struct handle_cache_entry *e =
		&cache->entries[h % HANDLE_CACHE_ENTRIES];

	if (e->handle == h && e->epoch == epoch && e->obj) {
		err_t err = check_entry(e, type, rights);

		if (!err) {
			kobject_get(e->obj);
			*out = e->obj;
		}
		return err;
	}
	return get_own_slow(cache, table, epoch, h, type, rights, out);
}

void handle_cache_flush(struct handle_cache *cache)
{
	for (unsigned i = 0; i < HANDLE_CACHE_ENTRIES; i++) {
		struct kobject *obj = cache->entries[i].obj;

		cache->entries[i].obj = NULL;
		if (obj) {
			kobject_put(obj);
		}
	}
}

err_t handle_take(struct handle_table *table, handle_t h,
		  struct kobject **out, uint32_t *out_rights)
{
	struct handle_slot *s;
	uint32_t index;

	spin_lock(&table->lock);
	s = slot_of(table, h);
	if (!s) {
		spin_unlock(&table->lock);
		return ERR_BAD_HANDLE;
	}
	*out = s->obj;
	if (out_rights) {
		*out_rights = s->rights;
	}
	index = (uint32_t)(s - table->slots);
	s->obj = NULL;
	__atomic_store_n(&table->epoch, table->epoch + 1, __ATOMIC_RELEASE);
	s->next_free = table->free_head;
	table->free_head = index + 1;
	table->count--;
	spin_unlock(&table->lock);
	return ERR_OK;
}

err_t handle_remove(struct handle_table *table, handle_t h,
		    struct kobject **out, uint32_t *out_rights)
{
	struct kobject *obj;
	err_t err = handle_take(table, h, &obj, out_rights);

	if (err) {
		return err;
	}
	kobject_handle_closed(obj);
	if (out) {
		*out = obj;
	} else {
		kobject_put(obj);
	}
	return ERR_OK;
}

err_t handle_duplicate(struct handle_table *table, handle_t h,
		       uint32_t rights, handle_t *out)
{
	struct kobject *obj;
	uint32_t have;
	err_t err = handle_get(table, h, OBJECT_NONE, RIGHT_DUPLICATE, &obj,
			       &have);

	if (err) {
		return err;
	}
	if ((rights & have) != rights) {
		kobject_put(obj);
		return ERR_ACCESS;
	}
	err = handle_insert(table, obj, rights, out);
	kobject_put(obj);
	return err;
}

void handle_table_fini(struct handle_table *table)
{
	for (uint32_t i = 0; i < table->capacity; i++) {
		struct kobject *obj;

		spin_lock(&table->lock);
		obj = table->slots[i].obj;
		table->slots[i].obj = NULL;
		__atomic_store_n(&table->epoch, table->epoch + 1,
				 __ATOMIC_RELEASE);
		spin_unlock(&table->lock);
		if (obj) {
			kobject_handle_closed(obj);
			kobject_put(obj);
		}
	}
	kfree(table->slots);
	table->slots = NULL;
	table->capacity = 0;
	table->free_head = 0;
	table->count = 0;
}

/* System calls. */

int64_t sys_handle_close(SYSCALL_ARGS)
{
	struct process *p = process_current();

	if (a0 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	return -(int64_t)handle_remove(&p->handles, (handle_t)a0, NULL, NULL);
}

int64_t sys_handle_duplicate(SYSCALL_ARGS)
{
	struct process *p = process_current();
	handle_t h;
	err_t err;

	if (a0 > UINT32_MAX || a1 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_duplicate(&p->handles, (handle_t)a0, (uint32_t)a1, &h);
	return err ? -(int64_t)err : (int64_t)h;
}

int64_t sys_handle_info(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct kobject *obj;
	uint32_t rights, type;
	err_t err;

	if (a0 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_get(&p->handles, (handle_t)a0, OBJECT_NONE, 0, &obj,
			 &rights);
	if (err) {
		return -(int64_t)err;
	}
	type = obj->type;
	kobject_put(obj);
	/* Rights in the high half; the sign bit stays clear. */
	return (int64_t)(((uint64_t)(rights & 0x7fffffffu) << 32) | type);
}
