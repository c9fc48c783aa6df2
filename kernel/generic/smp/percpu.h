/*
 * Per-CPU data. Each CPU's GS base points to its struct percpu while in
 * the kernel (the syscall and interrupt entry paths swapgs from user
 * space), and the structure's first field points to itself so that
 * percpu_this() is one load. The first fields are read by assembly at
 * fixed offsets (PERCPU_OFF_*): keep them in place.
 */
#pragma once

#define PERCPU_MAX 64

#define PERCPU_OFF_SELF 0
#define PERCPU_OFF_KERNEL_RSP 8
#define PERCPU_OFF_USER_RSP 16
#define PERCPU_OFF_CURRENT 24
#define PERCPU_OFF_ID 32

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

#include <sched/runqueue.h>
#include <time/timer.h>

struct thread;

struct percpu {
	struct percpu *self;
	uint64_t kernel_rsp;	/* top of the running thread's kernel stack */
	uint64_t user_rsp;	/* scratch for the syscall entry path */
	struct thread *current;
	unsigned id;		/* dense CPU number, 0 = the boot CPU */
	uint32_t apic_id;
	bool online;
	struct thread *idle;
	struct runqueue rq;
	struct timer_queue timers;
	uint64_t ticks;		/* scheduler ticks taken on this CPU */
	uint64_t irq_count;
	void *arch;		/* arch/x86_64: GDT/TSS block */
};

_Static_assert(__builtin_offsetof(struct percpu, kernel_rsp) ==
		       PERCPU_OFF_KERNEL_RSP, "percpu layout");
_Static_assert(__builtin_offsetof(struct percpu, user_rsp) ==
		       PERCPU_OFF_USER_RSP, "percpu layout");
_Static_assert(__builtin_offsetof(struct percpu, current) ==
		       PERCPU_OFF_CURRENT, "percpu layout");
_Static_assert(__builtin_offsetof(struct percpu, id) == PERCPU_OFF_ID,
	       "percpu layout");

extern struct percpu *percpu_all[PERCPU_MAX];
extern unsigned percpu_count;

static inline struct percpu *percpu_this(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/*
 * The running thread and the CPU number are read with a single
 * GS-relative load: code that may be preempted and moved to another CPU
 * between loading percpu_this() and dereferencing it would otherwise read
 * the old CPU's fields (another thread!).
 */
static inline unsigned percpu_id(void)
{
	unsigned id;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(PERCPU_OFF_ID));
	return id;
}

static inline struct thread *percpu_current(void)
{
	struct thread *t;

	__asm__ volatile("movq %%gs:%c1, %0"
			 : "=r"(t)
			 : "i"(PERCPU_OFF_CURRENT));
	return t;
}

/* Sets the boot CPU's per-CPU block up (GS base); first thing at boot. */
void percpu_init_boot(void);
/* Allocates and initialises the block of CPU @id, APIC id @apic_id. */
struct percpu *percpu_create(unsigned id, uint32_t apic_id);
/* Loads @p into this CPU's GS base. */
void percpu_install(struct percpu *p);
#endif /* __ASSEMBLY__ */
