/*
 * A Linux process's memory map as the posix server keeps it, mirroring
 * the kernel's regions with what Linux programs see of them: protection,
 * private or shared, anonymous or from which file, and a name for
 * /proc/<pid>/maps ("[heap]", "[stack]", a path). It answers what the
 * kernel's calls do not: whether a range is one mapping (mremap), what
 * protection a range had (madvise, mremap), holes (mprotect's ENOMEM).
 *
 * A sorted array of non-overlapping areas; inserting over existing areas
 * replaces those parts (MAP_FIXED), removing splits them. Pure logic,
 * host-tested (tests/host/test_posix_vma.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMA_SHARED 0x1u		/* MAP_SHARED (else private) */
#define VMA_ANON 0x2u		/* no file behind it */
#define VMA_GROWSDOWN 0x4u

struct vma {
	uint64_t start, end;	/* page aligned, [start, end) */
	uint32_t prot;		/* PROT_READ/WRITE/EXEC */
	uint32_t flags;		/* VMA_* */
	uint64_t offset;	/* file offset of start */
	uint64_t dev, ino;	/* the file's, for maps */
	char *name;		/* owned; NULL: anonymous without a name */
};

struct vma_map {
	struct vma *v;
	size_t n, cap;
};

void vma_map_init(struct vma_map *m);
void vma_map_fini(struct vma_map *m);
/* A copy of @src in @dst (empty); -LINUX_ENOMEM. */
int vma_map_clone(struct vma_map *dst, const struct vma_map *src);
/* Records [start, end) as @tmpl describes it (its name is copied),
 * replacing whatever was there. 0 or -LINUX_ENOMEM (then @m is as
 * before). */
int vma_insert(struct vma_map *m, uint64_t start, uint64_t end,
	       const struct vma *tmpl);
/* Forgets [start, end), splitting areas that straddle it. 0 or
 * -LINUX_ENOMEM. */
int vma_remove(struct vma_map *m, uint64_t start, uint64_t end);
/* Whether [start, end) is covered without holes. */
bool vma_covers(const struct vma_map *m, uint64_t start, uint64_t end);
/* Sets the protection of [start, end) (which must be covered). 0,
 * -LINUX_ENOMEM (a hole, or no memory to split). */
int vma_protect(struct vma_map *m, uint64_t start, uint64_t end,
		uint32_t prot);
/* The area holding @addr, or NULL. */
const struct vma *vma_find(const struct vma_map *m, uint64_t addr);
/* Whether the free gap [start, end) touches no area. */
bool vma_is_free(const struct vma_map *m, uint64_t start, uint64_t end);
