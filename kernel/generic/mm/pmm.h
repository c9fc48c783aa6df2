/*
 * Physical memory manager: every usable page frame of RAM, handed out in
 * power-of-two blocks by the buddy allocator (mm/buddy.c) under one lock.
 *
 * Boot order: pmm_early_init() learns the memory map and what is taken
 * (kernel image, boot information, modules, the first MiB) and serves
 * single pages from a bump allocator, which is all the page-table code
 * needs to build the direct map; pmm_init() then builds the buddy
 * allocator over all RAM and from then on pmm_alloc serves everything.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <keel/error.h>
#include <mm/addr.h>

struct mb2_info;

/* Learns the memory map of @info; reserves what boot left in memory. */
void pmm_early_init(const struct mb2_info *info, paddr_t info_phys);
/* Builds the buddy allocator; needs the direct map (paging_init). */
void pmm_init(void);
/* Allocates 2^@order contiguous zeroed frames. ERR_NO_MEMORY. */
err_t pmm_alloc(unsigned order, paddr_t *out);
/* Allocates one zeroed frame (early bump allocator before pmm_init). */
err_t pmm_alloc_page(paddr_t *out);
/* Frees a block from pmm_alloc. ERR_INVALID for a bad or double free. */
err_t pmm_free(paddr_t pa, unsigned order);
/* Page sharing for copy-on-write: a page allocated with pmm_alloc_page
 * has one owner; pmm_page_share adds one; pmm_page_release drops one and
 * frees the page with the last. pmm_page_is_shared: more than one. */
void pmm_page_share(paddr_t pa);
void pmm_page_release(paddr_t pa);
bool pmm_page_is_shared(paddr_t pa);
/* Whether any byte of [@start, @start + @size) is usable RAM. */
bool pmm_range_has_ram(paddr_t start, uint64_t size);
/* Highest physical address of RAM (exclusive). */
paddr_t pmm_ram_top(void);
/* Frames in total and free right now. */
uint64_t pmm_total_pages(void);
uint64_t pmm_free_pages(void);
/* Consistency check of the allocator (self-tests). */
bool pmm_check(void);
/* A page below 1 MiB reserved at boot for the AP start-up trampoline
 * (two consecutive pages), or 0 if none was found. */
paddr_t pmm_low_pages(void);
