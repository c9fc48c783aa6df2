/*
 * x86_64 CPU primitives: port I/O, MSRs, control registers, CPUID,
 * interrupt flag handling. All static inline; no state.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define CPU_RFLAGS_IF (1ul << 9)

#define MSR_APIC_BASE 0x1b
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_PAT 0x277
#define MSR_TSC_DEADLINE 0x6e0

#define EFER_SCE (1ul << 0)
#define EFER_NXE (1ul << 11)

#define CR0_MP (1ul << 1)
#define CR0_EM (1ul << 2)
#define CR0_TS (1ul << 3)
#define CR0_NE (1ul << 5)
#define CR4_PGE (1ul << 7)
#define CR4_OSFXSR (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)
#define CR4_FSGSBASE (1ul << 16)
#define CR4_OSXSAVE (1ul << 18)
#define CR4_SMEP (1ul << 20)
#define CR4_SMAP (1ul << 21)

static inline uint8_t cpu_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t cpu_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t cpu_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpu_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpu_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpu_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline void cpu_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *a,
			     uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(subleaf));
}

/* Whether rdtscp exists (and with it IA32_TSC_AUX). */
static inline bool cpu_has_rdtscp(void)
{
	uint32_t a, b, c, d;

	cpu_cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x80000001) {
		return false;
	}
	cpu_cpuid(0x80000001, 0, &a, &b, &c, &d);
	return d & (1u << 27);
}

static inline uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define CPU_CR_ACCESSORS(n)                                                 \
	static inline uint64_t cpu_read_cr##n(void)                         \
	{                                                                   \
		uint64_t v;                                                 \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));           \
		return v;                                                   \
	}                                                                   \
	static inline void cpu_write_cr##n(uint64_t v)                      \
	{                                                                   \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");  \
	}
CPU_CR_ACCESSORS(0)
CPU_CR_ACCESSORS(2)
CPU_CR_ACCESSORS(3)
CPU_CR_ACCESSORS(4)

static inline uint64_t cpu_read_flags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

static inline void cpu_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void cpu_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline bool cpu_irq_enabled(void)
{
	return cpu_read_flags() & CPU_RFLAGS_IF;
}

/* Disables interrupts and returns whether they were enabled before. */
static inline bool cpu_irq_save(void)
{
	bool was = cpu_irq_enabled();

	cpu_irq_disable();
	return was;
}

static inline void cpu_irq_restore(bool was_enabled)
{
	if (was_enabled) {
		cpu_irq_enable();
	}
}

static inline void cpu_pause(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline void cpu_halt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

static inline void cpu_invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cpu_barrier(void)
{
	__asm__ volatile("" : : : "memory");
}
