/*
 * Address spaces (see vm.h).
 *
 * Frames unmapped from private regions are only released after the TLB
 * shootdown that follows the unmap, so no CPU can still reach them
 * (struct vm_garbage). Private frames may be shared copy-on-write with
 * other spaces (pmm_page_share): releasing drops this space's share.
 */
#include <arch/x86_64/paging.h>
#include <base/string.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <mm/vmo.h>
#include <object/kobject.h>
#include <keel/syscall.h>
#include <smp/smp.h>
#include <syscall/syscall.h>
#include <user/process.h>
#include <user/uaccess.h>

#define LOG_SUBSYS "vm"

/* Frames and regions to release once the lock is dropped and TLBs are
 * clean. The frames are kept in an array, not chained through the frames
 * themselves: a copy-on-write frame may still belong to another space,
 * whose data must not be touched. */
#define VM_GARBAGE_INLINE 32

struct vm_garbage {
	paddr_t inline_frames[VM_GARBAGE_INLINE];
	paddr_t *frames;
	size_t count, capacity;
	struct list_node regions;
};

static void garbage_init(struct vm_garbage *g)
{
	g->frames = g->inline_frames;
	g->count = 0;
	g->capacity = VM_GARBAGE_INLINE;
	list_init(&g->regions);
}

/* Remembers @pa for release after the shootdown. If the list cannot grow
 * (no memory), the frame is released at once: its last mapping is gone
 * from the page tables already, only stale TLB entries of this space's
 * CPUs could still reach it. */
static void garbage_frame(struct vm_garbage *g, paddr_t pa)
{
	if (g->count == g->capacity) {
		paddr_t *bigger = kmalloc(2 * g->capacity * sizeof(paddr_t));

		if (!bigger) {
			pmm_page_release(pa);
			return;
		}
		memcpy(bigger, g->frames, g->count * sizeof(paddr_t));
		if (g->frames != g->inline_frames) {
			kfree(g->frames);
		}
		g->frames = bigger;
		g->capacity *= 2;
	}
	g->frames[g->count++] = pa;
}

static void garbage_free(struct vm_garbage *g)
{
	struct list_node *n;

	for (size_t i = 0; i < g->count; i++) {
		pmm_page_release(g->frames[i]); /* freed with its last sharer */
	}
	if (g->frames != g->inline_frames) {
		kfree(g->frames);
	}
	while ((n = list_pop_head(&g->regions))) {
		struct vm_region *r = container_of(n, struct vm_region, link);

		if (r->obj) {
			kobject_put(r->obj);
		}
		kfree(r);
	}
}

static uint64_t pte_flags(uint32_t prot)
{
	uint64_t f = PTE_USER;

	if (prot & VM_PROT_WRITE) {
		f |= PTE_WRITE;
	}
	if (!(prot & VM_PROT_EXEC)) {
		f |= PTE_NX;
	}
	return f;
}

static bool range_ok(uaddr_t start, uint64_t size)
{
	return size && !(start & (PAGE_SIZE - 1)) && !(size & (PAGE_SIZE - 1)) &&
	       start >= VM_USER_BASE && start < USER_TOP &&
	       size <= USER_TOP - start;
}

err_t vm_space_init(struct vm_space *space)
{
	spin_init(&space->lock);
	list_init(&space->regions);
	return paging_create_root(&space->root);
}

/* The region containing @addr, or NULL. Lock held. */
static struct vm_region *find_locked(struct vm_space *space, uaddr_t addr)
{
	struct list_node *pos;

	list_for_each(pos, &space->regions) {
		struct vm_region *r = container_of(pos, struct vm_region, link);

		if (addr < r->start) {
			return NULL;
		}
		if (addr < r->end) {
			return r;
		}
	}
	return NULL;
}

static bool overlaps_locked(struct vm_space *space, uaddr_t start,
			    uaddr_t end)
{
	struct list_node *pos;

	list_for_each(pos, &space->regions) {
		struct vm_region *r = container_of(pos, struct vm_region, link);

		if (r->start < end && start < r->end) {
			return true;
		}
	}
	return false;
}

static void insert_locked(struct vm_space *space, struct vm_region *r)
{
	struct list_node *pos;

	list_for_each(pos, &space->regions) {
		if (container_of(pos, struct vm_region, link)->start > r->start) {
			break;
		}
	}
	list_insert_between(&r->link, pos->prev, pos);
}

/* First gap of @size bytes from VM_ANYWHERE_BASE, leaving a guard page
 * after every region. Lock held. */
static err_t find_gap_locked(struct vm_space *space, uint64_t size,
			     uaddr_t *out)
{
	uaddr_t candidate = VM_ANYWHERE_BASE;
	struct list_node *pos;

	list_for_each(pos, &space->regions) {
		struct vm_region *r = container_of(pos, struct vm_region, link);

		if (r->end + PAGE_SIZE <= candidate) {
			continue;
		}
		if (r->start >= candidate + size + PAGE_SIZE) {
			break;
		}
		candidate = r->end + PAGE_SIZE;
	}
	if (candidate + size > USER_TOP || candidate + size < candidate) {
		return ERR_NO_SPACE;
	}
	*out = candidate;
	return ERR_OK;
}

/* Unmaps the pages of @r in [start, end); private frames go to @g. */
static void unmap_pages_locked(struct vm_space *space, struct vm_region *r,
			       uaddr_t start, uaddr_t end,
			       struct vm_garbage *g)
{
	for (uaddr_t va = start; va < end; va += PAGE_SIZE) {
		paddr_t pa;

		if (paging_unmap(space->root, va, &pa) == ERR_OK && !r->obj) {
			garbage_frame(g, pa);
		}
	}
}

err_t vm_map_private(struct vm_space *space, uaddr_t start, uint64_t size,
		     uint32_t prot,
		     void (*fill)(void *ctx, uaddr_t va, paddr_t pa),
		     void *ctx)
{
	struct vm_region *r;
	uaddr_t end = start + size;
	uaddr_t first_new = start;
	err_t err = ERR_OK;

	if (!range_ok(start, size) || !(prot & VM_PROT_READ)) {
		return ERR_INVALID;
	}
	r = kzalloc(sizeof(*r));
	if (!r) {
		return ERR_NO_MEMORY;
	}
	spin_lock(&space->lock);
	/* Pages already covered by a private region (segments sharing a
	 * page) are reused with the union of the permissions. */
	while (first_new < end) {
		struct vm_region *old = find_locked(space, first_new);
		uint64_t pte;

		if (!old) {
			break;
		}
		if (old->obj) {
			err = ERR_EXISTS;
			goto out_unlock;
		}
		old->prot |= prot;
		old->max_prot |= prot;
		if (paging_query(space->root, first_new, &pte) == ERR_OK) {
			paddr_t pa;

			paging_unmap(space->root, first_new, &pa);
			paging_map(space->root, first_new, pa,
				   pte_flags(old->prot));
			if (fill) {
				fill(ctx, first_new, pa);
			}
		}
		first_new += PAGE_SIZE;
	}
	if (first_new < end && overlaps_locked(space, first_new, end)) {
		err = ERR_EXISTS;
		goto out_unlock;
	}
	for (uaddr_t va = first_new; va < end && !err; va += PAGE_SIZE) {
		paddr_t pa;

		err = pmm_alloc_page(&pa);
		if (err) {
			break;
		}
		err = paging_map(space->root, va, pa, pte_flags(prot));
		if (err) {
			pmm_free(pa, 0);
			break;
		}
		if (fill) {
			fill(ctx, va, pa);
		}
	}
	if (first_new < end) {
		r->start = first_new;
		r->end = end;
		r->prot = r->max_prot = prot;
		insert_locked(space, r);
		r = NULL;
	}
out_unlock:
	spin_unlock(&space->lock);
	kfree(r);
	/* On failure the pages mapped so far are left for vm_space_fini:
	 * the loader gives up on the whole address space. */
	return err;
}

err_t vm_map_frames(struct vm_space *space, paddr_t phys, uint64_t pages,
		    uint32_t prot, struct kobject *owner, uaddr_t *out)
{
	struct vm_region *r = kzalloc(sizeof(*r));
	uint64_t size = pages * PAGE_SIZE;
	uaddr_t start;
	err_t err;

	if (!r) {
		return ERR_NO_MEMORY;
	}
	spin_lock(&space->lock);
	err = find_gap_locked(space, size, &start);
	if (err) {
		goto out_unlock;
	}
	for (uint64_t i = 0; i < pages; i++) {
		err = paging_map(space->root, start + i * PAGE_SIZE,
				 phys + i * PAGE_SIZE,
				 pte_flags(prot) | PTE_SHARED);
		if (err) {
			while (i-- > 0) { /* only what this call mapped */
				paddr_t pa;

				paging_unmap(space->root,
					     start + i * PAGE_SIZE, &pa);
			}
			goto out_unlock;
		}
	}
	r->start = start;
	r->end = start + size;
	r->prot = r->max_prot = prot;
	r->obj = owner;
	kobject_get(owner);
	insert_locked(space, r);
	spin_unlock(&space->lock);
	*out = start;
	return ERR_OK;

out_unlock:
	spin_unlock(&space->lock);
	kfree(r);
	return err;
}

err_t vm_map_vmo(struct vm_space *space, struct vmo *vmo, uint64_t offset,
		 uint64_t size, uaddr_t addr, bool fixed, uint32_t prot,
		 uint32_t max_prot, uaddr_t *out)
{
	struct vm_region *r;
	err_t err = ERR_OK;

	if (!size || (size & (PAGE_SIZE - 1)) || (offset & (PAGE_SIZE - 1)) ||
	    !(prot & VM_PROT_READ) || (prot & ~max_prot)) {
		return ERR_INVALID;
	}
	if (offset / PAGE_SIZE > vmo->pages ||
	    size / PAGE_SIZE > vmo->pages - offset / PAGE_SIZE) {
		return ERR_RANGE;
	}
	if (fixed && !range_ok(addr, size)) {
		return ERR_INVALID;
	}
	r = kzalloc(sizeof(*r));
	if (!r) {
		return ERR_NO_MEMORY;
	}
	spin_lock(&space->lock);
	if (fixed) {
		if (overlaps_locked(space, addr, addr + size)) {
			err = ERR_EXISTS;
		}
	} else if (!addr || !range_ok(addr, size) ||
		   overlaps_locked(space, addr, addr + size)) {
		err = find_gap_locked(space, size, &addr);
	}
	if (!err) {
		r->start = addr;
		r->end = addr + size;
		r->prot = prot;
		r->max_prot = max_prot;
		r->obj = &vmo->obj;
		r->vmo = vmo;
		r->offset = offset;
		kobject_get(&vmo->obj);
		insert_locked(space, r);
		r = NULL;
		*out = addr;
	}
	spin_unlock(&space->lock);
	kfree(r);
	return err;
}

/* Splits @r at @at (strictly inside it); returns the upper part, linked
 * after @r. NULL without memory. Lock held. */
static struct vm_region *split_locked(struct vm_region *r, uaddr_t at)
{
	struct vm_region *upper = kmalloc(sizeof(*upper));

	if (!upper) {
		return NULL;
	}
	*upper = *r;
	upper->start = at;
	upper->offset = r->offset + (at - r->start);
	r->end = at;
	if (upper->obj) {
		kobject_get(upper->obj);
	}
	list_insert_between(&upper->link, &r->link, r->link.next);
	return upper;
}

err_t vm_unmap(struct vm_space *space, uaddr_t addr, uint64_t size)
{
	struct vm_garbage g;
	struct list_node *pos, *tmp;
	uaddr_t end = addr + size;
	bool found = false;
	err_t err = ERR_OK;

	if (!range_ok(addr, size)) {
		return ERR_INVALID;
	}
	garbage_init(&g);
	spin_lock(&space->lock);
	list_for_each_safe(pos, tmp, &space->regions) {
		struct vm_region *r = container_of(pos, struct vm_region, link);

		if (r->end <= addr || r->start >= end) {
			continue;
		}
		found = true;
		if (r->start < addr) {
			if (!split_locked(r, addr)) {
				err = ERR_NO_MEMORY;
				break;
			}
			tmp = r->link.next; /* go on with the upper part */
			continue;
		}
		if (r->end > end && !split_locked(r, end)) {
			err = ERR_NO_MEMORY;
			break;
		}
		tmp = r->link.next;
		unmap_pages_locked(space, r, r->start, r->end, &g);
		list_remove(&r->link);
		list_add_tail(&g.regions, &r->link);
	}
	spin_unlock(&space->lock);
	if (found) {
		smp_tlb_shootdown(space->root, addr, size / PAGE_SIZE);
	}
	garbage_free(&g);
	if (err) {
		return err;
	}
	return found ? ERR_OK : ERR_NOT_FOUND;
}

err_t vm_protect(struct vm_space *space, uaddr_t addr, uint64_t size,
		 uint32_t prot)
{
	struct list_node *pos;
	uaddr_t end = addr + size;
	uaddr_t covered = addr;
	err_t err = ERR_OK;

	if (!range_ok(addr, size) || !(prot & VM_PROT_READ) ||
	    (prot & ~(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC))) {
		return ERR_INVALID;
	}
	spin_lock(&space->lock);
	/* First check: no holes, and allowed everywhere. */
	list_for_each(pos, &space->regions) {
		struct vm_region *r = container_of(pos, struct vm_region, link);

		if (r->end <= covered || r->start >= end) {
			continue;
		}
		if (r->start > covered) {
			break; /* a hole */
		}
		if (prot & ~r->max_prot) {
			err = ERR_ACCESS;
			break;
		}
		covered = r->end;
	}
	if (!err && covered < end) {
		err = ERR_NOT_FOUND;
	}
	list_for_each(pos, &space->regions) {
		struct vm_region *r = container_of(pos, struct vm_region, link);

		if (err) {
			break;
		}
		if (r->end <= addr || r->start >= end) {
			continue;
		}
		if (r->start < addr) {
			if (!split_locked(r, addr)) {
				err = ERR_NO_MEMORY;
			}
			continue; /* the loop reaches the upper part next */
		}
		if (r->end > end && !split_locked(r, end)) {
			err = ERR_NO_MEMORY;
			break;
		}
		r->prot = prot;
		for (uaddr_t va = r->start; va < r->end; va += PAGE_SIZE) {
			uint64_t pte;
			paddr_t pa;

			if (paging_query(space->root, va, &pte) != ERR_OK) {
				continue;
			}
			paging_unmap(space->root, va, &pa);
			if (pte & PTE_COW) { /* stays read-only until copied */
				paging_map(space->root, va, pa,
					   (pte_flags(prot) & ~PTE_WRITE) |
						   PTE_COW);
			} else {
				paging_map(space->root, va, pa,
					   pte_flags(prot) | (pte & PTE_SHARED));
			}
		}
	}
	spin_unlock(&space->lock);
	smp_tlb_shootdown(space->root, addr, size / PAGE_SIZE);
	return err;
}

/* Makes COW page @page of private region @r writable for this space:
 * the frame itself when nobody else shares it, else a copy. Returns the
 * frame in @pa, and in @old the frame to release once other CPUs' TLBs
 * are flushed (0 if none). Lock held. */
static err_t cow_break_locked(struct vm_space *space, struct vm_region *r,
			      uaddr_t page, uint64_t pte, paddr_t *pa,
			      paddr_t *old)
{
	paddr_t cur = pte & PTE_ADDR_MASK, fresh, unused;
	uint64_t flags = pte_flags(r->prot);
	err_t err;

	*old = 0;
	if (!(r->prot & VM_PROT_WRITE)) {
		return ERR_FAULT;
	}
	if (!pmm_page_is_shared(cur)) {
		paging_unmap(space->root, page, &unused);
		*pa = cur;
		return paging_map(space->root, page, cur, flags);
	}
	err = pmm_alloc_page(&fresh);
	if (err) {
		return err;
	}
	memcpy(phys_to_virt(fresh), phys_to_virt(cur), PAGE_SIZE);
	paging_unmap(space->root, page, &unused);
	err = paging_map(space->root, page, fresh, flags);
	if (err) { /* cannot happen: the slot was just freed */
		pmm_free(fresh, 0);
		return err;
	}
	*pa = fresh;
	*old = cur;
	return ERR_OK;
}

/* The frame behind user page @page for an access of kind @write, faulting
 * a memory object's page in if needed. Lock held. */
static err_t page_frame_locked(struct vm_space *space, uaddr_t page,
			       bool write, paddr_t *pa, paddr_t *old)
{
	struct vm_region *r = find_locked(space, page);
	uint64_t pte;
	err_t err;

	if (!r || (write && !(r->prot & VM_PROT_WRITE))) {
		return ERR_FAULT;
	}
	/* Device memory is not reached through the direct map. */
	if (r->vmo && r->vmo->kind == VMO_PHYS) {
		return ERR_FAULT;
	}
	if (paging_query(space->root, page, &pte) == ERR_OK) {
		if (write && (pte & PTE_COW)) {
			return cow_break_locked(space, r, page, pte, pa, old);
		}
		*pa = pte & PTE_ADDR_MASK;
		return ERR_OK;
	}
	if (!r->vmo) {
		return ERR_FAULT;
	}
	err = vmo_get_page(r->vmo, (r->offset + (page - r->start)) / PAGE_SIZE,
			   pa);
	if (!err) {
		err = paging_map(space->root, page, *pa,
				 pte_flags(r->prot) | PTE_SHARED |
					 r->vmo->cache_bits);
	}
	return err ? ERR_FAULT : ERR_OK;
}

/* Copies between kernel memory and @space, one page at a time under the
 * space's lock (which keeps the frame from being freed meanwhile). */
static err_t copy_space(struct vm_space *space, uaddr_t uaddr, void *kbuf,
			size_t len, bool to_user)
{
	uint8_t *k = kbuf;

	if (len && (uaddr >= USER_TOP || len > USER_TOP - uaddr)) {
		return ERR_FAULT;
	}
	while (len) {
		uaddr_t page = ALIGN_DOWN(uaddr, PAGE_SIZE);
		size_t off = uaddr - page;
		size_t chunk = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		paddr_t pa;
		err_t err;

		spin_lock(&space->lock);
		paddr_t old = 0;

		err = space->dying ? ERR_PEER_CLOSED
				   : page_frame_locked(space, page, to_user,
						       &pa, &old);
		if (!err) {
			uint8_t *p = (uint8_t *)phys_to_virt(pa) + off;

			if (to_user) {
				memcpy(p, k, chunk);
			} else {
				memcpy(k, p, chunk);
			}
		}
		spin_unlock(&space->lock);
		if (old) { /* a copy-on-write page was copied */
			smp_tlb_shootdown(space->root, page, 1);
			pmm_page_release(old);
		}
		if (err) {
			return err;
		}
		uaddr += chunk;
		k += chunk;
		len -= chunk;
	}
	return ERR_OK;
}

err_t vm_copy_to(struct vm_space *space, uaddr_t dst, const void *src,
		 size_t len)
{
	return copy_space(space, dst, (void *)src, len, true);
}

err_t vm_copy_from(struct vm_space *space, void *dst, uaddr_t src,
		   size_t len)
{
	return copy_space(space, src, dst, len, false);
}

/* Faults in the current process's pages under [@addr, @addr + @len) for
 * a read or a @write; false if one cannot be. */
static bool fault_in_own(uaddr_t addr, size_t len, bool write)
{
	struct vm_space *own = &process_current()->vm;
	uaddr_t page = ALIGN_DOWN(addr, PAGE_SIZE);

	for (; page < addr + len; page += PAGE_SIZE) {
		if (!vm_fault(own, page, write, false)) {
			return false;
		}
	}
	return true;
}

/* A copy that page faults this many times in a row on the current
 * process's side (another thread keeps unmapping it) gives up. */
#define VM_COPY_USER_TRIES 8

/* Copies between @space at @uaddr and the current process's memory at
 * @local, one page of @space at a time: the frame is found under
 * @space's lock and the bytes go straight between it (direct map) and
 * @local with a copy that does not resolve faults, since resolving one
 * may need this very lock (@space may be the current space) or another
 * space's lock (lock order). On such a fault the lock is dropped, the
 * page faulted in, and the chunk copied again. */
static err_t copy_user_space(struct vm_space *space, uaddr_t uaddr,
			     uaddr_t local, size_t len, bool to_space,
			     bool *local_bad)
{
	unsigned tries = 0;

	*local_bad = false;
	if (len && (uaddr >= USER_TOP || len > USER_TOP - uaddr)) {
		return ERR_FAULT;
	}
	if (len && (local >= USER_TOP || len > USER_TOP - local)) {
		*local_bad = true;
		return ERR_FAULT;
	}
	while (len) {
		uaddr_t page = ALIGN_DOWN(uaddr, PAGE_SIZE);
		size_t off = uaddr - page;
		size_t chunk = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		paddr_t pa, old = 0;
		int fault = 0;
		err_t err;

		spin_lock(&space->lock);
		err = space->dying ? ERR_PEER_CLOSED
				   : page_frame_locked(space, page, to_space,
						       &pa, &old);
		if (!err) {
			uint8_t *p = (uint8_t *)phys_to_virt(pa) + off;

			if (to_space) {
				fault = uaccess_copy_nofault(
					p, (const void *)local, chunk);
			} else {
				fault = uaccess_copy_nofault((void *)local, p,
							     chunk);
			}
		}
		spin_unlock(&space->lock);
		if (old) { /* a copy-on-write page was copied */
			smp_tlb_shootdown(space->root, page, 1);
			pmm_page_release(old);
		}
		if (err) {
			return err;
		}
		if (fault) {
			if (++tries > VM_COPY_USER_TRIES ||
			    !fault_in_own(local, chunk, !to_space)) {
				*local_bad = true;
				return ERR_FAULT;
			}
			continue;
		}
		tries = 0;
		uaddr += chunk;
		local += chunk;
		len -= chunk;
	}
	return ERR_OK;
}

err_t vm_copy_user_to(struct vm_space *space, uaddr_t dst, uaddr_t src,
		      size_t len, bool *src_bad)
{
	return copy_user_space(space, dst, src, len, true, src_bad);
}

err_t vm_copy_user_from(struct vm_space *space, uaddr_t src, uaddr_t dst,
			size_t len, bool *dst_bad)
{
	return copy_user_space(space, src, dst, len, false, dst_bad);
}

bool vm_fault(struct vm_space *space, uaddr_t addr, bool write, bool exec)
{
	uaddr_t page = ALIGN_DOWN(addr, PAGE_SIZE);
	struct vm_region *r;
	uint64_t pte;
	paddr_t pa, old = 0;
	bool ok = false;

	spin_lock(&space->lock);
	r = find_locked(space, page);
	if (!r || (write && !(r->prot & VM_PROT_WRITE)) ||
	    (exec && !(r->prot & VM_PROT_EXEC))) {
		goto out;
	}
	if (paging_query(space->root, page, &pte) == ERR_OK) {
		if (write && (pte & PTE_COW)) {
			ok = cow_break_locked(space, r, page, pte, &pa, &old) ==
			     ERR_OK;
		} else {
			/* Another thread of the process was first; a
			 * protection fault never reaches here (checked
			 * above against the region). */
			ok = !write || (pte & PTE_WRITE);
		}
		goto out;
	}
	if (!r->vmo) {
		goto out;
	}
	if (vmo_get_page(r->vmo, (r->offset + (page - r->start)) / PAGE_SIZE,
			 &pa) != ERR_OK) {
		goto out;
	}
	ok = paging_map(space->root, page, pa,
			pte_flags(r->prot) | PTE_SHARED | r->vmo->cache_bits) ==
	     ERR_OK;
out:
	spin_unlock(&space->lock);
	if (old) {
		smp_tlb_shootdown(space->root, page, 1);
		pmm_page_release(old);
	}
	return ok;
}

err_t vm_space_clone(struct vm_space *dst, struct vm_space *src)
{
	struct list_node *pos;
	err_t err = ERR_OK;

	spin_lock(&src->lock);
	list_for_each(pos, &src->regions) {
		struct vm_region *r = container_of(pos, struct vm_region, link);
		struct vm_region *copy;

		if (r->obj && !r->vmo) {
			continue; /* kernel-object frames (queue rings) */
		}
		copy = kmalloc(sizeof(*copy));
		if (!copy) {
			err = ERR_NO_MEMORY;
			break;
		}
		*copy = *r;
		if (copy->obj) {
			kobject_get(copy->obj);
		}
		list_add_tail(&dst->regions, &copy->link); /* same order */
		if (r->vmo) {
			continue; /* shared: the child faults pages in */
		}
		for (uaddr_t va = r->start; va < r->end && !err;
		     va += PAGE_SIZE) {
			uint64_t pte, flags;
			paddr_t pa, unused;

			if (paging_query(src->root, va, &pte) != ERR_OK) {
				continue;
			}
			pa = pte & PTE_ADDR_MASK;
			flags = pte & ~PTE_ADDR_MASK;
			if (flags & PTE_WRITE) {
				flags = (flags & ~PTE_WRITE) | PTE_COW;
				paging_unmap(src->root, va, &unused);
				paging_map(src->root, va, pa, flags);
			}
			pmm_page_share(pa);
			err = paging_map(dst->root, va, pa, flags);
			if (err) {
				pmm_page_release(pa);
			}
		}
	}
	spin_unlock(&src->lock);
	/* The parent's writable pages just became read-only. */
	smp_tlb_shootdown(src->root, 0, 1ul << 35);
	return err;
}

err_t vm_futex_key(struct vm_space *space, uaddr_t addr, uintptr_t *key_a,
		   uint64_t *key_b)
{
	struct vm_region *r;
	err_t err = ERR_OK;

	spin_lock(&space->lock);
	r = find_locked(space, addr);
	if (!r) {
		err = ERR_FAULT;
	} else if (r->vmo) {
		*key_a = (uintptr_t)r->vmo;
		*key_b = r->offset + (addr - r->start);
	} else {
		*key_a = (uintptr_t)space;
		*key_b = addr;
	}
	spin_unlock(&space->lock);
	return err;
}

void vm_space_fini(struct vm_space *space)
{
	struct vm_garbage g;
	struct list_node *n;

	garbage_init(&g);
	spin_lock(&space->lock);
	space->dying = true;
	while ((n = list_pop_head(&space->regions))) {
		struct vm_region *r = container_of(n, struct vm_region, link);

		unmap_pages_locked(space, r, r->start, r->end, &g);
		list_add_tail(&g.regions, &r->link);
	}
	spin_unlock(&space->lock);
	paging_destroy_root(space->root);
	space->root = 0;
	garbage_free(&g);
}

/* System calls. Address space handles come with process creation; until
 * then only 0, the caller's own space, is accepted. */

static err_t space_of(uint64_t h, struct vm_space **out)
{
	if (h != 0) {
		return ERR_BAD_HANDLE;
	}
	*out = &process_current()->vm;
	return ERR_OK;
}

static uint32_t prot_of(uint64_t flags)
{
	return (uint32_t)(flags & (VM_READ | VM_WRITE | VM_EXEC));
}

int64_t sys_vm_map(SYSCALL_ARGS)
{
	struct process *p = process_current();
	struct vm_space *space;
	struct kobject *obj;
	uint32_t rights, prot, max_prot = VM_PROT_READ;
	uaddr_t addr;
	err_t err;

	if (a5 & ~(uint64_t)(VM_READ | VM_WRITE | VM_EXEC | VM_FIXED)) {
		return -(int64_t)ERR_INVALID;
	}
	err = space_of(a0, &space);
	if (err) {
		return -(int64_t)err;
	}
	if (a1 > UINT32_MAX) {
		return -(int64_t)ERR_BAD_HANDLE;
	}
	err = handle_get(&p->handles, (handle_t)a1, OBJECT_MEMORY, RIGHT_MAP,
			 &obj, &rights);
	if (err) {
		return -(int64_t)err;
	}
	prot = prot_of(a5);
	if (rights & RIGHT_WRITE) {
		max_prot |= VM_PROT_WRITE;
	}
	if (rights & RIGHT_EXEC) {
		max_prot |= VM_PROT_EXEC;
	}
	if (prot & ~max_prot) {
		err = ERR_ACCESS;
	} else {
		err = vm_map_vmo(space, container_of(obj, struct vmo, obj), a2,
				 a3, a4, a5 & VM_FIXED, prot, max_prot, &addr);
	}
	kobject_put(obj);
	return err ? -(int64_t)err : (int64_t)addr;
}

int64_t sys_vm_unmap(SYSCALL_ARGS)
{
	struct vm_space *space;
	err_t err = space_of(a0, &space);

	if (!err) {
		err = vm_unmap(space, a1, a2);
	}
	return -(int64_t)err;
}

int64_t sys_vm_protect(SYSCALL_ARGS)
{
	struct vm_space *space;
	err_t err;

	if (a3 & ~(uint64_t)(VM_READ | VM_WRITE | VM_EXEC)) {
		return -(int64_t)ERR_INVALID;
	}
	err = space_of(a0, &space);
	if (!err) {
		err = vm_protect(space, a1, a2, prot_of(a3));
	}
	return -(int64_t)err;
}
