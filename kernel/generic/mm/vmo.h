/*
 * Memory objects: pages that can be mapped into address spaces. For now
 * anonymous ones, whose pages are allocated zeroed on first touch (the
 * page-fault path asks vmo_get_page). The object owns its frames; the
 * address spaces that map it mark those entries PTE_SHARED and hold a
 * reference through their region. Physical, DMA and copy-on-write
 * objects come with drivers and fork.
 */
#pragma once

#include <stdint.h>

#include <keel/error.h>
#include <mm/addr.h>
#include <object/kobject.h>
#include <sync/spinlock.h>

#define VMO_MAX_PAGES (1ul << 24) /* 64 GiB */

struct vmo {
	struct kobject obj;
	struct spinlock lock;
	uint64_t pages;
	paddr_t *frames;	/* 0: not allocated yet */
	uint64_t committed;	/* frames allocated */
};

/* Creates an anonymous object of @pages pages (one reference). */
err_t vmo_create_anon(uint64_t pages, struct vmo **out);
/* The frame of page @index, allocating a zeroed one on first use.
 * ERR_RANGE, ERR_NO_MEMORY. */
err_t vmo_get_page(struct vmo *vmo, uint64_t index, paddr_t *out);
