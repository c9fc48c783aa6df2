/*
 * GDT layout (see trap.h): null, kernel code, kernel data, user data,
 * user code, TSS (two slots). The user data/code order is what sysret
 * requires: STAR[63:48] + 8 is SS, + 16 is CS.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/trap.h>
#include <base/string.h>
#include <log/log.h>
#include <mm/kmalloc.h>
#include <smp/percpu.h>

#define LOG_SUBSYS "gdt"
#define IST_STACK_SIZE 8192

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS layout");

struct gdt_block {
	uint64_t gdt[7];
	struct tss tss;
	/* The I/O permission bitmap follows the TSS (a set bit denies the
	 * port), plus the all-ones byte the CPU may read past its end. */
	uint8_t iomap[GDT_IOMAP_BYTES + 1];
	uint64_t iomap_key;		/* which bitmap is loaded; 0: none */
	uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
} __attribute__((aligned(64)));
_Static_assert(__builtin_offsetof(struct gdt_block, iomap) ==
		       __builtin_offsetof(struct gdt_block, tss) + sizeof(struct tss),
	       "the I/O bitmap must follow the TSS");

static struct gdt_block gdt_boot_block __attribute__((aligned(64)));

void gdt_init_cpu(struct percpu *cpu)
{
	struct gdt_block *b = cpu->id == 0 ? &gdt_boot_block
					   : kzalloc(sizeof(*b));
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr;
	uint64_t tss = (uint64_t)&b->tss;
	uint64_t limit = sizeof(struct tss) + GDT_IOMAP_BYTES;

	if (!b) {
		panic("gdt: no memory for cpu %u", cpu->id);
	}
	memset(b, 0, sizeof(*b));
	b->gdt[1] = 0x00209a0000000000ul; /* kernel code, 64-bit */
	b->gdt[2] = 0x0000920000000000ul; /* kernel data */
	b->gdt[3] = 0x0000f20000000000ul; /* user data, DPL 3 */
	b->gdt[4] = 0x0020fa0000000000ul; /* user code, 64-bit, DPL 3 */
	b->gdt[5] = (limit & 0xffff) | ((tss & 0xffffff) << 16) |
		    (0x89ul << 40) | (((limit >> 16) & 0xf) << 48) |
		    (((tss >> 24) & 0xff) << 56);
	b->gdt[6] = tss >> 32;
	for (int i = 0; i < 3; i++) {
		b->tss.ist[i] = (uint64_t)&b->ist_stacks[i][IST_STACK_SIZE];
	}
	b->tss.iomap_base = sizeof(struct tss);
	memset(b->iomap, 0xff, sizeof(b->iomap));
	cpu->arch = b;

	ptr.limit = sizeof(b->gdt) - 1;
	ptr.base = (uint64_t)b->gdt;
	__asm__ volatile("lgdt %0\n\t"
			 "movw %w1, %%ds\n\t"
			 "movw %w1, %%es\n\t"
			 "movw %w1, %%ss\n\t"
			 "pushq %2\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "ltr %w3"
			 :
			 : "m"(ptr), "r"(GDT_KERNEL_DATA),
			   "i"(GDT_KERNEL_CODE), "r"(GDT_TSS)
			 : "rax", "memory");
	/* lgdt does not touch GS base, but loading GS would; we never do. */
}

void gdt_set_kernel_stack(uint64_t rsp0)
{
	struct gdt_block *b = percpu_this()->arch;

	b->tss.rsp[0] = rsp0;
}

void gdt_load_iomap(uint64_t key, const uint8_t *bitmap)
{
	struct gdt_block *b = percpu_this()->arch;

	if (b->iomap_key == key) {
		return;
	}
	if (bitmap) {
		memcpy(b->iomap, bitmap, GDT_IOMAP_BYTES);
	} else {
		memset(b->iomap, 0xff, GDT_IOMAP_BYTES);
	}
	b->iomap_key = key;
}
