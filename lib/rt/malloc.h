/*
 * The C allocation functions for native programs (no libc): one heap per
 * process (rt/heap.h) over memory objects from the kernel, behind a
 * futex mutex, so every thread of the process may call them.
 *
 * They keep the standard names and meanings, so code shared with host
 * tests (the posix server's) calls the same functions there and gets
 * libc's. Differences worth knowing: malloc(0) and realloc(p, 0) return
 * a minimal block (never NULL-and-freed); a pointer to free or realloc
 * that is not a live block (freed twice, inside a block, never
 * allocated) ends the process with a log line "abort: malloc: ..." and
 * an invalid-opcode fault, which a supervisor sees as such.
 */
#pragma once

#include <stddef.h>

void *malloc(size_t size) __attribute__((malloc, alloc_size(1)));
void *calloc(size_t n, size_t size) __attribute__((malloc, alloc_size(1, 2)));
void *realloc(void *p, size_t size) __attribute__((alloc_size(2)));
void free(void *p);
/* @align must be a power of two (else NULL); any @size is allowed. */
void *aligned_alloc(size_t align, size_t size)
	__attribute__((malloc, alloc_size(2)));
void *memalign(size_t align, size_t size) __attribute__((malloc, alloc_size(2)));
/* Bytes usable at live block @p (at least what was asked for). */
size_t malloc_usable_size(void *p);
