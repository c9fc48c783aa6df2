/*
 * Memory objects (see vmo.h). The frame table is one kmalloc'd array
 * (8 bytes per page), sized at creation.
 */
#include <base/list.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <arch/x86_64/paging.h>
#include <keel/syscall.h>
#include <mm/vmo.h>
#include <syscall/syscall.h>
#include <user/process.h>
#include <handle/handle.h>
#include <base/string.h>
#include <mm/vm.h>
#include <smp/smp.h>

static void vmo_destroy(struct kobject *obj)
{
	struct vmo *v = container_of(obj, struct vmo, obj);

	if (v->kind == VMO_CONTIG) {
		pmm_free(v->base, v->order);
	}
	for (uint64_t i = 0; v->kind == VMO_ANON && i < v->pages; i++) {
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

static struct vmo *vmo_alloc(enum vmo_kind kind, uint64_t pages);

err_t vmo_create_anon(uint64_t pages, struct vmo **out)
{
	struct vmo *v;

	if (pages == 0 || pages > VMO_MAX_PAGES) {
		return ERR_INVALID;
	}
	v = vmo_alloc(VMO_ANON, pages);
	if (!v) {
		return ERR_NO_MEMORY;
	}
	v->frames = kzalloc(pages * sizeof(paddr_t));
	if (!v->frames) {
		kfree(v);
		return ERR_NO_MEMORY;
	}
	*out = v;
	return ERR_OK;
}

static struct vmo *vmo_alloc(enum vmo_kind kind, uint64_t pages)
{
	struct vmo *v = kzalloc(sizeof(*v));

	if (!v) {
		return NULL;
	}
	kobject_init(&v->obj, OBJECT_MEMORY, &vmo_kobject_ops);
	spin_init(&v->lock);
	mutex_init(&v->resize);
	list_init(&v->mappings);
	v->kind = kind;
	v->pages = pages;
	return v;
}

err_t vmo_create_contig(uint64_t pages, struct vmo **out)
{
	unsigned order = 0;
	struct vmo *v;
	err_t err;

	if (pages == 0 || pages > (1ul << 10)) {
		return ERR_INVALID;
	}
	while ((1ul << order) < pages) {
		order++;
	}
	v = vmo_alloc(VMO_CONTIG, pages);
	if (!v) {
		return ERR_NO_MEMORY;
	}
	err = pmm_alloc(order, &v->base); /* zeroed */
	if (err) {
		kfree(v);
		return err;
	}
	v->order = order;
	*out = v;
	return ERR_OK;
}

err_t vmo_create_phys(paddr_t base, uint64_t pages, uint64_t cache_bits,
		      struct vmo **out)
{
	struct vmo *v;

	if (pages == 0 || pages > VMO_MAX_PAGES || (base & (PAGE_SIZE - 1)) ||
	    base + pages * PAGE_SIZE < base) {
		return ERR_INVALID;
	}
	v = vmo_alloc(VMO_PHYS, pages);
	if (!v) {
		return ERR_NO_MEMORY;
	}
	v->base = base;
	v->cache_bits = cache_bits;
	*out = v;
	return ERR_OK;
}

err_t vmo_get_page(struct vmo *v, uint64_t index, paddr_t *out)
{
	paddr_t fresh = 0;
	err_t err;

	if (v->kind != VMO_ANON) { /* a fixed size */
		if (index >= v->pages) {
			return ERR_RANGE;
		}
		*out = v->base + index * PAGE_SIZE;
		return ERR_OK;
	}
	spin_lock(&v->lock);
	if (index >= v->pages) { /* checked under the lock: see resize */
		spin_unlock(&v->lock);
		return ERR_RANGE;
	}
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
	if (index >= v->pages) { /* shrunk meanwhile */
		spin_unlock(&v->lock);
		pmm_free(fresh, 0);
		return ERR_RANGE;
	}
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

/*
 * Resizing swaps the frame table under the object's lock, so that page
 * lookups (vmo_get_page, under the lock) see either the old size or the
 * new one. A shrink then takes the pages past the end out of every
 * mapping (vm_unmap_vmo_tail: a fault there already fails), flushes the
 * TLBs and only then frees their frames.
 */
err_t vmo_resize(struct vmo *v, uint64_t pages)
{
	paddr_t *frames, *old_frames;
	uint64_t old_pages;

	if (v->kind != VMO_ANON) {
		return ERR_NOT_SUPPORTED;
	}
	if (pages == 0 || pages > VMO_MAX_PAGES) {
		return ERR_INVALID;
	}
	mutex_lock(&v->resize);
	old_pages = v->pages;
	if (pages == old_pages) {
		mutex_unlock(&v->resize);
		return ERR_OK;
	}
	frames = kzalloc(pages * sizeof(paddr_t));
	if (!frames) {
		mutex_unlock(&v->resize);
		return ERR_NO_MEMORY;
	}
	spin_lock(&v->lock);
	old_frames = v->frames;
	memcpy(frames, old_frames,
	       (pages < old_pages ? pages : old_pages) * sizeof(paddr_t));
	for (uint64_t i = pages; i < old_pages; i++) {
		v->committed -= old_frames[i] != 0;
	}
	v->frames = frames;
	v->pages = pages;
	spin_unlock(&v->lock);
	if (pages < old_pages) {
		if (vm_unmap_vmo_tail(v, pages * PAGE_SIZE)) {
			smp_tlb_flush_all();
		}
		for (uint64_t i = pages; i < old_pages; i++) {
			if (old_frames[i]) {
				pmm_free(old_frames[i], 0);
			}
		}
	}
	kfree(old_frames);
	mutex_unlock(&v->resize);
	return ERR_OK;
}

int64_t sys_memory_resize(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct kobject *obj;
	err_t err;

	if (a0 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_get(&p->handles, (handle_t)a0, OBJECT_MEMORY, RIGHT_WRITE,
			 &obj, NULL);
	if (err) {
		return -(int64_t)err;
	}
	if (a1 == 0 || a1 > VMO_MAX_PAGES * PAGE_SIZE) {
		err = ERR_INVALID;
	} else {
		err = vmo_resize(container_of(obj, struct vmo, obj),
				 ALIGN_UP(a1, PAGE_SIZE) / PAGE_SIZE);
	}
	kobject_put(obj);
	return -(int64_t)err;
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

/* Hands new object @v to @p as a handle with @rights; the caller's
 * reference goes to the handle. Returns the handle or a negated error. */
static int64_t publish(struct process *p, struct vmo *v, uint32_t rights)
{
	handle_t h;
	err_t err = handle_insert(&p->handles, &v->obj, rights, &h);

	kobject_put(&v->obj);
	return err ? -(int64_t)err : (int64_t)h;
}

/* Hardware memory: needs the hardware right. */

int64_t sys_memory_create_dma(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct vmo *v;
	err_t err;

	if (!p->hw_access) {
		return -(int64_t)ERR_ACCESS;
	}
	if (a0 == 0 || a0 > (4ul << 20)) {
		return -(int64_t)ERR_INVALID;
	}
	err = vmo_create_contig(ALIGN_UP(a0, PAGE_SIZE) / PAGE_SIZE, &v);
	if (err) {
		return -(int64_t)err;
	}
	return publish(p, v, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP |
				     RIGHT_DUPLICATE | RIGHT_TRANSFER);
}

int64_t sys_memory_create_phys(SYSCALL_ARGS)
{
	struct process *p = process_current();
	enum paging_cache cache;
	struct vmo *v;
	err_t err;

	if (!p->hw_access) {
		return -(int64_t)ERR_ACCESS;
	}
	switch (a2) {
	case MEMORY_CACHE_UC:
		cache = PAGING_CACHE_UC;
		break;
	case MEMORY_CACHE_WC:
		cache = PAGING_CACHE_WC;
		break;
	case MEMORY_CACHE_WB:
		cache = PAGING_CACHE_WB;
		break;
	default:
		return -(int64_t)ERR_INVALID;
	}
	if (a1 == 0 || (a1 & (PAGE_SIZE - 1))) {
		return -(int64_t)ERR_INVALID;
	}
	if (a0 & (PAGE_SIZE - 1) || a0 + a1 < a0) {
		return -(int64_t)ERR_INVALID;
	}
	if (pmm_range_has_ram(a0, a1)) {
		return -(int64_t)ERR_ACCESS; /* device memory only */
	}
	err = vmo_create_phys(a0, a1 / PAGE_SIZE, paging_cache_bits(cache), &v);
	if (err) {
		return -(int64_t)err;
	}
	return publish(p, v, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP |
				     RIGHT_DUPLICATE | RIGHT_TRANSFER);
}

int64_t sys_memory_phys(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct kobject *obj;
	struct vmo *v;
	int64_t ret;
	err_t err;

	if (!p->hw_access) {
		return -(int64_t)ERR_ACCESS;
	}
	if (a0 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_get(&p->handles, (handle_t)a0, OBJECT_MEMORY, 0, &obj,
			 NULL);
	if (err) {
		return -(int64_t)err;
	}
	v = container_of(obj, struct vmo, obj);
	if (v->kind == VMO_ANON) {
		ret = -(int64_t)ERR_NOT_SUPPORTED; /* pages may move later */
	} else if (a1 >= v->pages * PAGE_SIZE) {
		ret = -(int64_t)ERR_RANGE;
	} else {
		ret = (int64_t)(v->base + a1);
	}
	kobject_put(obj);
	return ret;
}
