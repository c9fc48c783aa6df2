/*
 * Per-CPU GDT and TSS. The TSS holds rsp0 (the kernel stack used when an
 * interrupt arrives in user mode) and the IST stacks on which double
 * faults, NMIs and machine checks always run, so they work even when the
 * kernel stack is broken.
 */
#pragma once

#include <stdint.h>

#define GDT_IST_DOUBLE_FAULT 1
#define GDT_IST_NMI 2
#define GDT_IST_MACHINE_CHECK 3

struct percpu;

/* Builds and loads the GDT and TSS of the calling CPU (@cpu). Allocates
 * the IST stacks; the boot CPU's block is static. */
void gdt_init_cpu(struct percpu *cpu);
#define GDT_IOMAP_BYTES 8192 /* one bit per I/O port */

/* Loads I/O permission bitmap @bitmap (GDT_IOMAP_BYTES, a set bit denies
 * the port; NULL: deny every port) into this CPU's TSS unless the one
 * loaded has the same @key (which must change whenever the bitmap does:
 * callers use process id and a version; 0 is "deny all"). Interrupts
 * disabled. */
void gdt_load_iomap(uint64_t key, const uint8_t *bitmap);
/* Sets the kernel stack used on entry from user mode on this CPU. */
void gdt_set_kernel_stack(uint64_t rsp0);
