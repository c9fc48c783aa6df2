/*
 * Kernel objects: what handles name. Every object embeds a struct kobject
 * that carries its type and two counts: references (any holder: handles,
 * mappings, pending operations) and handles. The object is destroyed when
 * the last reference goes; on_last_handle runs when the last handle is
 * closed, which is when, say, a stream endpoint tells its peer "closed".
 */
#pragma once

#include <stdint.h>

#include <keel/handle.h>

struct kobject;

struct kobject_ops {
	/* Frees the object; no references remain. Thread context. */
	void (*destroy)(struct kobject *obj);
	/* The last handle to the object was closed (optional). */
	void (*on_last_handle)(struct kobject *obj);
};

struct kobject {
	enum object_type type;
	uint32_t refcount;
	uint32_t handle_count;
	const struct kobject_ops *ops;
};

/* Initialises @obj with one reference, owned by the caller. */
void kobject_init(struct kobject *obj, enum object_type type,
		  const struct kobject_ops *ops);
static inline void kobject_get(struct kobject *obj)
{
	__atomic_fetch_add(&obj->refcount, 1, __ATOMIC_RELAXED);
}
/* Drops a reference; destroys the object with the last one. */
void kobject_put(struct kobject *obj);
/* Handle accounting, used by the handle table. */
void kobject_handle_opened(struct kobject *obj);
void kobject_handle_closed(struct kobject *obj);
