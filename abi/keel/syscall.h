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

/* Closes handle rdi. ERR_BAD_HANDLE. */
#define SYS_HANDLE_CLOSE (SYS_NATIVE_BASE + 4)
/* Duplicates handle rdi with rights rsi (a subset of its own); returns the
 * new handle. ERR_BAD_HANDLE, ERR_ACCESS (no RIGHT_DUPLICATE or more
 * rights asked for), ERR_NO_MEMORY. */
#define SYS_HANDLE_DUPLICATE (SYS_NATIVE_BASE + 5)
/* Returns (rights << 32) | object type of handle rdi. ERR_BAD_HANDLE. */
#define SYS_HANDLE_INFO (SYS_NATIVE_BASE + 6)
/* Creates a completion queue with rdi submission and rsi completion
 * entries (powers of two, 1..QUEUE_MAX_ENTRIES), maps its rings into the
 * caller and stores their address at user pointer rdx; returns the
 * handle (all rights but TRANSFER). ERR_INVALID, ERR_FAULT, ERR_NO_MEMORY. */
#define SYS_QUEUE_CREATE (SYS_NATIVE_BASE + 7)
/* Submits up to rsi new entries of queue rdi, then waits until at least
 * rdx completions are in the ring or r10 nanoseconds passed (~0: no
 * limit). Returns the number of entries consumed. ERR_BAD_HANDLE,
 * ERR_WRONG_TYPE, ERR_CORRUPT (ring indices out of range), ERR_TIMED_OUT
 * (only when nothing was submitted), ERR_INVALID (rdx > ring size). */
#define SYS_QUEUE_ENTER (SYS_NATIVE_BASE + 8)

#define SYS_LOG_MAX 1024

/* Linux's ENOSYS, returned (negated) for Linux calls nobody serves. */
#define SYS_LINUX_ENOSYS 38
