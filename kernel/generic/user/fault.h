/*
 * CPU exceptions raised in user mode. For now a user fault ends the
 * process with a log line naming the fault; supervision (the native API
 * issue) will hand it to the supervisor instead.
 */
#pragma once

struct trap_frame;

/* Handles exception @frame raised by the current user thread; does not
 * return when the thread is killed. */
void fault_user(struct trap_frame *frame, const char *what);
