/*
 * The native user runtime for programs that use no libc: typed wrappers
 * for the native calls (abi/keel/syscall.h) and formatted logging.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <keel/error.h>
#include <keel/syscall.h>

/* Raw system call with up to six arguments; returns rax. */
static inline int64_t rt_syscall6(uint64_t nr, uint64_t a0, uint64_t a1,
				  uint64_t a2, uint64_t a3, uint64_t a4,
				  uint64_t a5)
{
	int64_t ret;
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline int64_t rt_syscall2(uint64_t nr, uint64_t a0, uint64_t a1)
{
	return rt_syscall6(nr, a0, a1, 0, 0, 0, 0);
}

/* Writes @len bytes at @msg to the kernel log; returns 0 or -err_t. */
static inline int64_t rt_log_write(const void *msg, size_t len)
{
	return rt_syscall2(SYS_LOG_WRITE, (uint64_t)msg, len);
}

static inline void rt_yield(void)
{
	rt_syscall2(SYS_THREAD_YIELD, 0, 0);
}

/* The monotonic clock through the system call (SYS_CLOCK_GET). */
static inline uint64_t rt_clock_get(void)
{
	return (uint64_t)rt_syscall2(SYS_CLOCK_GET, 0, 0);
}

/* The monotonic clock in ns since boot, read from the shared clock page
 * (abi/keel/clock.h) without a system call; falls back to SYS_CLOCK_GET
 * when the page cannot be mapped or the TSC is not usable. The first
 * call maps the page. Any thread. */
uint64_t rt_clock_ns(void);
/* The CPU the caller runs on (rdtscp; by the time it returns the thread
 * may have moved, unless pinned), or -ERR_NOT_SUPPORTED. */
int64_t rt_cpu_current(void);

/* Scheduling of thread @tid of process @proc (0, 0: the caller). */
static inline int64_t rt_thread_priority(uint64_t proc, uint64_t tid,
					 unsigned priority)
{
	return rt_syscall6(SYS_THREAD_PRIORITY, proc, tid, priority, 0, 0, 0);
}

static inline int64_t rt_thread_affinity(uint64_t proc, uint64_t tid,
					 uint64_t mask)
{
	return rt_syscall6(SYS_THREAD_AFFINITY, proc, tid, mask, 0, 0, 0);
}

/* Asks a supervised thread to stop (1: stopped already). */
static inline int64_t rt_thread_suspend(uint64_t proc, uint64_t tid)
{
	return rt_syscall6(SYS_THREAD_SUSPEND, proc, tid, 0, 0, 0, 0);
}

static inline int64_t rt_memory_resize(uint64_t mem, uint64_t size)
{
	return rt_syscall6(SYS_MEMORY_RESIZE, mem, size, 0, 0, 0, 0);
}

/* Ends the calling thread. */
_Noreturn void rt_thread_exit(int code);
/* printf-style line to the kernel log (truncated at SYS_LOG_MAX). */
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs "abort: " and the message, then ends the process with an invalid
 * opcode fault (a supervisor sees a fault event, vector 6): for states a
 * program cannot go on from, such as a corrupt heap. */
_Noreturn void rt_abort(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Stream helpers over a queue (abi/keel/stream.h), for simple programs
 * that wait for each operation: each submits one entry and waits for its
 * completion, which it returns in @cqe. The queue must carry nothing else
 * (the next completion is taken to be this one's). */
struct rt_queue;
struct queue_cqe;
struct stream_recv_info;
int64_t rt_stream_send(struct rt_queue *q, uint32_t ep, uint64_t conv,
		       const void *buf, size_t len, uint32_t handle,
		       struct queue_cqe *cqe);
int64_t rt_stream_recv(struct rt_queue *q, uint32_t ep, uint64_t conv,
		       void *buf, size_t cap, struct stream_recv_info *info,
		       struct queue_cqe *cqe);
