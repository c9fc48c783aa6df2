/*
 * Address spaces: a page-table root and the regions mapped in it. Every
 * mapped page of user space belongs to a region:
 *   - private regions (program segments, stacks): their frames belong to
 *     the address space and are freed with it;
 *   - object regions: the frames belong to a kernel object (a memory
 *     object, a queue's rings) that the region holds a reference to; their
 *     page-table entries carry PTE_SHARED. Memory-object regions are
 *     filled on demand by vm_fault.
 * Regions are kept sorted and never overlap.
 *
 * Locking: space->lock (a spinlock; nothing under it sleeps) guards the
 * region list and the user half of the page tables. TLB shootdowns are
 * sent after it is released.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <base/list.h>
#include <keel/error.h>
#include <mm/addr.h>
#include <sync/spinlock.h>

struct kobject;
struct vmo;

#define VM_PROT_READ 0x1
#define VM_PROT_WRITE 0x2
#define VM_PROT_EXEC 0x4

#define VM_USER_BASE 0x10000ul			/* nothing maps below */
#define VM_ANYWHERE_BASE 0x0000100000000000ul	/* kernel-chosen addresses */

struct vm_region {
	struct list_node link;
	uaddr_t start, end;		/* page aligned, [start, end) */
	uint32_t prot;			/* VM_PROT_* now */
	uint32_t max_prot;		/* what protect may grant */
	struct kobject *obj;		/* NULL for private regions */
	struct vmo *vmo;		/* set when obj is a memory object */
	uint64_t offset;		/* byte offset into vmo of start */
};

struct vm_space {
	struct spinlock lock;
	paddr_t root;
	struct list_node regions;
	bool dying;			/* torn down: no more access */
};

err_t vm_space_init(struct vm_space *space);
/* Unmaps everything, drops the objects, frees the page tables. */
void vm_space_fini(struct vm_space *space);
/* Records a private region and maps zeroed frames over it; returns the
 * frame of each page through @fill (may be NULL) for the loader to fill.
 * Existing private pages in range are kept (segments may share pages)
 * with their protection widened. */
err_t vm_map_private(struct vm_space *space, uaddr_t start, uint64_t size,
		     uint32_t prot,
		     void (*fill)(void *ctx, uaddr_t va, paddr_t pa),
		     void *ctx);
/* Maps @pages physical pages from @phys, owned by @owner (referenced by
 * the region) at a kernel-chosen address returned in @out. */
err_t vm_map_frames(struct vm_space *space, paddr_t phys, uint64_t pages,
		    uint32_t prot, struct kobject *owner, uaddr_t *out);
/* Maps @size bytes of @vmo from @offset at @addr (exactly, with @fixed;
 * else the first gap from VM_ANYWHERE_BASE). Pages come in on fault. */
err_t vm_map_vmo(struct vm_space *space, struct vmo *vmo, uint64_t offset,
		 uint64_t size, uaddr_t addr, bool fixed, uint32_t prot,
		 uint32_t max_prot, uaddr_t *out);
err_t vm_unmap(struct vm_space *space, uaddr_t addr, uint64_t size);
err_t vm_protect(struct vm_space *space, uaddr_t addr, uint64_t size,
		 uint32_t prot);
/* Copies @len bytes from kernel @src into @space at @dst, as a write by
 * the space's owner would (permissions checked, demand pages filled in),
 * from any thread: how the kernel delivers data to another process.
 * ERR_FAULT (unmapped, read-only, out of range), ERR_PEER_CLOSED (the
 * space is being torn down). */
err_t vm_copy_to(struct vm_space *space, uaddr_t dst, const void *src,
		 size_t len);
/* The reverse: reads @len bytes at @src of @space into kernel @dst. */
err_t vm_copy_from(struct vm_space *space, void *dst, uaddr_t src,
		   size_t len);
/* Copies @len bytes from the current process's memory at @src into
 * @space at @dst, straight from page to page (no kernel buffer), as a
 * write by @space's owner would. ERR_FAULT: *@src_bad says whether @src
 * could not be read here or @dst not written there; ERR_PEER_CLOSED.
 * Thread context, no lock held. */
err_t vm_copy_user_to(struct vm_space *space, uaddr_t dst, uaddr_t src,
		      size_t len, bool *src_bad);
/* The reverse: @len bytes at @src of @space into the current process's
 * memory at @dst; *@dst_bad likewise. */
err_t vm_copy_user_from(struct vm_space *space, uaddr_t src, uaddr_t dst,
			size_t len, bool *dst_bad);
/* What names the memory behind user address @addr for futexes: the
 * memory object and offset, or this space and the address for private
 * memory. ERR_FAULT if nothing is mapped there. */
err_t vm_futex_key(struct vm_space *space, uaddr_t addr, uintptr_t *key_a,
		   uint64_t *key_b);
/* Makes @dst (empty, fresh) a copy-on-write clone of @src: private
 * pages are shared read-only until either side writes; memory-object
 * mappings are shared; kernel-object regions (queue rings) are left out.
 * On failure @dst holds a partial copy for vm_space_fini. */
err_t vm_space_clone(struct vm_space *dst, struct vm_space *src);
/* Resolves a page fault at @addr (@write, @exec: the access kind) by
 * mapping a memory object's page. False if the access is not allowed or
 * nothing is mapped there. Thread context, interrupts enabled. */
bool vm_fault(struct vm_space *space, uaddr_t addr, bool write, bool exec);
