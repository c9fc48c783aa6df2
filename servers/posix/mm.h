/*
 * Linux memory calls on a program's kernel address space: brk, mmap,
 * munmap, mprotect. The kernel keeps the mappings; the server keeps the
 * break. Anonymous private memory is the kernel's private anonymous
 * memory (copied on write by fork); shared anonymous memory is a memory
 * object mapped into each process that inherits it.
 */
#pragma once

#include <stdint.h>

struct lproc;

int64_t mm_brk(struct lproc *p, uint64_t addr);
int64_t mm_mmap(struct lproc *p, uint64_t addr, uint64_t len, uint64_t prot,
		uint64_t flags, int fd, uint64_t off);
int64_t mm_munmap(struct lproc *p, uint64_t addr, uint64_t len);
int64_t mm_mprotect(struct lproc *p, uint64_t addr, uint64_t len,
		    uint64_t prot);
int64_t mm_mremap(struct lproc *p, uint64_t old, uint64_t old_size,
		  uint64_t new_size, uint64_t flags, uint64_t new_addr);
int64_t mm_madvise(struct lproc *p, uint64_t addr, uint64_t len,
		   uint64_t advice);
