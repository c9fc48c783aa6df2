/*
 * Kernel object reference counting (see kobject.h).
 */
#include <object/kobject.h>

void kobject_init(struct kobject *obj, enum object_type type,
		  const struct kobject_ops *ops)
{
	obj->type = type;
	obj->refcount = 1;
	obj->handle_count = 0;
	obj->ops = ops;
}

void kobject_put(struct kobject *obj)
{
	if (__atomic_sub_fetch(&obj->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		obj->ops->destroy(obj);
	}
}

void kobject_handle_opened(struct kobject *obj)
{
	__atomic_fetch_add(&obj->handle_count, 1, __ATOMIC_RELAXED);
}

void kobject_handle_closed(struct kobject *obj)
{
	if (__atomic_sub_fetch(&obj->handle_count, 1, __ATOMIC_ACQ_REL) == 0 &&
	    obj->ops->on_last_handle) {
		obj->ops->on_last_handle(obj);
	}
}
