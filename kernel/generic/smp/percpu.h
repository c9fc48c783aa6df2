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
	unsigned id;		/* dense CPU number, 0 = the boot CPU */
	uint32_t apic_id;
	bool online;
	struct thread *current;
	struct thread *idle;
	struct runqueue rq;
	struct timer_queue timers;
	uint64_t ticks;		/* scheduler ticks taken on this CPU */
	uint64_t irq_count;
	void *arch;		/* arch/x86_64: GDT/TSS block */
};

extern struct percpu *percpu_all[PERCPU_MAX];
extern unsigned percpu_count;

static inline struct percpu *percpu_this(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned percpu_id(void)
{
	return percpu_this()->id;
}

static inline struct thread *percpu_current(void)
{
	return percpu_this()->current;
}

/* Sets the boot CPU's per-CPU block up (GS base); first thing at boot. */
void percpu_init_boot(void);
/* Allocates and initialises the block of CPU @id, APIC id @apic_id. */
struct percpu *percpu_create(unsigned id, uint32_t apic_id);
/* Loads @p into this CPU's GS base. */
void percpu_install(struct percpu *p);
#endif /* __ASSEMBLY__ */
