/*
 * execve: builds a new kernel process from a static ELF program (or a
 * "#!" script's interpreter): segments, break, stack with argv, envp and
 * the auxiliary vector, and the posix page; its first thread is created
 * suspended for the caller to attach and start.
 */
#pragma once

#include <stdint.h>

#include <keel/handle.h>

#include "vma.h"

struct execinfo;
struct lproc;

/* Highest stack address; the stack grows down from here. */
#define EXEC_STACK_TOP 0x00007ffffffde000ull
#define EXEC_STACK_SIZE (8ull << 20)
/* The posix page: code the server points threads at (thread exit). */
#define EXEC_POSIX_PAGE 0x00007ffffffff000ull
#define EXEC_POSIX_THREAD_EXIT EXEC_POSIX_PAGE
/* Where position-independent programs are placed (as Linux does). */
#define EXEC_PIE_BASE 0x0000555555554000ull

struct exec_result {
	handle_t kproc;		/* the new kernel process */
	uint64_t ktid;		/* its first thread, suspended */
	uint64_t brk;		/* the break's start */
	struct vma_map vmas;	/* what was mapped (the caller owns it) */
	struct execinfo *info;	/* for /proc (the caller owns it; may be
				 * NULL) */
};

/* Loads @path for @p (whose credentials and name are used) with @argv
 * and @envp (NULL-terminated). Returns 0 and fills @out, or a negated
 * Linux errno (ENOENT, ENOEXEC, EACCES, E2BIG, ENOMEM, ELOOP). */
int exec_load(struct lproc *p, const char *path, char *const argv[],
	      char *const envp[], struct exec_result *out);
