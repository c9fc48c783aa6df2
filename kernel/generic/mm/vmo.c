/*
 * Memory objects (see vmo.h). The frame table is one kmalloc'd array
 * (8 bytes per page), sized at creation.
 */
#include <base/list.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vmo.h>
#include <syscall/syscall.h>
#include <user/process.h>

static void vmo_destroy(struct kobject *obj)
{
	struct vmo *v = container_of(obj, struct vmo, obj);

	for (uint64_t i = 0; i < v->pages; i++) {
		if (v->frames[i]) {
			pmm_free(v->frames[i], 0);
		}
	}
	kfree(v->frames);
	kfree(v);
}

static const struct kobject_ops vmo_kobject_ops = {
	.destroy = vmo_destroy,
};

err_t vmo_create_anon(uint64_t pages, struct vmo **out)
{
	struct vmo *v;

	if (pages == 0 || pages > VMO_MAX_PAGES) {
		return ERR_INVALID;
	}
	v = kzalloc(sizeof(*v));
	if (!v) {
		return ERR_NO_MEMORY;
	}
	v->frames = kzalloc(pages * sizeof(paddr_t));
	if (!v->frames) {
		kfree(v);
		return ERR_NO_MEMORY;
	}
	kobject_init(&v->obj, OBJECT_MEMORY, &vmo_kobject_ops);
	spin_init(&v->lock);
	v->pages = pages;
	*out = v;
	return ERR_OK;
}

err_t vmo_get_page(struct vmo *v, uint64_t index, paddr_t *out)
{
	paddr_t fresh = 0;
	err_t err;

	if (index >= v->pages) {
		return ERR_RANGE;
	}
	spin_lock(&v->lock);
	if (v->frames[index]) {
		*out = v->frames[index];
		spin_unlock(&v->lock);
		return ERR_OK;
	}
	spin_unlock(&v->lock);
	err = pmm_alloc_page(&fresh); /* zeroed */
	if (err) {
		return err;
	}
	spin_lock(&v->lock);
	if (!v->frames[index]) {
		v->frames[index] = fresh;
		v->committed++;
		fresh = 0;
	}
	*out = v->frames[index];
	spin_unlock(&v->lock);
	if (fresh) { /* somebody else was faster */
		pmm_free(fresh, 0);
	}
	return ERR_OK;
}

int64_t sys_memory_create(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct vmo *v;
	handle_t h;
	err_t err;

	if (a0 == 0 || a0 > VMO_MAX_PAGES * PAGE_SIZE) {
		return -(int64_t)ERR_INVALID;
	}
	err = vmo_create_anon(ALIGN_UP(a0, PAGE_SIZE) / PAGE_SIZE, &v);
	if (err) {
		return -(int64_t)err;
	}
	err = handle_insert(&p->handles, &v->obj,
			    RIGHT_READ | RIGHT_WRITE | RIGHT_MAP | RIGHT_EXEC |
				    RIGHT_DUPLICATE | RIGHT_TRANSFER,
			    &h);
	kobject_put(&v->obj);
	return err ? -(int64_t)err : (int64_t)h;
}
