/*
 * Native system call numbers (kernel <-> user contract).
 *
 * A process may make two kinds of calls with the `syscall` instruction:
 * Linux x86_64 calls (numbers below 1024, or with bit 30 set for x32),
 * which go to the thread's supervisor, and native Keel calls, whose
 * numbers lie in [SYS_NATIVE_BASE, SYS_NATIVE_BASE + SYS_NATIVE_COUNT),
 * a range no Linux ABI uses. Arguments go in rdi, rsi, rdx, r10, r8, r9
 * (the Linux convention); the result comes back in rax: >= 0 on success,
 * the negated err_t (abi/keel/error.h) on failure.
 */
#pragma once

#define SYS_NATIVE_BASE 0x10000000
#define SYS_NATIVE_COUNT 0x1000

/* Writes a message (rdi = buffer, rsi = length <= SYS_LOG_MAX) to the
 * kernel log, tagged with the calling process's name. */
#define SYS_LOG_WRITE (SYS_NATIVE_BASE + 0)
/* Ends the calling thread (rdi = exit code); the process ends with its
 * last thread. Does not return. */
#define SYS_THREAD_EXIT (SYS_NATIVE_BASE + 1)
/* Gives up the CPU to other ready threads. */
#define SYS_THREAD_YIELD (SYS_NATIVE_BASE + 2)
/* Returns the monotonic clock in nanoseconds since boot. */
#define SYS_CLOCK_GET (SYS_NATIVE_BASE + 3)

#define SYS_LOG_MAX 1024

/* Linux's ENOSYS, returned (negated) for Linux calls nobody serves. */
#define SYS_LINUX_ENOSYS 38
