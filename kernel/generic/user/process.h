/*
 * Processes: an address space, the threads running in it and, later, a
 * handle table. Created from an ELF image (the first programs come from
 * the initrd). The process ends with its last thread; its memory is then
 * freed and its waiters woken.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <base/list.h>
#include <handle/handle.h>
#include <object/kobject.h>
#include <keel/error.h>
#include <mm/addr.h>
#include <mm/vm.h>
#include <sched/sched.h>
#include <sync/spinlock.h>
#include <sync/waitq.h>

#define PROCESS_NAME_MAX 32
#define PROCESS_EXIT_FAULT (-1000) /* exit code of a killed process */
#define PROCESS_STACK_TOP 0x00007ffffffff000ul
#define PROCESS_STACK_PAGES 64
/* Flags a supervisor may set: CF PF AF ZF SF TF DF OF AC. */
#define PROCESS_USER_RFLAGS 0x40dd5ul

struct thread;
struct supervise_channel;

struct process {
	uint64_t id;
	char name[PROCESS_NAME_MAX];
	struct vm_space vm;		/* the address space */
	struct spinlock lock;		/* threads, state */
	struct list_node threads;
	unsigned live_threads;
	struct kobject obj;		/* OBJECT_PROCESS; handles name it */
	int fault_vector;		/* -1, or the exception that killed it */
	bool linux_call_logged;
	struct handle_table handles;
	struct waitq exit_wait;		/* exited, exit_code under its lock */
	bool exited;
	int exit_code;
	struct supervise_channel *supervision; /* NULL: unsupervised */
	bool killed;			/* SYS_PROCESS_KILL: under lock */
	bool dying;			/* last thread leaving: under lock */
	bool hw_access;			/* may create IRQ and I/O port objects */
	uint8_t *iobitmap;		/* I/O ports it may use (0 bits) */
	uint32_t iobitmap_version;	/* bumped at every change */
	int kill_code;
};

/* Creates a process named @name from ELF @image and its main thread, not
 * yet started (sched_start it). The caller owns a reference to each.
 * ERR_CORRUPT/ERR_NOT_SUPPORTED for a bad image, ERR_NO_MEMORY. */
err_t process_create_from_elf(const char *name, const void *image,
			      size_t size, struct process **out,
			      struct thread **main_thread);
/* Creates a process whose address space is a copy-on-write clone of
 * @src's (vm_space_clone), with no threads and no handles. */
err_t process_fork(struct process *src, struct process **out);
/* Adds a thread to @p that will enter user mode at @rip with stack @rsp;
 * not started. The caller owns a reference (thread_put). */
err_t process_new_thread(struct process *p, uaddr_t rip, uaddr_t rsp,
			 struct thread **out);
void process_get(struct process *p);
void process_put(struct process *p);
/* Waits for @p to end; returns its exit code. */
int process_wait(struct process *p);
/* The key under which @p's I/O bitmap is loaded in a TSS. */
static inline uint64_t process_iomap_key(const struct process *p)
{
	return p->iobitmap ? (p->id << 20) | (p->iobitmap_version & 0xfffff)
			   : 0;
}
/* Scheduler hook: makes @next's address space current. */
void process_switch_to(struct thread *next);
/* Scheduler hook: @t, a thread of a process, is exiting. */
void process_thread_exit(struct thread *t);
/* Starts @t, a thread of @p not started yet. ERR_BUSY if it was. */
err_t process_start_thread(struct process *p, struct thread *t);
/* Finds thread @tid of @p and takes a reference to it. ERR_NOT_FOUND. */
err_t process_find_thread(struct process *p, uint64_t tid,
			  struct thread **out);
/* Ends the calling thread if its process was killed. */
void process_check_killed(void);
/* The calling thread's process (NULL for kernel threads). */
static inline struct process *process_current(void)
{
	return sched_current()->process;
}
/* Records that @p was killed by CPU exception @vector. */
void process_set_fault(struct process *p, int vector);
