/*
 * Threads: a kernel stack, saved registers, a scheduling state and, for
 * user threads, the process they belong to and their FPU/SSE/AVX state.
 * Reference counted: the scheduler holds one reference while the thread
 * can run, creators and joiners hold their own.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <base/list.h>
#include <handle/handle.h>
#include <keel/error.h>
#include <sync/waitq.h>

#define THREAD_STACK_ORDER 2 /* 16 KiB kernel stacks */
#define THREAD_STACK_SIZE (4096ul << THREAD_STACK_ORDER)
#define THREAD_STACK_RESERVED 256 /* >= sizeof(struct trap_frame) */
#define THREAD_NAME_MAX 24

enum thread_state {
	THREAD_STATE_NEW,
	THREAD_STATE_READY,
	THREAD_STATE_RUNNING,
	THREAD_STATE_BLOCKED,
	THREAD_STATE_DEAD,
	THREAD_STATE_MIGRATING,	/* switched out, to be queued elsewhere */
};

struct process;
struct thread_regs;

struct thread {
	uint64_t saved_rsp;	/* switch.S: must stay first */
	uint64_t kstack;	/* base of the kernel stack (direct map) */
	uint64_t id;
	char name[THREAD_NAME_MAX];
	enum thread_state state;
	unsigned priority;
	unsigned cpu;		/* where it runs or last ran */
	uint64_t affinity;	/* CPUs it may run on (bit per CPU id) */
	uint32_t refcount;
	struct list_node rq_link;
	struct list_node wait_link;
	struct process *process;	/* NULL for kernel threads */
	struct list_node process_link;
	void *fpu;		/* XSAVE area, user threads only */
	uint64_t fs_base;	/* user FS and GS bases, loaded at switches */
	uint64_t gs_base;
	bool started;		/* user threads: sched_start was called */
	bool stopped;		/* stopped for its supervisor (channel lock) */
	uint64_t slice_end_ns;
	uint64_t switches;
	int exit_code;
	bool exited;		/* under exit_wait.lock */
	struct waitq exit_wait;	/* woken when the thread dies */
	void (*entry)(void *arg);
	void *arg;
	uint64_t user_arg;	/* rdi when a user thread first starts */
	uint64_t user_rsp;	/* its stack pointer then */
	struct thread_regs *start_regs; /* all registers, if a supervisor
					 * set them before the start */
	/* Direct hand-off (sched.h): a thread this one woke and will run
	 * when this one blocks (referenced); both only touched by the thread
	 * itself. */
	struct thread *handoff;
	bool handoff_armed;
	struct handle_cache handle_cache; /* handle.h; user threads */
};

/* Creates a kernel thread running @fn(@arg), not yet started. The caller
 * owns one reference (release it with thread_put). ERR_NO_MEMORY. */
err_t thread_create_kernel(const char *name, void (*fn)(void *arg), void *arg,
			   struct thread **out);
void thread_get(struct thread *thread);
void thread_put(struct thread *thread);
/* Waits until @thread has died; returns its exit code. */
int thread_join(struct thread *thread);
