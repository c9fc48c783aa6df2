/*
 * The register frame every interrupt, exception and syscall entry builds
 * on the kernel stack (isr.S, syscall.S), and the vector numbers.
 */
#pragma once

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	/* error: the CPU's error code; in a system call's frame, the call's
	 * number, kept after rax becomes the result (to restart it). */
	uint64_t vector, error;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout");
#endif

#define TRAP_PAGE_FAULT 14
/* Device vectors [TRAP_IRQ_BASE, TRAP_IRQ_END): each CPU has its own set,
 * handed out to IRQ objects (IOAPIC lines and MSIs) by irq/irq.c. The
 * masked 8259s' spurious interrupts land at 0xe0-0xef (apic.c). */
#define TRAP_IRQ_BASE 0x20
#define TRAP_IRQ_END 0xe0
#define TRAP_IPI_TLB 0xf0
#define TRAP_IPI_RESCHED 0xf1
#define TRAP_IPI_KICK 0xf2	/* into the kernel: see sched_interrupt */
#define TRAP_TIMER 0xfd
#define TRAP_SPURIOUS 0xff

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_DATA 0x1b	/* 0x18 | RPL 3 */
#define GDT_USER_CODE 0x23	/* 0x20 | RPL 3 */
#define GDT_TSS 0x28

#ifndef __ASSEMBLY__
static inline bool trap_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) == 3;
}

typedef void (*trap_handler_fn)(struct trap_frame *frame);

/* Installs @fn as the handler of interrupt vector @vector. */
void trap_set_handler(unsigned vector, trap_handler_fn fn);
/* Builds the IDT; loads it on the calling CPU. */
void trap_init(void);
/* Loads the IDT on an application processor. */
void trap_init_ap(void);
/* C entry from isr.S. */
void trap_dispatch(struct trap_frame *frame);
#endif /* __ASSEMBLY__ */
