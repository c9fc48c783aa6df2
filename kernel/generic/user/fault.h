/*
 * CPU exceptions raised in user mode. For now a user fault ends the
 * process with a log line naming the fault; supervision (the native API
 * issue) will hand it to the supervisor instead.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct trap_frame;

/* Tries to resolve page fault @frame in the current process's address
 * space (demand paging of memory objects): for faults from user mode and
 * for the kernel's user-copy routine. Returns true when resolved. */
bool fault_resolve_page(struct trap_frame *frame, uint64_t addr);
/* Handles exception @frame raised by the current user thread; does not
 * return when the thread is killed. */
void fault_user(struct trap_frame *frame, const char *what, uint64_t addr);
