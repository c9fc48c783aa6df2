/*
 * General-purpose kernel allocation: kmalloc/kzalloc/kfree. Sizes up to
 * 2 KiB come from slab caches of power-of-two classes, larger ones from
 * whole buddy blocks. Every allocation is 16-byte aligned. Callable with
 * spinlocks held (never sleeps); returns NULL when memory is exhausted.
 */
#pragma once

#include <stddef.h>

/* Sets up the size classes; after pmm_init. */
void kmalloc_init(void);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* Frees @ptr from kmalloc (NULL is ignored). A pointer that did not come
 * from kmalloc is a kernel bug and panics. */
void kfree(void *ptr);
